"""Metric functions over gold labels and predictions: pure, no model, no I/O."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

HEADLINE = ("polarity_accuracy", "polarity_macro_f1", "theme_micro_f1", "theme_macro_f1", "main_theme_hit")


def theme_macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    """Macro-F1 over the themes present in the gold labels (absent themes have no defined recall)."""
    present = gold.sum(axis=0) > 0
    scores = f1_score(gold[:, present], pred[:, present], average=None, zero_division=0)
    return float(np.mean(scores)) if len(scores) else 0.0


def headline(gold_polarity, pred_polarity, gold_themes, pred_themes, main_theme) -> dict[str, float]:
    """The five headline figures for one set of predictions."""
    return {
        "polarity_accuracy": float(np.mean(gold_polarity == pred_polarity)),
        "polarity_macro_f1": float(f1_score(gold_polarity, pred_polarity, average="macro", zero_division=0)),
        "theme_micro_f1": float(f1_score(gold_themes, pred_themes, average="micro", zero_division=0)),
        "theme_macro_f1": theme_macro_f1(gold_themes, pred_themes),
        "main_theme_hit": float(np.mean(pred_themes[np.arange(len(main_theme)), main_theme])),
    }


def per_class(gold, pred, names: list[str], multilabel: bool) -> dict[str, dict[str, float]]:
    labels = None if multilabel else np.arange(len(names))
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    return {name: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
            for i, name in enumerate(names)}


def polarity_confusion(gold, pred, n_classes: int) -> list[list[int]]:
    return confusion_matrix(gold, pred, labels=np.arange(n_classes)).tolist()


def bootstrap_ci(gold_polarity, pred_polarity, gold_themes, pred_themes, main_theme, *, samples: int,
                 level: float, seed: int) -> dict[str, tuple[float, float]]:
    """Percentile confidence intervals of the headline figures, resampling sentences with replacement."""
    rng = np.random.default_rng(seed)
    n = len(gold_polarity)
    draws = {key: [] for key in HEADLINE}
    for _ in range(samples):
        idx = rng.integers(0, n, n)
        scores = headline(gold_polarity[idx], pred_polarity[idx], gold_themes[idx], pred_themes[idx],
                          main_theme[idx])
        for key, value in scores.items():
            draws[key].append(value)
    tail = (1 - level) / 2 * 100
    return {key: (float(np.percentile(v, tail)), float(np.percentile(v, 100 - tail)))
            for key, v in draws.items()}
