"""The protocol on tiny data where the right answer is known."""

import numpy as np

from sendclf.evaluate import EvalConfig, cross_validate, score
from sendclf.models.base import Classifier
from sendclf.models.registry import build_model
from sendclf.models.tfidf import TfidfConfig
from sendclf.targets import Targets

WORDS = {"weakness": "waits delays failures", "strength": "praise excellent strong",
         "neutral": "inspection visited march"}
THEMES = {"weakness": "health_access", "strength": "outcomes", "neutral": "other"}


def separable(labels, articles=3, per_class=2) -> Targets:
    texts, pol, themes, groups = [], [], [], []
    for a in range(articles):
        for polarity, words in WORDS.items():
            for i in range(per_class):
                texts.append(f"{words} {words.split()[i % 3]}")
                pol.append(labels.polarity_ids.index(polarity))
                row = np.zeros(len(labels.themes), dtype=np.float32)
                row[labels.theme_ids.index(THEMES[polarity])] = 1
                themes.append(row)
                groups.append(f"article{a}")
    themes = np.array(themes)
    return Targets(texts, np.array(pol), themes, themes.argmax(axis=1), np.array(groups))


def test_perfectly_separable_text_scores_one(labels):
    data = separable(labels)
    oof = cross_validate(lambda: build_model("tfidf", TfidfConfig(), labels), data, None, EvalConfig(),
                         quiet=True)
    result = score(data, oof, labels, EvalConfig(bootstrap_samples=50))
    for key in ("polarity_macro_f1", "theme_macro_f1", "main_theme_hit"):
        assert result.headline[key].value == 1.0, key
    assert result.confusion.matrix == [[6, 0, 0], [0, 6, 0], [0, 0, 6]]


class Spy(Classifier):
    """Records what it was trained on, predicts uniform probabilities."""

    kind = "spy"
    config_class = TfidfConfig
    seen: list[set] = []
    written: list[int] = []

    def fit(self, data):
        Spy.seen.append(set(data.groups))
        Spy.written.append(int(data.written.sum()))
        return self

    def predict_proba(self, texts):
        n = len(texts)
        return np.full((n, 3), 1 / 3), np.full((n, len(self.labels.themes)), 0.5)

    def save_weights(self, directory):
        pass

    def load_weights(self, directory):
        pass


def written_rows(labels, n=5) -> Targets:
    data = separable(labels, articles=1).subset(np.arange(n))
    data.groups[:] = "invented"
    data.written[:] = True
    return data


def test_grouping_holds_out_one_area_and_written_rows_train_every_fit(labels):
    data = separable(labels, articles=4)
    Spy.seen, Spy.written = [], []
    oof = cross_validate(lambda: Spy(TfidfConfig(), labels), data, written_rows(labels),
                         EvalConfig(tune_threshold=False), quiet=True)
    areas = set(data.groups)
    assert len(Spy.seen) == 4
    held_out = [areas - (seen - {"invented"}) for seen in Spy.seen]
    assert all(len(h) == 1 for h in held_out)
    assert set.union(*held_out) == areas
    assert Spy.written == [5, 5, 5, 5]
    assert len(oof.polarity) == len(data.texts)  # only the seed rows are scored


def test_threshold_tuning_uses_inner_folds_of_the_training_areas_only(labels):
    data = separable(labels, articles=3)
    Spy.seen, Spy.written = [], []
    cross_validate(lambda: Spy(TfidfConfig(), labels), data, None, EvalConfig(), quiet=True)
    # each of 3 outer folds: 2 inner fits on one training area each, then the fold's own fit on both
    assert len(Spy.seen) == 9
    for outer in range(3):
        inner_a, inner_b, fold = Spy.seen[3 * outer:3 * outer + 3]
        assert len(inner_a) == len(inner_b) == 1 and inner_a | inner_b == fold and len(fold) == 2


def test_majority_reference_predicts_the_most_frequent_labels(labels):
    data = separable(labels)
    data.polarity[:] = 0
    data.polarity[-1] = 1
    oof = cross_validate(lambda: build_model("majority", None, labels), data, None, EvalConfig(), quiet=True)
    assert (oof.polarity == 0).all()


def overconfident(n=600, seed=0):
    """Scores that say 0.99 while being right only 70% of the time."""
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 3, n)
    predicted = np.where(rng.random(n) < 0.7, gold, (gold + 1) % 3)
    probs = np.full((n, 3), 0.005)
    probs[np.arange(n), predicted] = 0.99
    return probs, gold


def test_temperature_softens_overconfident_scores_and_keeps_every_decision():
    from sendclf.evaluate import fit_temperature
    from sendclf.metrics import expected_calibration_error
    from sendclf.models.base import with_temperature

    probs, gold = overconfident()
    temperature = fit_temperature(probs, gold)
    calibrated = with_temperature(probs, temperature)
    assert temperature > 1
    assert (calibrated.argmax(axis=1) == probs.argmax(axis=1)).all()
    before, after = (expected_calibration_error(p, gold, bins=10) for p in (probs, calibrated))
    assert before > 0.25 and after < 0.05
    np.testing.assert_allclose(calibrated.max(axis=1).mean(), 0.7, atol=0.03)


def test_cross_fitted_calibration_never_uses_the_area_it_calibrates():
    from sendclf.evaluate import cross_fitted

    probs, gold = overconfident()
    groups = np.repeat(np.array(["a", "b", "c"], dtype=object), 200)
    probs[groups == "c"] = np.eye(3)[gold[groups == "c"]] * 0.98 + 0.0067  # area c is always right
    out = cross_fitted(probs, gold, groups)
    # a and b teach a high temperature, so c's correct but confident scores are softened anyway
    assert out[groups == "c"].max(axis=1).mean() < 0.85
