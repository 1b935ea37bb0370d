"""Choosing the theme threshold on training data only.

The threshold is picked from out-of-fold theme probabilities of the training areas, so the area scored by
the outer protocol never influences it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sendclf.metrics import theme_macro_f1
from sendclf.models.base import decide_themes


def best_threshold(gold_themes: np.ndarray, theme_probs: np.ndarray, grid: Sequence[float],
                   no_theme: int) -> float:
    """The single threshold from `grid` with the best macro-F1 over themes (ties: the first)."""
    scores = [theme_macro_f1(gold_themes, decide_themes(theme_probs, np.full(theme_probs.shape[1], t),
                                                        no_theme))
              for t in grid]
    return float(grid[int(np.argmax(scores))])
