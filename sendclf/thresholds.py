"""Choosing the theme threshold on training data only, by grouped inner cross-validation.

The threshold is picked from the out-of-fold theme probabilities of the training articles, so the
article scored by the outer protocol never influences it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from sendclf.metrics import theme_macro_f1
from sendclf.models.base import Classifier, Targets, decide_themes


def inner_theme_probs(make_model: Callable[[], Classifier], data: Targets) -> np.ndarray:
    """Out-of-fold theme probabilities, holding out one training article at a time."""
    probs = np.zeros_like(data.themes, dtype=np.float64)
    for group in np.unique(data.groups):
        held_out = data.groups == group
        model = make_model().fit(data.subset(~held_out))
        probs[held_out] = model.predict_proba(data.subset(held_out).texts)[1]
    return probs


def tune_threshold(make_model: Callable[[], Classifier], data: Targets, grid: Sequence[float]) -> float:
    """The single threshold from `grid` with the best inner macro-F1 over themes (ties: the first)."""
    if len(np.unique(data.groups)) < 2:
        return float(grid[len(grid) // 2])
    probs = inner_theme_probs(make_model, data)
    no_theme = make_model().labels.no_theme_index
    scores = [theme_macro_f1(data.themes, decide_themes(probs, np.full(probs.shape[1], t), no_theme))
              for t in grid]
    return float(grid[int(np.argmax(scores))])
