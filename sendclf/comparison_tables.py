"""A comparison of trained models (`compare.Comparison`) as tables: for the terminal, as markdown and as
JSON (`sendclf compare --format`); the report lays the same tables out in its HTML page."""

from __future__ import annotations

import json
from collections.abc import Collection

from sendclf import tables
from sendclf.compare import Comparison, Difference
from sendclf.errors import SendclfError
from sendclf.results import plain
from sendclf.tables import Table

FORMATS = ("table", "markdown", "json")


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
