import json

import pytest
from typer.testing import CliRunner

from sendclf.cli import app
from sendclf.errors import SendclfError
from sendclf.evaluate import Calibration
from sendclf.metrics import Figure
from sendclf.paths import MODELS
from sendclf.results import (
    METRICS_FILE,
    OutOfFoldRecord,
    load_results,
    plain,
    read_results,
    to_json,
    write_results,
)

runner = CliRunner()
TRAINED = [d for d in (MODELS / "tfidf", MODELS / "transformer") if (d / METRICS_FILE).is_file()]
RECORD = {"id": "a-000", "area": "north", "gold_polarity": "weakness", "gold_themes": ["health_access"],
          "gold_main_theme": "health_access", "polarity": "weakness", "polarity_scores": [0.9, 0.05, 0.05],
          "themes": ["health_access"], "theme_scores": [0.1, 0.8]}


@pytest.fixture
def trained(trained_models):
    return trained_models[0] / METRICS_FILE  # "sharp"


def test_a_freshly_trained_file_reads_into_types_and_writes_back_byte_for_byte(trained, tmp_path):
    results = read_results(trained)
    assert isinstance(results.scores.headline["polarity_macro_f1"], Figure)
    assert isinstance(results.calibration, Calibration)
    assert isinstance(results.out_of_fold[0], OutOfFoldRecord)
    assert results.evaluation.threshold_grid[0] == pytest.approx(0.1)
    write_results(tmp_path / METRICS_FILE, results)
    assert (tmp_path / METRICS_FILE).read_text() == trained.read_text()


@pytest.mark.parametrize("model_dir", TRAINED, ids=lambda d: d.name)
def test_the_trained_models_round_trip_unchanged(model_dir):
    text = (model_dir / METRICS_FILE).read_text(encoding="utf-8")
    results = load_results(model_dir)
    assert json.loads(to_json(results)) == json.loads(text)
    assert to_json(results) == text


def test_optional_fields_are_left_out_not_written_as_null(trained, tmp_path):
    raw = json.loads(trained.read_text())
    del raw["out_of_fold"], raw["reference"]["out_of_fold"]
    (tmp_path / METRICS_FILE).write_text(json.dumps(raw, indent=1))
    results = read_results(tmp_path / METRICS_FILE)
    assert results.out_of_fold is None and results.reference.out_of_fold is None
    assert "out_of_fold" not in to_json(results)
    assert list(plain(OutOfFoldRecord(**RECORD))) == list(RECORD)
    calibrated = plain(OutOfFoldRecord(**RECORD, calibrated_polarity_scores=[0.8, 0.1, 0.1]))
    assert list(calibrated)[6:8] == ["polarity_scores", "calibrated_polarity_scores"]


@pytest.mark.parametrize(("change", "message"), [
    (lambda raw: raw.pop("reference"), r"metrics\.json: no 'reference' key"),
    (lambda raw: raw["scores"]["headline"]["polarity_accuracy"].pop("ci"),
     r"no 'scores\.headline\.polarity_accuracy\.ci' key"),
    (lambda raw: raw["seconds"].update(cv="slow"), r"seconds\.cv must be float, got 'slow'"),
    (lambda raw: raw["out_of_fold"][0].update(extra=1), r"unknown key 'out_of_fold\.extra'"),
    (lambda raw: raw.update(calibration=[1, 2]), r"calibration must be a mapping"),
])
def test_a_file_off_the_schema_is_one_clear_error(trained, tmp_path, change, message):
    raw = json.loads(trained.read_text())
    change(raw)
    (tmp_path / METRICS_FILE).write_text(json.dumps(raw))
    with pytest.raises(SendclfError, match=message):
        read_results(tmp_path / METRICS_FILE)


def test_unreadable_files_are_one_clear_error(tmp_path):
    with pytest.raises(SendclfError, match="train it with `make train`"):  # not a model name
        load_results(tmp_path)
    (tmp_path / METRICS_FILE).write_text("{not json")
    with pytest.raises(SendclfError, match="not valid JSON"):
        load_results(tmp_path)


def test_the_cli_reports_an_old_file_in_one_line(tmp_path):
    (tmp_path / METRICS_FILE).write_text(json.dumps({"model": "tfidf", "kind": "tfidf", "scores": {}}))
    for command in (["evaluate", str(tmp_path)], ["compare", str(tmp_path)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1
        assert "no 'protocol' key" in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) <= 2  # one line, perhaps wrapped once


def test_out_of_fold_records_read_back_into_the_arrays_they_came_from(labels):
    import numpy as np

    from sendclf.evaluate import Predictions
    from sendclf.results import from_records, oof_records
    from sendclf.targets import Targets

    themes = np.zeros((2, len(labels.theme_ids)), dtype=np.float32)
    themes[0, [1, 3]], themes[1, 5] = 1, 1
    data = Targets(["one", "two"], np.array([0, 2]), themes, np.array([3, 5]),
                   np.array(["n", "s"], dtype=object), ids=["a-0", "b-0"])
    tied = np.array([[0.4, 0.4, 0.2], [0.1, 0.2, 0.7]])  # a tie at 5 digits: the recorded decision stands
    oof = Predictions(tied, themes * 0.9, themes > 0, recorded_polarity=np.array([1, 2]))
    gold, back = from_records(oof_records(data, oof, labels), labels.polarity_ids, labels.theme_ids)
    assert gold.ids == data.ids and list(gold.groups) == ["n", "s"]
    for name in ("polarity", "themes", "main_theme"):
        assert np.array_equal(getattr(gold, name), getattr(data, name)), name
    assert list(back.polarity) == [1, 2] and np.array_equal(back.themes, oof.themes)
    assert np.allclose(back.theme_probs, oof.theme_probs) and back.calibrated_polarity_probs is None
