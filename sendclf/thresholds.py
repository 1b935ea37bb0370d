"""Choosing the theme threshold on training data only.

The threshold is picked from out-of-fold theme probabilities of the training areas, so the area scored by
the outer protocol never influences it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sendclf.metrics import theme_macro_f1, theme_micro_f1
from sendclf.models.base import decide_themes

# What the threshold maximises. Micro-F1 counts every gold theme of every sentence once; macro-F1 weighs a
# theme with one gold sentence (ehc_plans in the seeds) like one with 30, so on 120 sentences it picked
# thresholds by the luck of a few sentences (0.3 one run, 0.6 the next).
CRITERIA = {"theme_micro_f1": theme_micro_f1, "theme_macro_f1": theme_macro_f1}


def best_threshold(gold_themes: np.ndarray, theme_probs: np.ndarray, grid: Sequence[float],
                   no_theme: int, criterion: str = "theme_micro_f1") -> float:
    """The single threshold from `grid` with the best `criterion` over themes (ties: the first)."""
    metric = CRITERIA[criterion]
    scores = [metric(gold_themes, decide_themes(theme_probs, np.full(theme_probs.shape[1], t), no_theme))
              for t in grid]
    return float(grid[int(np.argmax(scores))])
