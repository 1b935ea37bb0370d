"""Compare trained models from their `metrics.json` alone, so any model kind takes part the same way.

Headline figures and per-theme F1 are read as trained. Differences between two models come from a paired
bootstrap: the same resampled sentences score both models' out-of-fold predictions, so the shared
difficulty of a sample cancels out and the interval is much narrower than comparing two separate CIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np

from sendclf import choice
from sendclf.config import load_config
from sendclf.errors import SendclfError
from sendclf.evaluate import EvalConfig, Predictions, headline_of
from sendclf.metrics import HEADLINE, Figure, Scores, bootstrap_intervals
from sendclf.paths import CONFIGS
from sendclf.results import (
    METRICS_FILE,
    DevSet,
    OutOfFoldRecord,
    Seconds,
    TrainingResults,
    from_records,
)
from sendclf.targets import Targets

REFERENCE_NAME = "majority class"
EVAL_CONFIG = CONFIGS / "evaluate.yaml"


def load_eval_config(path: Path = EVAL_CONFIG) -> EvalConfig:
    return load_config(EvalConfig, path)


def label_ids(scores: Scores) -> tuple[list[str], list[str]]:
    """(polarity ids, theme ids) in the order the model's scores use, read from the scores themselves."""
    return list(scores.confusion.labels), list(scores.themes)


@dataclass
class ModelRow:
    name: str
    kind: str
    n_sentences: int
    headline: dict[str, Figure]
    seconds: Seconds
    dev: dict[str, Figure] | None = None  # on the written dev set, where the model was scored on one
    n_dev: int | None = None
    hard_dev: dict[str, Figure] | None = None  # on the hard dev set (the register of real coverage)
    n_hard_dev: int | None = None


@dataclass
class ReferenceRow:
    name: str
    headline: dict[str, Figure]


@dataclass
class PairedFigure:
    """`b - a` for one headline metric, and its paired-bootstrap interval."""

    value: float
    ci: list[float]
    excludes_zero: bool


@dataclass
class Difference:
    a: str
    b: str
    n_sentences: int
    metrics: dict[str, PairedFigure]


@dataclass
class Comparison:
    """What `compare` found; `to_json` writes it field by field, the renderers read its attributes."""

    models: list[ModelRow]
    reference: ReferenceRow
    metrics: list[str]
    evaluation: EvalConfig
    differences: list[Difference]
    theme_support: dict[str, int]
    theme_f1: dict[str, dict[str, float | None]]  # model name -> theme -> F1, None where no gold sentence
    warnings: list[str]
    dev_differences: list[Difference] = field(default_factory=list)  # paired, on the written dev set
    hard_dev_differences: list[Difference] = field(default_factory=list)  # paired, on the hard dev set


def paired_bootstrap(gold: Targets, a: Predictions, b: Predictions, *, samples: int, level: float,
                     seed: int) -> dict[str, PairedFigure]:
    """Each headline figure of `b` minus `a`, with a percentile CI from resampling sentences jointly."""
    def differences(index: np.ndarray) -> np.ndarray:
        score_a, score_b = headline_of(gold, a, index), headline_of(gold, b, index)
        return np.array([score_b[key] - score_a[key] for key in HEADLINE])

    point = differences(np.arange(len(gold.polarity)))
    intervals = bootstrap_intervals(differences, len(gold.polarity), samples=samples, level=level, seed=seed)
    return {key: PairedFigure(float(value), [low, high], bool(low > 0 or high < 0))
            for key, value, (low, high) in zip(HEADLINE, point, intervals, strict=True)}


@dataclass
class _Entry:
    name: str
    scores: Scores  # a model's, or its reference's
    records: list[OutOfFoldRecord] | None


def _difference(a: _Entry, b: _Entry, config: EvalConfig, warnings: list[str]) -> Difference | None:
    """The paired bootstrap of one pair on the sentences both were scored on with the same gold labels."""
    if a.records is None or b.records is None:
        return None
    ids_a = label_ids(a.scores)
    if ids_a != label_ids(b.scores):
        warnings.append(f"{a.name} and {b.name} use different label sets: not compared")
        return None
    by_id = {r.id: r for r in b.records}
    pairs = [(r, by_id[r.id]) for r in a.records if r.id in by_id]
    same = [(ra, rb) for ra, rb in pairs if ra.gold() == rb.gold()]
    dropped = len(a.records) + len(b.records) - 2 * len(same)
    if dropped:
        warnings.append(f"{a.name} vs {b.name}: {len(same)} shared sentences with the same gold labels; "
                        f"{dropped} others left out (retrain both on the same seeds for a fair comparison)")
    if not same:
        return None
    gold, pred_a = from_records([ra for ra, _ in same], *ids_a)
    _, pred_b = from_records([rb for _, rb in same], *ids_a)
    return Difference(a.name, b.name, len(same),
                      paired_bootstrap(gold, pred_a, pred_b, samples=config.bootstrap_samples,
                                       level=config.confidence, seed=config.seed))


def _theme_f1(scores: Scores, theme: str) -> float | None:
    """None where the theme has no gold sentence: its F1 is undefined, not 0."""
    figure = scores.themes.get(theme)
    return figure.f1 if figure and figure.support else None


def compare(models: dict[str, TrainingResults], config: EvalConfig) -> Comparison:
    """Name -> training results in; headline (as `Figure`s), paired differences and per-theme F1 out."""
    if not models:
        raise SendclfError("nothing to compare: no trained models given")
    warnings: list[str] = []
    first = next(iter(models.values()))
    reference = first.reference
    for name, results in models.items():
        if results.reference.scores.headline != reference.scores.headline:
            warnings.append(f"{name}: its {REFERENCE_NAME} row differs from {next(iter(models))}'s "
                            f"(trained on other data?); the table shows {next(iter(models))}'s")
        if results.evaluation.confidence != config.confidence:
            warnings.append(f"{name}: trained with {results.evaluation.confidence:.0%} CIs, "
                            f"not {config.confidence:.0%}")
        if results.out_of_fold is None:
            warnings.append(f"{name}: no out_of_fold predictions in its {METRICS_FILE}: retrain it to "
                            f"compare it pairwise")

    for name, reasons in choice.warnings(models).items():
        warnings.append(f"{name}: do not rely on it: {'; '.join(reasons)}")

    entries = [_Entry(name, m.scores, m.out_of_fold) for name, m in models.items()]
    if reference.out_of_fold is not None:  # first, so each difference reads "model - reference"
        entries.insert(0, _Entry(REFERENCE_NAME, reference.scores, reference.out_of_fold))
    differences = [d for a, b in combinations(entries, 2) if (d := _difference(a, b, config, warnings))]
    def paired(sets: dict[str, DevSet]) -> list[Difference]:
        entries = [_Entry(name, s.scores, s.predictions) for name, s in sets.items()]
        return [d for a, b in combinations(entries, 2) if (d := _difference(a, b, config, warnings))]

    dev_differences = paired({name: m.dev for name, m in models.items() if m.dev})
    hard_dev_differences = paired({name: m.hard_dev for name, m in models.items() if m.hard_dev})

    theme_ids = first.theme_ids
    support = {t: first.scores.themes[t].support for t in theme_ids}
    sources = {**{name: m.scores for name, m in models.items()}, REFERENCE_NAME: reference.scores}
    theme_f1 = {name: {t: _theme_f1(scores, t) for t in theme_ids} for name, scores in sources.items()}
    return Comparison(
        models=[ModelRow(name, m.kind, m.n_sentences, m.scores.headline, m.seconds,
                         m.dev.scores.headline if m.dev else None, m.dev.n_sentences if m.dev else None,
                         m.hard_dev.scores.headline if m.hard_dev else None,
                         m.hard_dev.n_sentences if m.hard_dev else None)
                for name, m in models.items()],
        reference=ReferenceRow(REFERENCE_NAME, reference.scores.headline),
        metrics=list(HEADLINE),
        evaluation=config,
        differences=differences,
        theme_support=support,
        theme_f1=theme_f1,
        warnings=warnings,
        dev_differences=dev_differences,
        hard_dev_differences=hard_dev_differences,
    )
