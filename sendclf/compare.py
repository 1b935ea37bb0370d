"""Compare trained models from their `metrics.json` alone, so any model kind takes part the same way.

Headline figures and per-theme F1 are read as trained. Differences between two models come from a paired
bootstrap: the same resampled sentences score both models' out-of-fold predictions, so the shared
difficulty of a sample cancels out and the interval is much narrower than comparing two separate CIs.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np

from sendclf import choice, tables
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
    plain,
)
from sendclf.tables import Table
from sendclf.targets import Targets

FORMATS = ("table", "markdown", "json")
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


# --- rendering: the tables of `sendclf.tables`, as markdown, rich tables or HTML ----------------------------


def ci_label(comparison: Comparison) -> str:
    return f"{comparison.evaluation.confidence:.0%} CI"


def _columns(comparison: Comparison) -> list[tuple[str, dict]]:
    return [(row.name, row.headline) for row in [*comparison.models, comparison.reference]]


def headline_table(comparison: Comparison) -> Table:
    """One row per model and one for the majority class; one column per headline metric."""
    return tables.headline_table(_columns(comparison)).transposed("model")


def dev_table(comparison: Comparison, hard: bool = False) -> Table | None:
    """The headline figures on the written dev set (or the hard one): the signals beside the seed CV."""
    rows = [(row.name, row.hard_dev if hard else row.dev) for row in comparison.models]
    rows = [(name, figures) for name, figures in rows if figures]
    return tables.headline_table(rows).transposed("model") if rows else None


def dev_size(comparison: Comparison, hard: bool = False) -> int:
    return max(((row.n_hard_dev if hard else row.n_dev) or 0) for row in comparison.models)


HARD_DEV_NOTE = ("Written apart in the register of real coverage (long sentences, quotes inside reporting, "
                 "figures over time, list fragments, forum posts); never trained or tuned on.")


DIFFERENCE_DIGITS = 3  # a paired difference and its interval's bounds are printed to this many decimals


def signed(value: float, digits: int = DIFFERENCE_DIGITS) -> str:
    """`value` with its sign, as printed; one that rounds to zero is printed unsigned ("0.000")."""
    text = f"{value:+.{digits}f}"
    return f"{0:.{digits}f}" if float(text) == 0 else text


def printed_interval(ci: list[float] | tuple[float, float], digits: int = DIFFERENCE_DIGITS
                     ) -> tuple[str, bool]:
    """The interval as printed, and whether it excludes 0 AS PRINTED: judged on the rounded bounds, so a
    reader never sees "excludes 0: yes" beside a bound that reads 0.000 (or "no" beside two of one sign)."""
    low, high = signed(ci[0], digits), signed(ci[1], digits)
    return f"[{low}, {high}]", float(low) > 0 or float(high) < 0


def pair_table(comparison: Comparison, diff: Difference) -> Table:
    """One pair's paired-bootstrap difference per headline metric; the rows whose CI excludes 0 marked.
    Whether it does is read off the interval as printed (`printed_interval`)."""
    rows, marked = [], []
    for key in comparison.metrics:
        figure = diff.metrics[key]
        interval, excludes = printed_interval(figure.ci)
        rows.append((tables.HEADLINE_NAMES[key], signed(figure.value), interval, "yes" if excludes else "no"))
        marked.append(excludes)
    return Table(["metric", "difference", ci_label(comparison), "CI excludes 0"], rows,
                 f"{diff.b} − {diff.a}: paired bootstrap over the same {diff.n_sentences} sentences", marked)


def difference_table(comparison: Comparison, differences: list[Difference] | None = None) -> Table:
    """Every pair's `pair_table` in one table, the difference and its CI in one cell."""
    rows, marked = [], []
    for diff in comparison.differences if differences is None else differences:
        pair = pair_table(comparison, diff)
        label = f"{diff.b} − {diff.a} (n={diff.n_sentences})"
        rows += [(label, metric, f"{value} {ci}", excludes) for metric, value, ci, excludes in pair.rows]
        marked += pair.marked
    return Table(["comparison", "metric", f"difference [{ci_label(comparison)}]", "CI excludes 0"], rows,
                 marked=marked)


def theme_table(comparison: Comparison) -> Table:
    names = list(comparison.theme_f1)
    rows = []
    for theme, support in comparison.theme_support.items():
        cells = [comparison.theme_f1[n][theme] for n in names]
        rows.append((theme, str(support), *("–" if f is None else f"{f:.2f}" for f in cells)))
    return Table(["theme", "support", *names], rows, "Per-theme F1")


def difference_note(comparison: Comparison) -> str:
    samples = comparison.evaluation.bootstrap_samples
    if not comparison.differences:
        return ("No paired differences: they need two models (or a reference) with out-of-fold "
                "predictions in their metrics.json.")
    return (f"Paired bootstrap over sentences ({samples} resamples): each resample scores both models on "
            f"the same sentences; a difference is later model minus earlier. Intervals are not corrected "
            f"for multiple comparisons.")


def to_markdown(comparison: Comparison) -> str:
    ci = ci_label(comparison)
    sections = [
        "# Model comparison",
        f"Leave-one-area-out cross-validation; {ci} from a bootstrap over sentences.",
        f"## Headline metrics ({ci})",
        tables.to_markdown(headline_table(comparison)),
        "## Paired differences",
        difference_note(comparison),
    ]
    if comparison.differences:
        sections.append(tables.to_markdown(difference_table(comparison)))
    dev = dev_table(comparison)
    if dev is not None:
        sections += [f"## The written dev set ({dev_size(comparison)} sentences, {ci})",
                     "Written apart from every training batch, by another writer and brief; never trained or "
                     "tuned on. Each model's final fit, calibrated.",
                     tables.to_markdown(dev)]
        if comparison.dev_differences:
            sections += ["Paired differences on the dev set:",
                         tables.to_markdown(difference_table(comparison, comparison.dev_differences))]
    hard = dev_table(comparison, hard=True)
    if hard is not None:
        sections += [f"## The hard dev set ({dev_size(comparison, hard=True)} sentences, {ci})",
                     HARD_DEV_NOTE, tables.to_markdown(hard)]
        if comparison.hard_dev_differences:
            sections += ["Paired differences on the hard dev set:",
                         tables.to_markdown(difference_table(comparison, comparison.hard_dev_differences))]
    sections += ["## Per-theme F1 (seed CV)", tables.to_markdown(theme_table(comparison))]
    if comparison.warnings:
        sections += ["## Warnings", "\n".join(f"- {w}" for w in comparison.warnings)]
    return "\n\n".join(sections) + "\n"


def to_json(comparison: Comparison) -> str:
    return json.dumps(plain(comparison), indent=1, ensure_ascii=False) + "\n"


def terminal_tables(comparison: Comparison) -> list[tuple[Table, Collection[int]]]:
    """(table, the columns that never wrap) for the terminal: metrics as rows and a CI under its value, so
    three models fit in 80 characters (markdown and HTML have room for a row per model)."""
    columns = _columns(comparison)
    title = f"Headline metrics [{ci_label(comparison)}], leave-one-area-out CV"
    headline = tables.headline_table(columns, between="\n", title=title)
    result = [(headline, range(len(columns) + 1))]
    result += [(pair_table(comparison, diff), (0, 2)) for diff in comparison.differences]
    rows = [(row.name, row.dev) for row in comparison.models if row.dev]
    if rows:
        title = f"Written dev set, {dev_size(comparison)} sentences [{ci_label(comparison)}]"
        result.append((tables.headline_table(rows, between="\n", title=title), range(len(rows) + 1)))
        result += [(pair_table(comparison, diff), (0, 2)) for diff in comparison.dev_differences]
    rows = [(row.name, row.hard_dev) for row in comparison.models if row.hard_dev]
    if rows:
        title = f"Hard dev set, {dev_size(comparison, hard=True)} sentences [{ci_label(comparison)}]"
        result.append((tables.headline_table(rows, between="\n", title=title), range(len(rows) + 1)))
        result += [(pair_table(comparison, diff), (0, 2)) for diff in comparison.hard_dev_differences]
    return result + [(theme_table(comparison), (0,))]


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise SendclfError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    return fmt
