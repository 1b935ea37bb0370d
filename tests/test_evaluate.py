"""The protocol on tiny data where the right answer is known."""

import numpy as np

from sendclf.evaluate import EvalConfig, cross_validate, score
from sendclf.models.base import Classifier, Targets, build_model
from sendclf.models.tfidf import TfidfConfig

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
    oof = cross_validate(lambda: build_model("tfidf", TfidfConfig(), labels), data, quiet=True)
    result = score(data, oof, labels, EvalConfig(bootstrap_samples=50))
    for key in ("polarity_macro_f1", "theme_macro_f1", "main_theme_hit"):
        assert result["headline"][key]["value"] == 1.0, key
    assert result["confusion"]["matrix"] == [[6, 0, 0], [0, 6, 0], [0, 0, 6]]


class Spy(Classifier):
    """Records what it was trained on, predicts uniform probabilities."""

    kind = "spy"
    config_class = TfidfConfig
    seen: list[set] = []

    def fit(self, data):
        Spy.seen.append(set(data.groups))
        return self

    def predict_proba(self, texts):
        n = len(texts)
        return np.full((n, 3), 1 / 3), np.full((n, len(self.labels.themes)), 0.5)

    def save_weights(self, directory):
        pass

    def load_weights(self, directory):
        pass


def test_grouping_really_holds_out_the_article(labels):
    data = separable(labels, articles=4)
    Spy.seen = []
    cross_validate(lambda: Spy(TfidfConfig(), labels), data, quiet=True)
    all_articles = set(data.groups)
    assert len(Spy.seen) == 4
    held_out = [all_articles - seen for seen in Spy.seen]
    assert all(len(h) == 1 for h in held_out)
    assert set.union(*held_out) == all_articles


def test_majority_reference_predicts_the_most_frequent_labels(labels):
    data = separable(labels)
    data.polarity[:] = 0
    data.polarity[-1] = 1
    oof = cross_validate(lambda: build_model("majority", None, labels), data, quiet=True)
    assert (oof.polarity == 0).all()
