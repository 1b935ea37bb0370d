"""The ensemble: an average of its members' probabilities, saved and loaded with its members."""

import numpy as np
import pytest

from sendclf import catalog
from sendclf.errors import SendclfError
from sendclf.models.ensemble import EnsembleConfig
from sendclf.models.registry import build_model, load_model
from tests.tiny_model import tiny_targets

UNSEEN = ["Families wait a long time for therapy.", "Pupils do well at school.", ""]


@pytest.fixture
def configs(tmp_path, monkeypatch):
    """A configs folder whose catalog ships a TF-IDF and a majority model for the ensemble to combine."""
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "models.yaml").write_text("shipped: [tfidf, majority]\nlarge: []\n")
    (folder / "tfidf.yaml").write_text("theme_threshold: 0.5\n")
    (folder / "majority.yaml").write_text("{}\n")
    monkeypatch.setattr(catalog, "CONFIGS", folder)
    return folder


def test_probabilities_are_the_weighted_average_of_the_members(configs, labels):
    config = EnsembleConfig(members=["tfidf", "majority"], weights=[3.0, 1.0], evidence_from="tfidf")
    model = build_model("ensemble", config, labels).fit(tiny_targets(labels))
    (p1, t1), (p2, t2) = (member.predict_proba(UNSEEN) for member in model.members)
    polarity, themes = model.predict_proba(UNSEEN)
    np.testing.assert_allclose(polarity, 0.75 * p1 + 0.25 * p2, rtol=1e-6)
    np.testing.assert_allclose(themes, 0.75 * t1 + 0.25 * t2, rtol=1e-6)
    np.testing.assert_allclose(polarity.sum(axis=1), 1, rtol=1e-5)


def test_save_load_round_trip_keeps_members_and_evidence(configs, labels, tmp_path):
    config = EnsembleConfig(members=["tfidf", "majority"], weights=[0.5, 0.5], evidence_from="tfidf")
    data = tiny_targets(labels)
    model = build_model("ensemble", config, labels).fit(data)
    model.remember(data)
    model.save(tmp_path / "e")
    loaded = load_model(tmp_path / "e")
    assert [m.kind for m in loaded.members] == ["tfidf", "majority"]
    for a, b in zip(model.predict_proba(UNSEEN), loaded.predict_proba(UNSEEN), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    evidence = loaded.evidence(UNSEEN[:1])[0]
    assert evidence["nearest"] and "ngrams" in evidence  # nearest by TF-IDF vectors, n-grams from TF-IDF


@pytest.mark.parametrize(("config", "message"), [
    (EnsembleConfig(members=["tfidf"], weights=[0.5, 0.5]), "one weight per member"),
    (EnsembleConfig(members=["tfidf", "majority"], weights=[0, 0], evidence_from="tfidf"), "not all zero"),
    (EnsembleConfig(members=["tfidf", "majority"], weights=[1, 1], evidence_from="bert"), "not a member"),
])
def test_bad_configs_are_one_clear_error(configs, labels, config, message):
    with pytest.raises(SendclfError, match=message):
        build_model("ensemble", config, labels)


def test_an_unknown_member_names_the_known_models(configs, labels):
    config = EnsembleConfig(members=["tfidf", "bert"], weights=[1, 1], evidence_from="tfidf")
    with pytest.raises(SendclfError, match="unknown model 'bert'.*tfidf, majority"):
        build_model("ensemble", config, labels).fit(tiny_targets(labels))


def test_a_member_reuses_the_fit_of_the_same_model_on_the_same_rows(configs, labels, monkeypatch):
    """`sendclf train tfidf ensemble`: the ensemble's TF-IDF member repeats the TF-IDF fits fold for fold."""
    from sendclf.models import tfidf

    tfidf._shared.clear()  # no fit of an earlier test
    tfidf._fits.clear()
    calls = []
    original = tfidf.TfidfClassifier._fit_weights
    monkeypatch.setattr(tfidf.TfidfClassifier, "_fit_weights",
                        lambda self, *args: calls.append(1) or original(self, *args))
    data = tiny_targets(labels)
    alone = build_model("tfidf", tfidf.TfidfConfig(theme_threshold=0.5), labels).fit(data)
    config = EnsembleConfig(members=["tfidf", "majority"], weights=[1, 1], evidence_from="tfidf")
    member = build_model("ensemble", config, labels).fit(data).members[0]
    assert len(calls) == 1
    np.testing.assert_array_equal(alone.predict_proba(UNSEEN)[0], member.predict_proba(UNSEEN)[0])
    build_model("tfidf", tfidf.TfidfConfig(theme_c=1.0), labels).fit(data)  # another config fits anew
    assert len(calls) == 2


def test_evidence_words_explain_the_ensembles_label_not_the_members(configs, labels, monkeypatch):
    config = EnsembleConfig(members=["tfidf", "majority"], weights=[0.5, 0.5], evidence_from="tfidf")
    data = tiny_targets(labels)
    model = build_model("ensemble", config, labels).fit(data)
    model.remember(data)
    asked = []
    tfidf = model.members[0]
    monkeypatch.setattr(tfidf, "reasons",
                        lambda texts, polarity=None: asked.append(polarity) or [[]] * len(texts))
    texts = UNSEEN[:2]
    model.evidence(texts)
    model.evidence(texts, ["neutral", "neutral"])
    own = [p for p, _ in model.decisions(*model.calibrated_proba(texts))]
    assert asked == [own, ["neutral", "neutral"]]
