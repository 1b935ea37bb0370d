"""The output formats of `sendclf classify`: pure functions from a labelled `Run` to a string (or bytes).

Nothing here reads files or the terminal: the CLI decides width, colour and where the string goes, so
every format is testable as a plain string and `--output` can write it atomically.
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

from sendclf.errors import SendclfError
from sendclf.labelled import (
    FINDINGS,
    SHARE_DIGITS,
    UNSURE_BELOW,
    LabelledDocument,
    Overview,
    Row,
    Run,
    Summary,
)
from sendclf.sentences import Sentence
from sendclf.style import stylesheet
from sendclf.tables import UNLIMITED_WIDTH, Unabridged

FORMATS = ("table", "jsonl", "csv", "json", "html", "parquet")
BINARY_FORMATS = ("parquet",)  # written to a file only (--output), never to a terminal or a pipe
DEFAULT_FORMAT = "table"
EVIDENCE_FORMATS = ("jsonl", "json", "html")  # formats that show evidence unless told not to
DEFAULT_WIDTH = 120  # table width when not printing to a terminal (files, pipes)
SCORE_DIGITS = 2  # shown in the table and the HTML page; the data formats keep the model's rounding
UNSURE_MARK = "? unsure"  # after the polarity in the terminal table: its top score is under UNSURE_BELOW
THEME_SEPARATOR = ";"  # between themes in a CSV cell

# Terminal styles and HTML colours (background, accent) per polarity id; unknown ids get the neutral look.
TERMINAL_STYLE = {"weakness": "bold red", "strength": "bold green", "neutral": "dim"}
HTML_COLOURS = {"weakness": ("#fde4e2", "#c0392b"), "strength": ("#e2f3e4", "#2e7d32"),
                "neutral": ("#f2f2f2", "#8a8a8a")}
NEUTRAL_LOOK = ("#f2f2f2", "#8a8a8a")
BAR_MAX_PX = 48  # the longest bar in the HTML summary
HEAT_MAX_ALPHA = 0.85  # the overview cell with the largest share; the others in proportion
DARK_INK_ABOVE = 0.45  # a cell this dark is written in white


def resolve_format(fmt: str | None, output: Path | None = None) -> str:
    """The format asked for; else the one the output file's suffix names (.jsonl, .csv, ...); else table."""
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        suffix = "html" if suffix == "htm" else suffix
        return suffix if suffix in FORMATS and suffix != DEFAULT_FORMAT else DEFAULT_FORMAT
    if fmt.lower() not in FORMATS:
        raise SendclfError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    return fmt.lower()


SUMMARY_FORMATS = ("table", "csv", "json")  # formats that can show the overview alone (--summary)


def output_format(fmt: str | None, output: Path | None, summary: bool) -> str:
    """The format to write (`resolve_format`), once it is known to suit the output and `--summary`."""
    fmt = resolve_format(fmt, output)
    if fmt in BINARY_FORMATS and output is None:
        raise SendclfError(f"--format {fmt} writes a binary file: name it with --output, e.g. "
                           f"-o results.{fmt}")
    if summary and fmt not in SUMMARY_FORMATS:
        raise SendclfError(f"--summary works with --format {', '.join(SUMMARY_FORMATS)}, not {fmt}")
    return fmt


def shows_evidence(fmt: str, summary: bool, asked: bool | None = None) -> bool:
    """Whether to find each sentence's evidence: as asked, else for the formats that show it."""
    return (fmt in EVIDENCE_FORMATS and not summary) if asked is None else asked


def render(run: Run, fmt: str, width: int = DEFAULT_WIDTH, color: bool = False, summary: bool = False
           ) -> str | bytes:
    """`run` in format `fmt` (one of FORMATS): text, or bytes for the BINARY_FORMATS; `width` and `color`
    only matter to the table. With `summary`, only the overview across documents (documents or areas x
    themes)."""
    if summary:
        if fmt not in SUMMARY_FORMATS:
            raise SendclfError(f"--summary works with {', '.join(SUMMARY_FORMATS)}, not {fmt}")
        if fmt == "table":
            return _console_text(lambda console: _print_overview(console, run), width, color)
        if fmt == "csv":
            return overview_csv(run)
        return json.dumps(run.overview().to_dict(), indent=2) + "\n"
    if fmt == "table":
        return to_table(run, width, color)
    return {"jsonl": to_jsonl, "csv": to_csv, "json": to_json, "html": to_html,
            "parquet": to_parquet}[resolve_format(fmt)](run)


def overview_csv(run: Run) -> str:
    """The overview as a spreadsheet: one row per document (or area) with its sentences, then per theme and
    finding the sentences (`theme:weakness`) and their share of the row's sentences (`theme:weakness_share`,
    0 to 1)."""
    overview, findings = run.overview(), _findings(run)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    cells = [(t, p) for t in overview.themes for p in findings]
    writer.writerow([overview.row_kind, "sentences",
                     *(name for t, p in cells for name in (f"{t}:{p}", f"{t}:{p}_share"))])
    for row in overview.rows:
        values = [(overview.counts[row][t][p], round(overview.share(row, t, p), SHARE_DIGITS))
                  for t, p in cells]
        writer.writerow([row, overview.sentences[row], *(value for pair in values for value in pair)])
    return buffer.getvalue()


def percent(share: float) -> str:
    """A share as a whole percentage for a reader; a share under half a percent but not none is '<1%'."""
    whole = round(100 * share)
    return "<1%" if share and not whole else f"{whole}%"


# ---- data formats ----------------------------------------------------------------------------------


def _labelled(run: Run) -> list[tuple[LabelledDocument, Sentence, Row]]:
    return [(doc, sentence, row) for doc in run.documents for sentence, row in doc.labelled()]


def record(doc: LabelledDocument, sentence: Sentence, row: Row) -> dict:
    """The public per-sentence schema (JSONL, JSON): exactly these keys, in this order."""
    found = {"id": sentence.id, "source": doc.source, "text": row.text, "polarity": row.polarity,
             "polarity_scores": row.polarity_scores, "unsure": row.unsure, "themes": row.themes,
             "theme_scores": row.theme_scores}
    if row.evidence is not None:
        found["evidence"] = row.evidence
    return found


def to_jsonl(run: Run) -> str:
    """Exactly one JSON object per sentence, with the keys of `record`."""
    return "".join(json.dumps(record(*labelled), ensure_ascii=False) + "\n" for labelled in _labelled(run))


def sentence_columns(run: Run) -> list[str]:
    """The columns of the csv and parquet formats: the record, themes joined by `;`, one column per score."""
    return ["id", "source", "text", "polarity", "themes", "unsure",
            *(f"polarity:{p}" for p in run.labels.polarity_ids),
            *(f"theme:{t}" for t in run.labels.theme_ids)]


def sentence_rows(run: Run) -> list[list]:
    polarities, themes = run.labels.polarity_ids, run.labels.theme_ids
    return [[sentence.id, doc.source, row.text, row.polarity, THEME_SEPARATOR.join(row.themes), row.unsure,
             *(row.polarity_scores[p] for p in polarities), *(row.theme_scores[t] for t in themes)]
            for doc, sentence, row in _labelled(run)]


def to_csv(run: Run) -> str:
    """One row per sentence: the record, themes joined by `;`, then one column per score."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(sentence_columns(run))
    writer.writerows(sentence_rows(run))
    return buffer.getvalue()


TEXT_COLUMNS = 5  # id, source, text, polarity, themes: strings; then `unsure` (bool), the scores (float64)


def to_parquet(run: Run) -> bytes:
    """The csv format's rows and columns as a Parquet file (for pandas, R, DuckDB): text columns are
    strings, scores float64."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names, rows = sentence_columns(run), sentence_rows(run)
    kinds = [pa.string()] * TEXT_COLUMNS + [pa.bool_()] + [pa.float64()] * (len(names) - TEXT_COLUMNS - 1)
    columns = [pa.array([row[i] for row in rows], type=kind) for i, kind in enumerate(kinds)]
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(columns, names=names), buffer)
    return buffer.getvalue()


def to_json(run: Run) -> str:
    """The model, its thresholds, and per document its summary and its sentences."""
    result = {
        "model": run.model,
        "kind": run.kind,
        "thresholds": run.thresholds,
        "documents": [{"source": d.source, "kind": d.kind, "summary": d.summary.to_dict(),
                       "sentences": [record(d, s, r) for s, r in d.labelled()]} for d in run.documents],
    }
    if len(run.documents) > 1:
        result["overview"] = run.overview().to_dict()
    return json.dumps(result, ensure_ascii=False, indent=2) + "\n"


# ---- the terminal table ----------------------------------------------------------------------------


def _findings(run: Run) -> list[str]:
    return [p for p in FINDINGS if p in run.labels.polarity_ids]


def _theme_names(run: Run) -> dict[str, str]:
    return {label.id: label.name for label in run.labels.themes}


def _console_text(draw, width: int, color: bool) -> str:
    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, force_terminal=color, no_color=not color,
                      color_system="auto" if color else None, highlight=False, emoji=False)
    draw(console)
    return "".join(line.rstrip() + "\n" for line in console.file.getvalue().splitlines())


def _print_overview(console, run: Run) -> None:
    """The overview in as few tables as fit the console's width, each with as many themes as fit beside the
    row names, so neither a theme id nor a cell is folded on a terminal."""
    from rich.measure import Measurement

    overview, unlimited = run.overview(), console.options.update_width(UNLIMITED_WIDTH)
    blocks: list[list[str]] = [[]]
    for theme in overview.themes:
        wider = _overview_table(run, overview, [*blocks[-1], theme], title=False)
        if blocks[-1] and Measurement.get(console, unlimited, wider).maximum > console.width:
            blocks.append([])
        blocks[-1].append(theme)
    for i, themes in enumerate(blocks):
        console.print(Unabridged(_overview_table(run, overview, themes, title=i == 0)))


def _overview_table(run: Run, overview: Overview, themes: list[str], title: bool):
    """Documents (or areas) x `themes`, a line per finding: in each cell the share of the row's sentences
    that are that finding on that theme, and how many sentences ('9% (7)')."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    findings = _findings(run)
    table = Table(title=f"Findings across {len(overview.rows)} {overview.row_kind}s: per theme, the share of "
                        f"each {overview.row_kind}'s sentences that are {' / '.join(findings)} findings "
                        "(and how many sentences)" if title else None,
                  title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column(overview.row_kind, no_wrap=True)
    table.add_column("sentences", justify="right")
    table.add_column("finding", no_wrap=True)
    for theme in themes:
        table.add_column(theme, justify="right", overflow="fold")  # too narrow a terminal: folded, not cut
    for row in overview.rows:
        for i, p in enumerate(findings):
            cells = [(overview.counts[row][t][p], overview.share(row, t, p)) for t in themes]
            style = TERMINAL_STYLE.get(p, "")
            table.add_row(row if i == 0 else "", str(overview.sentences[row]) if i == 0 else "",
                          Text(p, style=style),
                          *(Text(f"{percent(share)} ({count})", style=style) if count else "·"
                            for count, share in cells), end_section=i == len(findings) - 1)
    return table


def to_table(run: Run, width: int = DEFAULT_WIDTH, color: bool = False) -> str:
    """Per document: one row per sentence (polarity coloured, text wrapped), then its summary; with
    several documents, the overview across them at the end."""
    return _console_text(lambda console: _draw_table(console, run, width), width, color)


def _draw_table(console, run: Run, width: int) -> None:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    for doc in run.documents:
        table = Table(title=f"{doc.source}  ({len(doc.rows)} sentences, model {run.model})",
                      title_justify="left", box=box.SIMPLE_HEAD, expand=True, show_lines=False)
        by_id = doc.kind == "sentences"
        table.add_column("id" if by_id else "#", justify="left" if by_id else "right", no_wrap=True,
                         max_width=width // 5 if by_id else None)
        table.add_column("polarity", no_wrap=True)
        table.add_column("themes", no_wrap=True)
        table.add_column("sentence", ratio=1, overflow="fold")
        for sentence, row in doc.labelled():
            style = TERMINAL_STYLE.get(row.polarity, "")
            table.add_row(sentence.id if by_id else str(sentence.index),
                          Text(f"{row.polarity} {row.polarity_scores[row.polarity]:.{SCORE_DIGITS}f}"
                               + (f" {UNSURE_MARK}" if row.unsure else ""), style=style),
                          "\n".join(row.themes), row.text)
        console.print(Group(table, Unabridged(_summary_table(doc, run))))
        console.print()
    if len(run.documents) > 1:
        _print_overview(console, run)


def _summary_table(doc: LabelledDocument, run: Run):
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    summary = doc.summary
    title = Text(f"Summary of {doc.source}: {summary.n_sentences} sentences, ")
    for i, (polarity, count) in enumerate(summary.polarity.items()):
        title.append(f"{count} {polarity}", style=TERMINAL_STYLE.get(polarity, ""))
        title.append(", " if i < len(summary.polarity) - 1 else "")
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("theme (sentences)")
    findings = _findings(run)
    for polarity in findings:
        table.add_column(polarity, justify="right", style=TERMINAL_STYLE.get(polarity, ""))
    names = _theme_names(run)
    for count in summary.themes:
        table.add_row(f"{names[count.theme]} ({count.theme})",
                      *(str(count.counts[p]) if count.counts[p] else "·" for p in findings))
    return Group(title, table)


# ---- the HTML page (styled by style.css) -------------------------------------------------------------
#
# Written for readers, on a screen, a phone or paper: every sentence is a <details> row whose summary shows
# its polarity, its themes by name and (marked) whether the model was unsure; opened, it shows every score
# and the evidence. Nothing is only in a hover tooltip, and printing opens every row.

THEME_ROWS = 5  # theme scores shown per sentence: the chosen themes, then the likeliest others up to this
PAGE_SCRIPT = """<script>
/* A link to a sentence (page.html#doc-0-3) opens its row. */
const openTarget = () => { const row = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (row && row.tagName === "DETAILS") { row.open = true; row.scrollIntoView(); } };
addEventListener("hashchange", openTarget); openTarget();
/* Printing shows every sentence's scores and evidence; the rows a reader had open stay open after. */
addEventListener("beforeprint", () => document.querySelectorAll("details:not([open])").forEach(d => {
  d.dataset.printOpened = "1"; d.open = true; }));
addEventListener("afterprint", () => document.querySelectorAll("details[data-print-opened]").forEach(d => {
  delete d.dataset.printOpened; d.open = false; }));
</script>"""


def _colours(polarity: str) -> tuple[str, str]:
    return HTML_COLOURS.get(polarity, NEUTRAL_LOOK)


def _esc(text: object) -> str:
    return html.escape(str(text))


def _score(value: float) -> str:
    return f"{value:.{SCORE_DIGITS}f}"


def model_caption(run: Run) -> str:
    """The model's name, once: its kind only when the name does not already say it (a custom folder)."""
    return run.model if run.kind in run.model else f"{run.model} (a {run.kind} model)"


def _polarity_chip(polarity: str, text: str | None = None) -> str:
    background, accent = _colours(polarity)
    return (f'<span class="chip" style="background:{background};color:{accent};border-color:{accent}">'
            f"{_esc(text or polarity)}</span>")


def _bar_rows(scores: list[tuple[str, float, bool]], accent: str, ticks: dict[str, float] | None = None
              ) -> str:
    """A row per (label, score, chosen): name, a bar as long as the score on a track of 1, the score; chosen
    ones ticked and bold. `ticks` marks a threshold on a label's track."""
    rows = []
    for name, value, chosen in scores:
        tick = (ticks or {}).get(name)
        mark = "" if tick is None else f'<i class="tick" style="left:{round(100 * tick)}%"></i>'
        meter = (f'<span class="track"><span class="fill" style="width:{round(100 * value)}%;'
                 f'background:{accent}"></span>{mark}</span>')
        rows.append(f'<tr class="{"chosen" if chosen else ""}"><td>{"✓ " if chosen else ""}{_esc(name)}'
                    f'</td><td class="meter">{meter}</td><td class="n">{_score(value)}</td></tr>')
    return f'<table class="scores">{"".join(rows)}</table>'


def _why_html(s: Row, run: Run, names: dict[str, str]) -> str:
    """Opened row: the polarity scores, the likeliest themes, and the evidence behind the labels."""
    _, accent = _colours(s.polarity)
    polarity_names = {label.id: label.name for label in run.labels.polarities}
    polarity = _bar_rows([(polarity_names.get(p, p), v, p == s.polarity) for p, v in
                          sorted(s.polarity_scores.items(), key=lambda kv: -kv[1])], accent)
    ranked = sorted(s.theme_scores.items(), key=lambda kv: -kv[1])
    shown = [(t, v) for i, (t, v) in enumerate(ranked) if t in s.themes or i < THEME_ROWS]
    thresholds = {names.get(t, t): run.thresholds[t] for t, _ in shown if t in run.thresholds}
    themes = _bar_rows([(names.get(t, t), v, t in s.themes) for t, v in shown], accent, thresholds)
    top = _score(s.polarity_scores[s.polarity])
    unsure = (f'<p class="unsure-note">Unsure: the top polarity score is {top}, '
              f"under {_score(UNSURE_BELOW)}; check this label by hand.</p>" if s.unsure else "")
    scores = (f'<div class="why-scores">{unsure}<h4>Polarity scores</h4>{polarity}'
              f'<h4>Theme scores <span class="th">(top {len(shown)} of {len(ranked)}; '
              f'<i class="tick key"></i> its threshold)</span></h4>{themes}</div>')
    evidence = ""
    if s.evidence:
        nearest = "".join(
            f'<li><span class="sim">{n["similarity"]:.2f}</span> {_polarity_chip(n["polarity"])} '
            f'{_esc(n["text"])} <span class="names">{_esc(" · ".join(names.get(t, t) for t in n["themes"]))}'
            f"</span></li>" for n in s.evidence.get("nearest", []))
        evidence = ('<div class="why-evidence"><h4>Most similar labelled training sentences '
                    '<span class="th">(similarity)</span></h4>'
                    f'<ol class="nearest">{nearest or "<li>none remembered</li>"}</ol>')
        if s.evidence.get("ngrams"):
            grams = "".join(f'<span class="gram">{_esc(g["ngram"])} <small>{g["weight"]:.2f}</small></span>'
                            for g in s.evidence["ngrams"])
            evidence += (f'<h4>Words behind “{_esc(s.polarity)}” <span class="th">(TF-IDF weight)</span></h4>'
                         f'<p class="grams">{grams}</p>')
        evidence += "</div>"
    return f'<div class="why">{scores}{evidence}</div>'


def _sentence_html(sentence: Sentence, s: Row, run: Run, names: dict[str, str], anchor: str, show_id: bool
                   ) -> str:
    background, accent = _colours(s.polarity)
    no_theme = run.labels.no_theme
    tags = "".join(f'<span class="tag{" other" if t == no_theme else ""}">{_esc(names.get(t, t))}</span>'
                   for t in s.themes)
    unsure = '<span class="unsure-mark">unsure</span>' if s.unsure else ""
    label = (f'<span class="pol" style="color:{accent};border-color:{accent}">{_esc(s.polarity)} '
             f"{_score(s.polarity_scores[s.polarity])}</span>{unsure}")
    sid = f'<span class="sid">{_esc(sentence.id)}</span> ' if show_id else ""
    classes = f"sent {_esc(s.polarity)}{' unsure' if s.unsure else ''}"
    return (f'<details class="{classes}" id="{anchor}"><summary>'
            f'<span class="label">{label}</span>'
            f'<span class="body">{sid}<span class="text" style="background:{background}">'
            f'{_esc(s.text)}</span><span class="tags">{tags}</span></span></summary>'
            f"{_why_html(s, run, names)}</details>")


def _summary_html(summary: Summary, run: Run, unsure: int) -> str:
    names = _theme_names(run)
    counts = "".join(
        f'<div class="count" style="background:{_colours(p)[0]};color:{_colours(p)[1]}">'
        f"<b>{n}</b>{_esc(p)}</div>" for p, n in summary.polarity.items())
    findings = _findings(run)
    most = max((c for t in summary.themes for c in t.counts.values()), default=0) or 1
    rows = []
    for theme in summary.themes:
        bars = "".join(f'<span class="bar" style="width:{round(BAR_MAX_PX * theme.counts[p] / most)}px;'
                       f'background:{_colours(p)[1]}"></span>' for p in findings if theme.counts[p])
        cells = "".join(f'<td class="n" style="color:{_colours(p)[1]}">{theme.counts[p] or "·"}</td>'
                        for p in findings)
        rows.append(f"<tr><td>{_esc(names.get(theme.theme, theme.theme))}<br>{bars}</td>{cells}</tr>")
    head = "".join(f'<th class="n">{_esc(p)}</th>' for p in findings)
    body = "".join(rows) or f'<tr><td class="empty" colspan="{len(findings) + 1}">no findings</td></tr>'
    unsure_line = (f'<p class="unsure-count"><span class="unsure-mark">unsure</span> {unsure} of '
                   f"{summary.n_sentences}</p>" if unsure else "")
    return (f'<aside class="summary"><h3>{summary.n_sentences} sentences</h3>'
            f'<div class="counts">{counts}</div>{unsure_line}'
            f"<h3>Themes of the findings</h3><table><tr><th>theme</th>{head}</tr>{body}</table></aside>")


def _tint(hex_colour: str, alpha: float) -> str:
    red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _overview_html(run: Run) -> str:
    """A heatmap of documents (or areas) x themes, by name, a row per finding: each cell coloured by the
    share of the row's sentences that are that finding on that theme (one scale for all), with the share
    and the count written in it; each row links to its document below."""
    overview, findings = run.overview(), _findings(run)
    names = _theme_names(run)
    most = max((overview.share(r, t, p) for r in overview.rows for t in overview.themes for p in findings),
               default=0) or 1
    head = "".join(f'<th class="rot"><span>{_esc(names.get(t, t))}</span></th>' for t in overview.themes)
    groups = []
    for row in overview.rows:
        links = "".join(f'<a href="#doc-{i}">{_esc(run.documents[i].document.title)}</a>'
                        for i in overview.documents[row])
        n = overview.sentences[row]
        label = (f'{_esc(row) if overview.row_kind == "area" else links}'
                 f'<small>{n} sentence{"s" if n != 1 else ""}</small>')
        lines = []
        for i, p in enumerate(findings):
            accent = _colours(p)[1]
            cells = []
            for t in overview.themes:
                count, share = overview.counts[row][t][p], overview.share(row, t, p)
                alpha = round(HEAT_MAX_ALPHA * share / most, 2)
                shown = f"<b>{percent(share)}</b><small>{count}</small>" if count else ""
                cells.append(f'<td class="heat{" dark" if alpha > DARK_INK_ABOVE else ""}" '
                             f'style="background:{_tint(accent, alpha)}">{shown}</td>')
            first = (f'<th class="row" rowspan="{len(findings)}" scope="rowgroup">{label}</th>' if i == 0
                     else "")
            docs = (f'<td class="docs" rowspan="{len(findings)}">{links}</td>'
                    if i == 0 and overview.row_kind == "area" else "")
            lines.append(f'<tr>{first}<th class="finding" scope="row" style="color:{accent}">{_esc(p)}</th>'
                         f'{"".join(cells)}{docs}</tr>')
        groups.append(f"<tbody>{''.join(lines)}</tbody>")
    docs_head = "<th>documents</th>" if overview.row_kind == "area" else ""
    return (f'<section class="overview"><h2>Findings across {len(overview.rows)} {overview.row_kind}s</h2>'
            f'<p class="meta">A row per finding. Each cell: the share of the {overview.row_kind}\'s '
            f"sentences that are {' or '.join(findings)} findings on that theme (the darker, the larger), "
            f"and under it how many sentences, so {overview.row_kind}s of any length compare. Themes with "
            f'the largest {findings[0]} shares first.</p>'
            f'<div class="scroll"><table class="heatmap"><thead><tr>'
            f'<th class="corner" colspan="2">{overview.row_kind}</th>{head}{docs_head}</tr></thead>'
            f"{''.join(groups)}</table></div></section>")


def _document_html(doc: LabelledDocument, run: Run, index: int = 0) -> str:
    names = _theme_names(run)
    paragraphs: dict[int, list[str]] = {}
    for sentence, row in doc.labelled():
        paragraphs.setdefault(sentence.paragraph, []).append(
            _sentence_html(sentence, row, run, names, f"doc-{index}-{sentence.index}",
                           doc.kind == "sentences"))
    sentences = "".join(f'<div class="para">{"".join(parts)}</div>' for parts in paragraphs.values())
    area = doc.document.area
    meta = " · ".join([_esc(doc.source), *([f"area: {_esc(area)}"] if area else [])])
    unsure = sum(row.unsure for row in doc.rows)
    return (f'<section class="doc" id="doc-{index}"><header class="doc-head">'
            f'<h2>{_esc(doc.document.title)}</h2>'
            f'<p class="meta">{meta}</p></header><div class="sentences">{sentences}</div>'
            f"{_summary_html(doc.summary, run, unsure)}</section>")


def to_html(run: Run) -> str:
    """One self-contained page: a row per sentence, highlighted by polarity and tagged with its themes by
    name; each opens to its scores and evidence."""
    legend = "".join(_polarity_chip(p) for p in run.labels.polarity_ids)
    title = run.documents[0].document.title if len(run.documents) == 1 else f"{len(run.documents)} documents"
    documents = "".join(_document_html(doc, run, i) for i, doc in enumerate(run.documents))
    if len(run.documents) > 1:
        documents = _overview_html(run) + documents
    unsure = sum(row.unsure for _, _, row in _labelled(run))
    n_docs = len(run.documents)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="sendclf">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sendclf: {_esc(title)}</title>
<style>
{stylesheet()}</style>
</head>
<body>
<main>
<header class="page-head">
<h1>SEND inspection coverage, sentence by sentence</h1>
<p class="meta">Model {_esc(model_caption(run))} · {run.n_sentences} sentences in {n_docs}
document{"s" if n_docs != 1 else ""} · {unsure} marked unsure</p>
<p class="legend">{legend}<span class="unsure-mark">unsure</span> the top polarity score is under
{_score(UNSURE_BELOW)}: check by hand. <span class="hint">Open a sentence (click, tap or Enter) for its
scores and the labelled sentences most like it.</span></p>
</header>
{documents}
</main>
{PAGE_SCRIPT}
</body>
</html>
"""
