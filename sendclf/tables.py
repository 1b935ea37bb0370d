"""Every table of figures sendclf shows, built once as rows of text; rendered as markdown, HTML or rich.

The model card, `sendclf evaluate`, `sendclf compare` and the report all show the headline figures with
their intervals; `headline_table` builds that table, and each caller only picks its labels, its
orientation and the format it prints.
"""

from __future__ import annotations

import html
from collections.abc import Collection
from dataclasses import dataclass

from sendclf.metrics import HEADLINE, ClassFigures, Figure

HEADLINE_NAMES = {
    "polarity_accuracy": "polarity accuracy",
    "polarity_macro_f1": "polarity macro-F1",
    "theme_micro_f1": "theme micro-F1",
    "theme_macro_f1": "theme macro-F1",
    "main_theme_hit": "main-theme hit rate",
}


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[str, ...]]
    title: str = ""  # shown above the rich table only: markdown and HTML callers write their own headings
    marked: list[bool] | None = None  # rows to emphasise (bold)

    def transposed(self, corner: str) -> Table:
        """Rows become columns: the first cells of the rows are the new header, after `corner`."""
        return Table([corner, *(row[0] for row in self.rows)],
                     [(label, *(row[i] for row in self.rows)) for i, label in enumerate(self.header) if i],
                     self.title)


def with_ci(figure: Figure, between: str = " ") -> str:
    low, high = figure.ci
    return f"{figure.value:.3f}{between}[{low:.2f}, {high:.2f}]"


def headline_table(columns: list[tuple[str, dict[str, Figure]]], *, between: str = " ", title: str = ""
                   ) -> Table:
    """One row per headline metric, one column per (label, headline figures) of `columns`; `between`
    separates a value from its interval ("\\n" stacks them, for a narrow terminal)."""
    return Table(["metric", *(label for label, _ in columns)],
                 [(HEADLINE_NAMES[key], *(with_ci(figures[key], between) for _, figures in columns))
                  for key in HEADLINE], title)


def per_class_table(figures: dict[str, ClassFigures], label: str) -> Table:
    return Table([label, "precision", "recall", "F1", "support"],
                 [(name, f"{s.precision:.2f}", f"{s.recall:.2f}", f"{s.f1:.2f}", str(s.support))
                  for name, s in figures.items()])


# ---- renderers ------------------------------------------------------------------------------------------


def to_markdown(table: Table) -> str:
    lines = ["| " + " | ".join(table.header) + " |", "|" + "---|" * len(table.header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in table.rows])


def to_html(table: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.header)
    body = []
    for i, row in enumerate(table.rows):
        css = ' class="significant"' if table.marked and table.marked[i] else ""
        body.append(f"<tr{css}>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class Unabridged:
    """A rich renderable that, printed anywhere but a terminal (a file, a pipe), is drawn at its natural
    width: a table too wide for the 80 (or 120) columns a console assumes off a terminal is never cut to
    `…`. The console is widened to match, or it would crop the long lines itself; a file has no edge. On a
    terminal the table fits the screen as usual."""

    def __init__(self, renderable):
        self.renderable = renderable

    def __rich_console__(self, console, options):
        if not console.is_terminal:
            from rich.measure import Measurement

            needed = Measurement.get(console, options.update_width(UNLIMITED_WIDTH), self.renderable).maximum
            if needed > options.max_width:
                console.width = max(console.width, needed)
                options = options.update_width(needed)
        yield from console.render(self.renderable, options)

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement.get(console, options, self.renderable)


UNLIMITED_WIDTH = 10_000  # characters: wide enough to measure any table's natural width


def to_rich(table: Table, no_wrap: Collection[int] = (0,)) -> Unabridged:
    """A rich table: the first column left-aligned, figures right-aligned; the columns in `no_wrap` never
    wrap. Every text is shown as written (never read as rich markup). Printed to a file or a pipe, no cell
    or header is cut short (`Unabridged`)."""
    from rich.markup import escape
    from rich.table import Table as RichTable

    rich = RichTable(title=escape(table.title) if table.title else None)
    for i, name in enumerate(table.header):
        rich.add_column(escape(name), justify="right" if i else "left", no_wrap=i in no_wrap)
    for i, row in enumerate(table.rows):
        rich.add_row(*(escape(str(c)) for c in row),
                     style="bold" if table.marked and table.marked[i] else None)
    return Unabridged(rich)
