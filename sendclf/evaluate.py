"""The evaluation protocol every model goes through: cross-validation that holds out one local area.

Each area's seed sentences are scored by a model that never saw that area (the two Middlesbrough articles
cover one inspection, so they leave together), and anything tuned (the theme threshold) is tuned by a
second, inner leave-one-area-out split of the training areas only. The written corpus is training data
only: every fit, inner or outer, trains on it whole, and nothing scores it. The pooled out-of-fold
predictions of all seed sentences are scored once, with bootstrap confidence intervals. A majority-class
reference goes through exactly the same protocol, so its row is comparable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from tqdm.auto import tqdm

from sendclf.labels import LabelSet
from sendclf.metrics import (
    HEADLINE,
    Confusion,
    Figure,
    Scores,
    bootstrap_ci,
    expected_calibration_error,
    headline,
    per_class,
    polarity_confusion,
)
from sendclf.models.base import Classifier, with_temperature
from sendclf.targets import Targets
from sendclf.thresholds import best_threshold


@dataclass
class EvalConfig:
    """configs/evaluate.yaml names only the settings that differ from these."""

    bootstrap_samples: int = 1000  # resamples of sentences for the confidence intervals
    confidence: float = 0.95
    seed: int = 0
    written_corpus: bool = True  # train every model on seeds/written/ too (training data only, never scored)
    tune_threshold: bool = True  # theme threshold from the grid by inner leave-one-area-out CV
    threshold_grid: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    # What the threshold maximises (macro-F1 rests on themes with 1-6 gold sentences: `thresholds.py`).
    threshold_criterion: Literal["theme_micro_f1", "theme_macro_f1"] = "theme_micro_f1"
    calibrate: bool = True  # polarity temperature fitted on out-of-fold predictions (cross-fitted in CV)
    ece_bins: int = 10  # bins of the expected calibration error


@dataclass
class Predictions:
    """A model's probabilities and decisions for scored sentences: in cross-validation each seed sentence's
    come from a model trained without its area (out-of-fold); on a dev set, from the final model."""

    polarity_probs: np.ndarray
    theme_probs: np.ndarray
    themes: np.ndarray  # bool, the model's theme decisions
    calibrated_polarity_probs: np.ndarray | None = None  # cross-fitted temperature (see `calibration`)
    # The polarity decisions as recorded, when read back from metrics.json: its rounded scores may tie.
    recorded_polarity: np.ndarray | None = None

    @property
    def polarity(self) -> np.ndarray:
        if self.recorded_polarity is not None:
            return self.recorded_polarity
        return self.polarity_probs.argmax(axis=1)



def headline_of(data: Targets, oof: Predictions, index: np.ndarray | None = None) -> dict[str, float]:
    """The headline figures of out-of-fold predictions against the gold labels of `data`, on the
    sentences `index` picks (a bootstrap resample), or on all of them."""
    i = slice(None) if index is None else index
    return headline(data.polarity[i], oof.polarity[i], data.themes[i], oof.themes[i].astype(np.float32),
                    data.main_theme[i])


def area_folds(data: Targets):
    """(train, held-out) boolean masks, one pair per area, via scikit-learn's LeaveOneGroupOut."""
    from sklearn.model_selection import LeaveOneGroupOut

    n = len(data.texts)
    for train_index, test_index in LeaveOneGroupOut().split(np.zeros(n), groups=data.groups):
        train, test = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        train[train_index], test[test_index] = True, True
        yield train, test


def out_of_fold_probs(make_model: Callable[[], Classifier], data: Targets, written: Targets | None, *,
                      desc: str | None = None, quiet: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Polarity and theme probabilities of every sentence of `data` from models fitted without its area."""
    polarity = theme = None
    folds = list(area_folds(data))
    for train, held_out in tqdm(folds, desc=desc, unit="area", disable=quiet or desc is None, leave=False):
        model = make_model()
        model.show_progress = not quiet
        fold = data.subset(train)
        model.fit(fold + written if written is not None else fold)
        p, t = model.predict_proba(data.subset(held_out).texts)
        if polarity is None:
            polarity, theme = np.zeros((len(data.texts), p.shape[1])), np.zeros((len(data.texts), t.shape[1]))
        polarity[held_out], theme[held_out] = p, t
    return polarity, theme


def fit_model(make_model: Callable[[], Classifier], data: Targets, written: Targets | None,
              config: EvalConfig, *, quiet: bool = True, tuning_probs: np.ndarray | None = None
              ) -> Classifier:
    """Fit on `data` (+ the `written` corpus), the theme threshold tuned on out-of-fold predictions of
    `data` alone.

    `tuning_probs` passes out-of-fold theme probabilities already made by this very protocol (the final
    model reuses the outer CV's), so they are not computed twice.
    """
    model = make_model()
    model.show_progress = not quiet
    if config.tune_threshold and len(set(data.groups)) > 1:
        if tuning_probs is None:  # (not quiet: the first inner fit may run the long shared stage)
            tuning_probs = out_of_fold_probs(make_model, data, written, quiet=quiet)[1]
        model.thresholds[:] = best_threshold(data.themes, tuning_probs, config.threshold_grid,
                                             model.labels.no_theme_index, config.threshold_criterion)
    model.fit(data + written if written is not None else data)
    return model


def cross_validate(make_model: Callable[[], Classifier], data: Targets, written: Targets | None,
                   config: EvalConfig, *, desc: str = "cv", quiet: bool = False) -> Predictions:
    folds = list(area_folds(data))
    oof = None
    for train, held_out in tqdm(folds, desc=desc, unit="area", disable=quiet, leave=False):
        model = fit_model(make_model, data.subset(train), written, config, quiet=quiet)
        polarity_probs, theme_probs = model.predict_proba(data.subset(held_out).texts)
        if oof is None:
            oof = Predictions(np.zeros((len(data.texts), polarity_probs.shape[1])),
                            np.zeros_like(data.themes, dtype=np.float64), np.zeros(data.themes.shape, bool))
        oof.polarity_probs[held_out] = polarity_probs
        oof.theme_probs[held_out] = theme_probs
        oof.themes[held_out] = model.decide(theme_probs)
    return oof


# ---- calibration: one temperature on the polarity scores ------------------------------------------------

TEMPERATURE_BOUNDS = (0.05, 20.0)


def fit_temperature(probs: np.ndarray, gold: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of the gold polarities."""
    from scipy.optimize import minimize_scalar

    rows = np.arange(len(gold))

    def nll(log_t: float) -> float:
        return -np.log(np.clip(with_temperature(probs, np.exp(log_t))[rows, gold], 1e-12, 1.0)).mean()

    low, high = np.log(TEMPERATURE_BOUNDS)
    return float(np.exp(minimize_scalar(nll, bounds=(low, high), method="bounded").x))


def cross_fitted(probs: np.ndarray, gold: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each area's scores calibrated by a temperature fitted on the other areas only, so the calibrated
    out-of-fold figures stay honest."""
    out = np.zeros_like(probs)
    for area in dict.fromkeys(groups):
        held_out = groups == area
        out[held_out] = with_temperature(probs[held_out], fit_temperature(probs[~held_out], gold[~held_out]))
    return out


@dataclass
class Calibration:
    """How far to trust the polarity scores: out-of-fold, before and after (cross-fitted) scaling."""

    bins: int
    accuracy: float
    temperature: float  # fitted on all out-of-fold predictions: the final model's
    ece_before: float
    mean_confidence_before: float
    ece_after: float
    mean_confidence_after: float


def calibration(data: Targets, oof: Predictions, config: EvalConfig) -> Calibration:
    """ECE and mean confidence before and after (cross-fitted) temperature scaling; the final temperature."""
    gold = data.polarity
    after = cross_fitted(oof.polarity_probs, gold, data.groups)
    oof.calibrated_polarity_probs = after
    return Calibration(
        bins=config.ece_bins, accuracy=float((oof.polarity == gold).mean()),
        temperature=fit_temperature(oof.polarity_probs, gold),
        ece_before=expected_calibration_error(oof.polarity_probs, gold, config.ece_bins),
        mean_confidence_before=float(oof.polarity_probs.max(axis=1).mean()),
        ece_after=expected_calibration_error(after, gold, config.ece_bins),
        mean_confidence_after=float(after.max(axis=1).mean()))


def score(data: Targets, oof: Predictions, labels: LabelSet, config: EvalConfig) -> Scores:
    """Headline figures with CIs, per-class figures and the polarity confusion matrix."""
    args = (data.polarity, oof.polarity, data.themes, oof.themes.astype(np.float32), data.main_theme)
    values = headline_of(data, oof)
    cis = bootstrap_ci(*args, samples=config.bootstrap_samples, level=config.confidence, seed=config.seed)
    return Scores(
        headline={key: Figure(values[key], cis[key]) for key in HEADLINE},
        polarity=per_class(data.polarity, oof.polarity, labels.polarity_ids, multilabel=False),
        themes=per_class(data.themes, oof.themes.astype(np.float32), labels.theme_ids, multilabel=True),
        confusion=Confusion(labels.polarity_ids,
                            polarity_confusion(data.polarity, oof.polarity, len(labels.polarities))))
