"""Every figure a model is scored on, computed in one place: pure functions over gold labels and
predictions, no model, no I/O. Training computes them once (`evaluate.score`, `evaluate.calibration`) and
`metrics.json` keeps them; compare, the report and the card read them from there, and the report draws its
reliability curves with `reliability`, the same binning as the calibration error.

The headline figures are computed with numpy (the bootstrap calls them thousands of times); scipy draws
the bootstrap, and scikit-learn is imported only for the per-class tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

HEADLINE = ("polarity_accuracy", "polarity_macro_f1", "theme_micro_f1", "theme_macro_f1", "main_theme_hit")


@dataclass
class Figure:
    """One headline figure and its bootstrap confidence interval."""

    value: float
    ci: tuple[float, float]


@dataclass
class ClassFigures:
    precision: float
    recall: float
    f1: float
    support: int  # gold sentences of the class


@dataclass
class Confusion:
    labels: list[str]
    matrix: list[list[int]]  # rows gold, columns predicted, in the order of `labels`


@dataclass
class Scores:
    """Everything one set of out-of-fold predictions is scored on."""

    headline: dict[str, Figure]  # keyed by HEADLINE
    polarity: dict[str, ClassFigures]
    themes: dict[str, ClassFigures]
    confusion: Confusion


def _f1(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    """F1 from counts, 0 where a class was neither predicted nor present (sklearn's zero_division=0)."""
    denominator = 2 * tp + fp + fn
    return np.divide(2 * tp, denominator, out=np.zeros_like(denominator, dtype=float), where=denominator > 0)


def polarity_macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    """Macro-F1 over the classes that occur in gold or predictions."""
    classes = np.union1d(gold, pred)
    tp = np.array([np.sum((gold == c) & (pred == c)) for c in classes])
    fp = np.array([np.sum((gold != c) & (pred == c)) for c in classes])
    fn = np.array([np.sum((gold == c) & (pred != c)) for c in classes])
    return float(_f1(tp, fp, fn).mean())


def theme_macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    """Macro-F1 over the themes present in the gold labels (absent themes have no defined recall)."""
    present = gold.sum(axis=0) > 0
    if not present.any():
        return 0.0
    g, p = gold[:, present] > 0, pred[:, present] > 0
    return float(_f1((g & p).sum(0), (~g & p).sum(0), (g & ~p).sum(0)).mean())


def theme_micro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    g, p = gold > 0, pred > 0
    return float(_f1(np.array((g & p).sum()), np.array((~g & p).sum()), np.array((g & ~p).sum())))


def headline(gold_polarity, pred_polarity, gold_themes, pred_themes, main_theme) -> dict[str, float]:
    """The five headline figures for one set of predictions."""
    return {
        "polarity_accuracy": float(np.mean(gold_polarity == pred_polarity)),
        "polarity_macro_f1": polarity_macro_f1(gold_polarity, pred_polarity),
        "theme_micro_f1": theme_micro_f1(gold_themes, pred_themes),
        "theme_macro_f1": theme_macro_f1(gold_themes, pred_themes),
        "main_theme_hit": float(np.mean(pred_themes[np.arange(len(main_theme)), main_theme] > 0)),
    }


def per_class(gold, pred, names: list[str], multilabel: bool) -> dict[str, ClassFigures]:
    from sklearn.metrics import precision_recall_fscore_support

    labels = None if multilabel else np.arange(len(names))
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    return {name: ClassFigures(float(p[i]), float(r[i]), float(f[i]), int(s[i]))
            for i, name in enumerate(names)}


def polarity_confusion(gold, pred, n_classes: int) -> list[list[int]]:
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(gold, pred, labels=np.arange(n_classes)).tolist()


def bootstrap_intervals(figures: Callable[[np.ndarray], np.ndarray], n: int, *, samples: int, level: float,
                        seed: int) -> list[tuple[float, float]]:
    """Percentile intervals of the values `figures(index)` returns, from scipy's paired bootstrap: each
    resample draws `n` sentence indices with replacement, and one index picks a sentence's every array
    (gold labels, one model's predictions, another's), so what they share moves together."""
    from scipy.stats import bootstrap

    if n < 2:  # one sentence resamples to itself: nothing varies
        return [(float(v), float(v)) for v in figures(np.arange(n))]
    result = bootstrap((np.arange(n),), figures, n_resamples=samples, paired=True, vectorized=False,
                       confidence_level=level, method="percentile", rng=np.random.default_rng(seed))
    interval = result.confidence_interval
    return [(float(low), float(high)) for low, high in zip(interval.low, interval.high, strict=True)]


def bootstrap_ci(gold_polarity, pred_polarity, gold_themes, pred_themes, main_theme, *, samples: int,
                 level: float, seed: int) -> dict[str, tuple[float, float]]:
    """Percentile confidence intervals of the headline figures, resampling sentences with replacement."""
    arrays = (gold_polarity, pred_polarity, gold_themes, pred_themes, main_theme)

    def figures(index: np.ndarray) -> np.ndarray:
        scores = headline(*(a[index] for a in arrays))
        return np.array([scores[key] for key in HEADLINE])

    intervals = bootstrap_intervals(figures, len(gold_polarity), samples=samples, level=level, seed=seed)
    return dict(zip(HEADLINE, intervals, strict=True))


# ---- calibration: how far to trust a score --------------------------------------------------------------


def reliability(confidence: np.ndarray, correct: np.ndarray, bins: int, right: bool = True) -> dict:
    """Scores against outcomes in `bins` equal-width bins: per filled bin the mean score and the share that
    came true, how many scores fall in each bin, and the expected calibration error (the gap between mean
    score and share, weighted by the bin's share of scores). A score on a bin edge goes to the lower bin,
    or with `right=False` to the upper one."""
    confidence, correct = np.asarray(confidence), np.asarray(correct)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1], right=right), 0, bins - 1)
    filled = [index == b for b in range(bins) if (index == b).any()]
    mean = [confidence[in_bin].mean() for in_bin in filled]
    rate = [correct[in_bin].mean() for in_bin in filled]
    ece = sum(abs(m - r) * in_bin.mean() for m, r, in_bin in zip(mean, rate, filled, strict=True))
    return {"bin_edges": edges.tolist(), "counts": np.bincount(index, minlength=bins).tolist(),
            "mean_probability": [float(m) for m in mean], "gold_rate": [float(r) for r in rate],
            "ece": float(ece), "n": int(len(confidence))}


def expected_calibration_error(probs: np.ndarray, gold: np.ndarray, bins: int) -> float:
    """Top-label ECE: the gap between the top score and being right, averaged over equal-width bins."""
    return reliability(probs.max(axis=1), probs.argmax(axis=1) == gold, bins)["ece"]
