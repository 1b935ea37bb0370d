"""The evaluation protocol every model goes through: leave-one-article-out cross-validation.

Each article is scored by a model that never saw it (nor tuned anything on it); the pooled out-of-fold
predictions of all articles are scored once, with bootstrap confidence intervals. A majority-class
reference goes through exactly the same protocol, so its row is comparable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from sendclf.labels import LabelSet
from sendclf.metrics import HEADLINE, bootstrap_ci, headline, per_class, polarity_confusion
from sendclf.models.base import Classifier, Targets


@dataclass
class EvalConfig:
    bootstrap_samples: int = 1000
    confidence: float = 0.95
    seed: int = 0


@dataclass
class OutOfFold:
    """Predictions for every sentence, each made by a model trained without that sentence's article."""

    polarity_probs: np.ndarray
    theme_probs: np.ndarray
    themes: np.ndarray  # bool, the model's theme decisions

    @property
    def polarity(self) -> np.ndarray:
        return self.polarity_probs.argmax(axis=1)


def cross_validate(make_model: Callable[[], Classifier], data: Targets, *, desc: str = "cv",
                   quiet: bool = False) -> OutOfFold:
    articles = list(dict.fromkeys(data.groups))
    n_polarities = len(make_model().labels.polarities)
    oof = OutOfFold(np.zeros((len(data.texts), n_polarities)), np.zeros_like(data.themes, dtype=np.float64),
                    np.zeros(data.themes.shape, dtype=bool))
    for article in tqdm(articles, desc=desc, unit="article", disable=quiet, leave=False):
        held_out = data.groups == article
        model = make_model()
        model.show_progress = not quiet
        model.fit(data.subset(~held_out))
        polarity_probs, theme_probs = model.predict_proba(data.subset(held_out).texts)
        oof.polarity_probs[held_out] = polarity_probs
        oof.theme_probs[held_out] = theme_probs
        oof.themes[held_out] = model.decide(theme_probs)
    return oof


def score(data: Targets, oof: OutOfFold, labels: LabelSet, config: EvalConfig) -> dict:
    """Headline figures with CIs, per-class figures and the polarity confusion matrix."""
    args = (data.polarity, oof.polarity, data.themes, oof.themes.astype(np.float32), data.main_theme)
    values = headline(*args)
    cis = bootstrap_ci(*args, samples=config.bootstrap_samples, level=config.confidence, seed=config.seed)
    return {
        "headline": {key: {"value": values[key], "ci": list(cis[key])} for key in HEADLINE},
        "polarity": per_class(data.polarity, oof.polarity, labels.polarity_ids, multilabel=False),
        "themes": per_class(data.themes, oof.themes.astype(np.float32), labels.theme_ids, multilabel=True),
        "confusion": {"labels": labels.polarity_ids,
                      "matrix": polarity_confusion(data.polarity, oof.polarity, len(labels.polarities))},
    }


def oof_records(ids: list[str], data: Targets, oof: OutOfFold, labels: LabelSet) -> list[dict]:
    """One record per sentence: gold labels beside the out-of-fold prediction and scores."""
    records = []
    for i, sentence_id in enumerate(ids):
        records.append({
            "id": sentence_id,
            "article": str(data.groups[i]),
            "gold_polarity": labels.polarity_ids[data.polarity[i]],
            "gold_themes": [labels.theme_ids[t] for t in np.flatnonzero(data.themes[i])],
            "gold_main_theme": labels.theme_ids[data.main_theme[i]],
            "polarity": labels.polarity_ids[oof.polarity[i]],
            "polarity_scores": [round(float(p), 5) for p in oof.polarity_probs[i]],
            "themes": [labels.theme_ids[t] for t in np.flatnonzero(oof.themes[i])],
            "theme_scores": [round(float(p), 5) for p in oof.theme_probs[i]],
        })
    return records
