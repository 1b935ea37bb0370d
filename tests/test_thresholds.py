"""The theme threshold, chosen on out-of-fold predictions."""

import numpy as np

from sendclf.thresholds import best_threshold

GRID = (0.2, 0.5, 0.8)
NO_THEME = 2  # theme 2 plays `other`


def test_the_threshold_with_the_best_theme_f1_wins_ties_to_the_first():
    gold = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=float)
    probs = np.array([[0.9, 0.1, 0.0], [0.1, 0.9, 0.0], [0.9, 0.6, 0.0], [0.1, 0.1, 0.9]])
    assert best_threshold(gold, probs, GRID, NO_THEME) == 0.2  # 0.2 and 0.5 both perfect: the first
    probs[1, 0] = 0.3  # now 0.2 wrongly adds theme 0 to row 1
    assert best_threshold(gold, probs, GRID, NO_THEME) == 0.5



def test_micro_f1_weighs_every_gold_theme_where_macro_f1_weighs_every_theme():
    """One sentence of a rare theme (column 1) decides macro-F1's choice; micro-F1 follows the 4 others."""
    gold = np.array([[1, 0, 0], [1, 0, 0], [1, 0, 0], [1, 0, 0], [1, 1, 0]], dtype=float)
    probs = np.array([[0.9, 0.6, 0.0], [0.9, 0.6, 0.0], [0.9, 0.6, 0.0], [0.9, 0.6, 0.0], [0.9, 0.6, 0.0]])
    assert best_threshold(gold, probs, GRID, NO_THEME, "theme_macro_f1") == 0.2  # finds the rare theme
    assert best_threshold(gold, probs, GRID, NO_THEME, "theme_micro_f1") == 0.8  # not at 4 false alarms
