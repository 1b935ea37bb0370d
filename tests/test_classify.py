import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console
from test_inputs import ARTICLE

from sendclf import api as lib
from sendclf import inputs, trained
from sendclf.errors import SendclfError
from sendclf.labelled import Row, summarise
from sendclf.models.registry import load_model


@pytest.fixture
def model(model_dir):
    return load_model(model_dir)


# ---- the model -------------------------------------------------------------------------------------


def _records(dev_score: float):
    from types import SimpleNamespace

    from sendclf.metrics import Figure

    figures = {"polarity_macro_f1": Figure(dev_score, (dev_score, dev_score)),
               "theme_micro_f1": Figure(dev_score, (dev_score, dev_score))}
    majority = {key: Figure(0.2, (0.2, 0.2)) for key in figures}
    return SimpleNamespace(dev=SimpleNamespace(scores=SimpleNamespace(headline=figures)),
                           scores=SimpleNamespace(headline=figures), members=[],
                           reference=SimpleNamespace(scores=SimpleNamespace(headline=majority)))


def test_default_model_is_the_best_by_its_own_dev_records_not_its_name(model_dir, tmp_path, monkeypatch):
    for name in ("tfidf", "ensemble"):
        shutil.copytree(model_dir, tmp_path / name)
    scores = {"tfidf": 0.9, "ensemble": 0.7}
    monkeypatch.setattr(trained, "load_results", lambda d: _records(scores[d.name]))
    assert trained.ranked_models(tmp_path) == [tmp_path / "tfidf", tmp_path / "ensemble"]
    assert lib.open_model(None, tmp_path)[0] == tmp_path / "tfidf"
    scores.update(tfidf=0.6)
    assert lib.open_model(None, tmp_path)[0] == tmp_path / "ensemble"


def test_a_default_model_that_cannot_serve_here_is_passed_over_with_a_note(model_dir, tmp_path, monkeypatch):
    for name in ("tfidf", "ensemble"):
        shutil.copytree(model_dir, tmp_path / name)
    monkeypatch.setattr(trained, "load_results", lambda d: _records({"tfidf": 0.6, "ensemble": 0.9}[d.name]))
    (tmp_path / "ensemble" / "model.json").write_text("{}")  # damaged: the manifest refuses it
    directory, classifier = lib.open_model(None, tmp_path)
    assert directory == tmp_path / "tfidf"
    assert len(classifier.notes) == 1 and classifier.notes[0].startswith("passed over ensemble")
    with pytest.raises(SendclfError, match="model.json"):
        lib.open_model("ensemble", tmp_path)


def test_no_trained_model_says_make_train(tmp_path):
    with pytest.raises(SendclfError, match="no trained model.*make train"):
        lib.open_model(None, tmp_path)


def test_a_model_that_learned_nothing_is_flagged_when_it_classifies(model_dir, tmp_path, monkeypatch):
    shutil.copytree(model_dir, tmp_path / "tfidf")
    monkeypatch.setattr(trained, "load_results", lambda d: _records(0.2))
    notes = lib.open_model("tfidf", tmp_path)[1].notes
    assert len(notes) == 1 and "tfidf: do not rely on it" in notes[0] and "majority class" in notes[0]


def test_model_directory_is_used_as_is(model_dir, tmp_path):
    assert trained.resolve_model_dir(str(model_dir), tmp_path) == model_dir


@pytest.mark.parametrize(("name", "message"), [
    ("tfidf", r"'tfidf' is not trained yet.*sendclf train tfidf"),
    ("transformer", r"'transformer' is not trained yet.*sendclf train transformer"),
    ("bert", r"unknown model 'bert'.*transformer-large.*make train"),
    ("ensemble-large", r"not trained yet.*make train-large"),
])
def test_unknown_or_untrained_model_says_how_to_train(tmp_path, name, message):
    with pytest.raises(SendclfError, match=message):
        trained.resolve_model_dir(name, tmp_path)


def test_damaged_model_directory_is_a_one_line_error(model_dir, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.json").write_text((model_dir / "model.json").read_text())
    with pytest.raises(SendclfError, match="no manifest.json, so saved by an older version.*retrain"):
        lib.load(broken)


@pytest.mark.parametrize(("value", "ok"), [("0.3", True), ("0", True), ("1", True), ("1.5", False),
                                           ("-0.1", False), ("half", False)])
def test_threshold_must_be_a_probability(value, ok):
    if ok:
        assert lib.parse_threshold(value) == float(value)
    else:
        with pytest.raises(SendclfError, match="--threshold"):
            lib.parse_threshold(value)


def test_classify_gives_every_score_and_a_summary(model):
    docs = inputs.read_documents([], ARTICLE.encode())
    run = lib.Model(model, Path("models/tiny")).label(docs)
    (doc,) = run.documents
    assert run.n_sentences == 3 and run.model == "tiny" and run.kind == "tfidf"
    for s in doc.rows:
        assert set(s.polarity_scores) == set(model.labels.polarity_ids)
        assert set(s.theme_scores) == set(model.labels.theme_ids)
        assert s.polarity in model.labels.polarity_ids and s.themes
    assert doc.rows[0].polarity == "weakness" and doc.rows[1].polarity == "strength"
    assert sum(doc.summary.polarity.values()) == 3


def test_threshold_override_changes_the_decisions(model):
    docs = inputs.read_documents([], b"Waiting times for therapy are too long.\n")
    lib.set_threshold(model, 0.0)
    everything = lib.label(model, [docs[0].sentences[0].text])[0].themes
    lib.set_threshold(model, 1.0)
    only_best = lib.label(model, [docs[0].sentences[0].text])[0].themes
    assert len(only_best) == 1 and len(everything) == len(model.labels.themes) - 1  # never `other` beside
    np.testing.assert_array_equal(model.thresholds, np.ones(len(model.labels.themes)))


def test_summary_counts_findings_per_theme_most_weakness_first(labels):
    def sentence(polarity, themes):
        return Row("t", polarity, {}, themes, {}, False)
    sentences = [sentence("weakness", ["ehc_plans"]), sentence("weakness", ["health_access", "ehc_plans"]),
                 sentence("strength", ["health_access"]), sentence("strength", ["outcomes"]),
                 *[sentence("weakness", ["other"])] * 3,
                 sentence("neutral", ["leadership"])]
    summary = summarise(sentences, labels)
    assert summary.polarity == {"weakness": 5, "strength": 2, "neutral": 1}
    assert [(t.theme, t.counts["weakness"], t.counts["strength"]) for t in summary.themes] == [
        ("ehc_plans", 2, 0), ("health_access", 1, 1), ("outcomes", 0, 1), ("other", 3, 0)]


def test_long_inputs_show_a_progress_bar_on_the_given_console(model):
    console = Console(file=io.StringIO(), force_terminal=True, width=80)
    texts = ["Waiting times are long."] * lib.PROGRESS_MIN_SENTENCES
    predictions = lib.label(model, texts, progress=console)
    assert len(predictions) == len(texts)
    assert "classifying" in console.file.getvalue()


def test_short_inputs_show_no_progress_bar(model):
    console = Console(file=io.StringIO(), force_terminal=True, width=80)
    lib.label(model, ["Waits are long."] * 3, progress=console)
    assert console.file.getvalue() == ""
