import numpy as np
import pytest

from sendclf.metrics import bootstrap_ci, headline, polarity_confusion, theme_macro_f1


def test_headline_against_hand_computed_values():
    gold_p = np.array([0, 0, 1, 2])
    pred_p = np.array([0, 1, 1, 2])
    gold_t = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 1]], dtype=float)
    pred_t = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
    main = np.array([0, 0, 1, 1])
    scores = headline(gold_p, pred_p, gold_t, pred_t, main)
    assert scores["polarity_accuracy"] == pytest.approx(0.75)
    # class F1: 0 -> 2/3, 1 -> 2/3, 2 -> 1
    assert scores["polarity_macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
    # micro: tp=3, fp=1, fn=2 -> 6/9
    assert scores["theme_micro_f1"] == pytest.approx(6 / 9)
    # per theme: t0 P1 R.5 -> 2/3; t1 P.5 R.5 -> .5; t2 -> 1
    assert scores["theme_macro_f1"] == pytest.approx((2 / 3 + 0.5 + 1) / 3)
    assert scores["main_theme_hit"] == pytest.approx(0.5)


def test_theme_macro_f1_ignores_themes_absent_from_gold():
    gold = np.array([[1, 0], [1, 0]], dtype=float)
    pred = np.array([[1, 1], [1, 0]], dtype=float)
    assert theme_macro_f1(gold, pred) == pytest.approx(1.0)


def test_confusion_matrix_keeps_unpredicted_classes():
    assert polarity_confusion(np.array([0, 2]), np.array([0, 0]), 3) == [[1, 0, 0], [0, 0, 0], [1, 0, 0]]


def test_bootstrap_ci_brackets_the_value_and_is_seeded():
    rng = np.random.default_rng(1)
    gold_p = rng.integers(0, 3, 60)
    pred_p = np.where(rng.random(60) < 0.7, gold_p, (gold_p + 1) % 3)
    gold_t = rng.integers(0, 2, (60, 4)).astype(float)
    gold_t[:, 0] = 1
    main = np.zeros(60, dtype=int)
    args = (gold_p, pred_p, gold_t, gold_t, main)
    ci = bootstrap_ci(*args, samples=200, level=0.95, seed=3)
    value = headline(*args)["polarity_accuracy"]
    assert ci["polarity_accuracy"][0] < value < ci["polarity_accuracy"][1]
    assert ci["theme_micro_f1"] == (1.0, 1.0)
    assert ci == bootstrap_ci(*args, samples=200, level=0.95, seed=3)
    other_seed = bootstrap_ci(*args, samples=200, level=0.95, seed=4)
    assert ci["polarity_accuracy"] != other_seed["polarity_accuracy"]


def test_numpy_f1_matches_sklearn():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(0)
    gold_p, pred_p = rng.integers(0, 3, 50), rng.integers(0, 3, 50)
    gold_t, pred_t = rng.integers(0, 2, (50, 5)), rng.integers(0, 2, (50, 5))
    scores = headline(gold_p, pred_p, gold_t, pred_t, np.zeros(50, dtype=int))
    assert scores["polarity_macro_f1"] == pytest.approx(f1_score(gold_p, pred_p, average="macro"))
    assert scores["theme_micro_f1"] == pytest.approx(f1_score(gold_t, pred_t, average="micro"))
    assert scores["theme_macro_f1"] == pytest.approx(f1_score(gold_t, pred_t, average="macro"))


def test_bootstrap_intervals_are_percentiles_of_sentence_resamples():
    """The same draws as resampling the n sentences with replacement by hand, seed for seed."""
    from sendclf.metrics import bootstrap_intervals

    values = np.random.default_rng(5).random(40)
    figures = lambda index: np.array([values[index].mean(), values[index].max()])  # noqa: E731
    intervals = bootstrap_intervals(figures, 40, samples=300, level=0.9, seed=2)
    rng = np.random.default_rng(2)
    draws = np.array([figures(rng.integers(0, 40, 40)) for _ in range(300)])
    expected = np.percentile(draws, [5, 95], axis=0).T
    assert np.allclose(intervals, expected, rtol=0, atol=1e-12)
    assert bootstrap_intervals(figures, 1, samples=300, level=0.9, seed=2) == [(values[0], values[0])] * 2
