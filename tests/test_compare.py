import copy
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from sendclf import compare as lib
from sendclf import comparison_tables, trained
from sendclf.cli import app
from sendclf.errors import SendclfError
from sendclf.evaluate import EvalConfig, Predictions
from sendclf.results import from_records
from sendclf.targets import Targets

runner = CliRunner()
FAST = EvalConfig(bootstrap_samples=200, confidence=0.95, seed=0)
def predicted(polarity: np.ndarray, themes: np.ndarray) -> Predictions:
    """Out-of-fold predictions that are sure of their decisions."""
    return Predictions(np.eye(3)[polarity], themes.astype(float), themes > 0)


GOLD = Targets(texts=["a", "b", "c", "d"], polarity=np.array([0, 1, 2, 0]),
               themes=np.array([[1, 0], [0, 1], [1, 1], [0, 1]], dtype=np.float32),
               main_theme=np.array([0, 1, 0, 1]), groups=np.array(["x", "x", "y", "y"], dtype=object))
RIGHT = predicted(GOLD.polarity, GOLD.themes)
WRONG = predicted((GOLD.polarity + 1) % 3, 1 - GOLD.themes)


def test_identical_predictions_differ_by_exactly_zero():
    result = lib.paired_bootstrap(GOLD, RIGHT, RIGHT, samples=50, level=0.95, seed=0)
    for figure in result.values():
        assert figure == lib.PairedFigure(0.0, [0.0, 0.0], False)


def test_always_right_minus_always_wrong_is_one():
    result = lib.paired_bootstrap(GOLD, WRONG, RIGHT, samples=50, level=0.95, seed=0)
    for key in ("polarity_accuracy", "polarity_macro_f1", "theme_micro_f1", "main_theme_hit"):
        assert result[key] == lib.PairedFigure(1.0, [1.0, 1.0], True)
    assert result["theme_macro_f1"].value == 1.0
    assert result["theme_macro_f1"].ci[0] > 0
    reverse = lib.paired_bootstrap(GOLD, RIGHT, WRONG, samples=50, level=0.95, seed=0)
    assert reverse["polarity_accuracy"].value == -1.0
    assert reverse["polarity_accuracy"].excludes_zero


def test_a_clearly_better_model_excludes_zero_and_an_equal_one_does_not():
    rng = np.random.default_rng(0)
    n = 120
    polarity = rng.integers(0, 3, n)
    themes = np.eye(2, dtype=np.float32)[rng.integers(0, 2, n)]
    gold = Targets([""] * n, polarity, themes, themes.argmax(axis=1), np.zeros(n, dtype=object))
    wrong = lambda share: np.where(rng.random(n) < share, (polarity + 1) % 3, polarity)  # noqa: E731
    good, poor, also_poor = (predicted(wrong(share), themes) for share in (0.1, 0.5, 0.5))
    better = lib.paired_bootstrap(gold, poor, good, samples=300, level=0.95, seed=0)["polarity_accuracy"]
    assert better.ci[0] > 0 and better.excludes_zero
    equal = lib.paired_bootstrap(gold, poor, also_poor, samples=300, level=0.95, seed=0)["polarity_accuracy"]
    assert equal.ci[0] < 0 < equal.ci[1] and not equal.excludes_zero


def test_out_of_fold_records_reproduce_the_reported_headline(trained_models):
    metrics = trained.records(trained_models)["sharp"]
    gold, out_of_fold = from_records(metrics.out_of_fold, metrics.polarity_ids, metrics.theme_ids)
    recomputed = lib.paired_bootstrap(gold, predicted(gold.polarity, gold.themes), out_of_fold,
                                      samples=2, level=0.95, seed=0)
    for key, figure in metrics.scores.headline.items():  # perfect predictions score 1 on every figure
        assert recomputed[key].value == pytest.approx(figure.value - 1.0)


def test_compare_pairs_models_and_lists_themes(trained_models):
    comparison = lib.compare(trained.records(trained_models), FAST)
    assert [m.name for m in comparison.models] == ["sharp", "blunt"]
    pairs = [(d.a, d.b) for d in comparison.differences]
    ref = lib.REFERENCE_NAME
    assert pairs == [(ref, "sharp"), (ref, "blunt"), ("sharp", "blunt")], "each reads later - earlier"
    diff = comparison.differences[-1]
    assert diff.n_sentences == 18
    for key, figure in diff.metrics.items():
        expected = (comparison.models[1].headline[key].value
                    - comparison.models[0].headline[key].value)
        assert figure.value == pytest.approx(expected)
        assert figure.ci[0] <= figure.ci[1]
    assert set(comparison.theme_f1) == {"sharp", "blunt", lib.REFERENCE_NAME}
    assert comparison.theme_support["health_access"] == 6
    assert comparison.warnings == []
    json.loads(comparison_tables.to_json(comparison))


def test_mismatched_gold_labels_are_left_out_with_a_warning(trained_models):
    models = trained.records(trained_models)
    changed = copy.deepcopy(models["blunt"])
    changed.out_of_fold[0].gold_polarity = "strength"
    del changed.out_of_fold[1]
    comparison = lib.compare({"sharp": models["sharp"], "blunt": changed}, FAST)
    model_pair = next(d for d in comparison.differences if (d.a, d.b) == ("sharp", "blunt"))
    assert model_pair.n_sentences == 16
    assert any("sharp vs blunt: 16 shared sentences" in w for w in comparison.warnings)


def test_the_reference_joins_the_pairs_only_with_out_of_fold_predictions(trained_models):
    metrics = trained.records(trained_models[:1])["sharp"]
    comparison = lib.compare({"sharp": metrics}, FAST)
    assert [(d.a, d.b) for d in comparison.differences] == [(lib.REFERENCE_NAME, "sharp")]
    metrics.reference.out_of_fold = None
    assert lib.compare({"sharp": metrics}, FAST).differences == []


def test_cli_table(trained_models):
    result = runner.invoke(app, ["compare", *map(str, trained_models)])
    assert result.exit_code == 0, result.output
    for text in ("Headline metrics", "majority class", "blunt − sharp", "CI excludes 0", "Per-theme F1",
                 "health_access"):
        assert text in result.output


def test_cli_markdown(trained_models):
    result = runner.invoke(app, ["compare", "--format", "markdown", *map(str, trained_models)])
    assert result.exit_code == 0, result.output
    assert "| model | polarity accuracy |" in result.output
    assert "| sharp | " in result.output and "| majority class | " in result.output
    assert "| blunt − sharp (n=18) | polarity accuracy |" in result.output


def test_cli_json(trained_models):
    result = runner.invoke(app, ["compare", "-f", "json", *map(str, trained_models)])
    assert result.exit_code == 0, result.output
    comparison = json.loads(result.output)
    assert comparison["differences"][0]["metrics"]["polarity_accuracy"]["ci"][0] <= 1


def test_cli_errors_are_one_line(trained_models, tmp_path):
    bad_format = runner.invoke(app, ["compare", "-f", "xml", str(trained_models[0])])
    assert bad_format.exit_code == 1 and "unknown format" in bad_format.output
    untrained = runner.invoke(app, ["compare", str(tmp_path)])
    assert untrained.exit_code == 1 and "no metrics.json" in untrained.output
    assert trained.find_models(tmp_path / "nowhere") == []
    with pytest.raises(SendclfError, match="no trained models"):
        trained.records([])
