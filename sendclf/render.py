"""The five output formats of `sendclf classify`: pure functions from a classified `Run` to a string.

Nothing here reads files or the terminal: the CLI decides width, colour and where the string goes, so
every format is testable as a plain string and `--output` can write it atomically.
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

from sendclf.classify import FINDINGS, DocumentResult, Run, SentenceResult, Summary
from sendclf.errors import SendclfError
from sendclf.style import stylesheet

FORMATS = ("table", "jsonl", "csv", "json", "html")
DEFAULT_FORMAT = "table"
EVIDENCE_FORMATS = ("jsonl", "json", "html")  # formats that show evidence unless told not to
DEFAULT_WIDTH = 120  # table width when not printing to a terminal (files, pipes)
SCORE_DIGITS = 2  # shown in the table and the HTML tooltips; the data formats keep the model's rounding
THEME_SEPARATOR = ";"  # between themes in a CSV cell

# Terminal styles and HTML colours (background, accent) per polarity id; unknown ids get the neutral look.
TERMINAL_STYLE = {"weakness": "bold red", "strength": "bold green", "neutral": "dim"}
HTML_COLOURS = {"weakness": ("#fde4e2", "#c0392b"), "strength": ("#e2f3e4", "#2e7d32"),
                "neutral": ("#f2f2f2", "#8a8a8a")}
NEUTRAL_LOOK = ("#f2f2f2", "#8a8a8a")
BAR_MAX_PX = 48  # the longest bar in the HTML summary


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


def render(run: Run, fmt: str, width: int = DEFAULT_WIDTH, color: bool = False, summary: bool = False) -> str:
    """`run` in format `fmt` (one of FORMATS); `width` and `color` only matter to the table. With
    `summary`, only the overview across documents (documents or areas x themes)."""
    if summary:
        if fmt not in SUMMARY_FORMATS:
            raise SendclfError(f"--summary works with {', '.join(SUMMARY_FORMATS)}, not {fmt}")
        if fmt == "table":
            return _console_text(lambda console: console.print(_overview_table(run)), width, color)
        if fmt == "csv":
            return overview_csv(run)
        return json.dumps(run.overview().to_dict(), indent=2) + "\n"
    if fmt == "table":
        return to_table(run, width, color)
    return {"jsonl": to_jsonl, "csv": to_csv, "json": to_json, "html": to_html}[resolve_format(fmt)](run)


def overview_csv(run: Run) -> str:
    """The overview as a spreadsheet: one row per document (or area), two columns per theme."""
    overview, findings = run.overview(), _findings(run)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([overview.row_kind, *(f"{t}:{p}" for t in overview.themes for p in findings)])
    for row in overview.rows:
        writer.writerow([row, *(overview.counts[row][t][p] for t in overview.themes for p in findings)])
    return buffer.getvalue()


# ---- data formats ----------------------------------------------------------------------------------


def _sentences(run: Run) -> list[SentenceResult]:
    return [s for doc in run.documents for s in doc.sentences]


def to_jsonl(run: Run) -> str:
    """Exactly one JSON object per sentence, with the keys of `SentenceResult.record`."""
    return "".join(json.dumps(s.record(), ensure_ascii=False) + "\n" for s in _sentences(run))


def to_csv(run: Run) -> str:
    """One row per sentence: the record, themes joined by `;`, then one column per score."""
    polarities, themes = run.labels.polarity_ids, run.labels.theme_ids
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "source", "text", "polarity", "themes",
                     *(f"polarity:{p}" for p in polarities), *(f"theme:{t}" for t in themes)])
    for s in _sentences(run):
        writer.writerow([s.id, s.source, s.text, s.polarity, THEME_SEPARATOR.join(s.themes),
                         *(s.polarity_scores[p] for p in polarities), *(s.theme_scores[t] for t in themes)])
    return buffer.getvalue()


def to_json(run: Run) -> str:
    """The model, its thresholds, and per document its summary and its sentences."""
    result = {
        "model": run.model,
        "kind": run.kind,
        "thresholds": run.thresholds,
        "documents": [{"source": d.source, "kind": d.kind, "summary": d.summary.to_dict(),
                       "sentences": [s.record() for s in d.sentences]} for d in run.documents],
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


def _overview_table(run: Run):
    """Documents (or areas) x themes: 'weakness/strength' sentences per cell, most-weakness themes first."""
    from rich import box
    from rich.table import Table

    overview, findings = run.overview(), _findings(run)
    table = Table(title=f"Findings across {len(overview.rows)} {overview.row_kind}s "
                        f"({' / '.join(findings)} sentences per theme)",
                  title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column(overview.row_kind, no_wrap=True)
    for theme in overview.themes:
        table.add_column(theme, justify="right")
    for row in overview.rows:
        cells = [overview.counts[row][t] for t in overview.themes]
        table.add_row(row, *("/".join(str(c[p]) for p in findings) if any(c.values()) else "·"
                             for c in cells))
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
        table = Table(title=f"{doc.source}  ({len(doc.sentences)} sentences, model {run.model})",
                      title_justify="left", box=box.SIMPLE_HEAD, expand=True, show_lines=False)
        by_id = doc.kind == "sentences"
        table.add_column("id" if by_id else "#", justify="left" if by_id else "right", no_wrap=True,
                         max_width=width // 5 if by_id else None)
        table.add_column("polarity", no_wrap=True)
        table.add_column("themes", no_wrap=True)
        table.add_column("sentence", ratio=1, overflow="fold")
        for s in doc.sentences:
            style = TERMINAL_STYLE.get(s.polarity, "")
            table.add_row(s.id if by_id else str(s.index),
                          Text(f"{s.polarity} {s.polarity_scores[s.polarity]:.{SCORE_DIGITS}f}", style=style),
                          "\n".join(s.themes), s.text)
        console.print(Group(table, _summary_table(doc, run)))
        console.print()
    if len(run.documents) > 1:
        console.print(_overview_table(run))


def _summary_table(doc: DocumentResult, run: Run):
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


def _colours(polarity: str) -> tuple[str, str]:
    return HTML_COLOURS.get(polarity, NEUTRAL_LOOK)


def _tooltip(s: SentenceResult, names: dict[str, str]) -> str:
    """Every score, chosen labels first: what a reader needs to judge one decision."""
    polarity = " · ".join(f"{p} {v:.{SCORE_DIGITS}f}" for p, v in
                          sorted(s.polarity_scores.items(), key=lambda kv: -kv[1]))
    themes = "\n".join(f"{'✓' if t in s.themes else '  '} {names.get(t, t)} ({t}) {v:.{SCORE_DIGITS}f}"
                       for t, v in sorted(s.theme_scores.items(), key=lambda kv: -kv[1]))
    tip = f"{s.id}\npolarity: {polarity}\nthemes:\n{themes}"
    if s.evidence:
        nearest = "\n".join(
            f"  {n['similarity']:.2f} [{n['polarity']} · {', '.join(n['themes'])}] {n['text']}"
            for n in s.evidence["nearest"])
        tip += f"\nmost similar labelled sentences:\n{nearest}"
        if s.evidence.get("ngrams"):
            tip += "\nwords behind the polarity: " + ", ".join(g["ngram"] for g in s.evidence["ngrams"])
    return tip


def _sentence_html(s: SentenceResult, names: dict[str, str], no_theme: str, show_id: bool) -> str:
    background, accent = _colours(s.polarity)
    tags = "".join(
        f'<span class="tag{" other" if t == no_theme else ""}" style="color:{accent};border-color:{accent}" '
        f'title="{html.escape(names.get(t, t))}: {s.theme_scores[t]:.{SCORE_DIGITS}f}">'
        f"{html.escape(t)}</span>" for t in s.themes)
    sid = f'<span class="sid">{html.escape(s.id)}</span>' if show_id else ""
    return (f'{sid}<span class="s {html.escape(s.polarity)}" style="background:{background}" '
            f'title="{html.escape(_tooltip(s, names))}">{html.escape(s.text)}{tags}</span>')


def _summary_html(summary: Summary, run: Run) -> str:
    names = _theme_names(run)
    counts = "".join(
        f'<div class="count" style="background:{_colours(p)[0]};color:{_colours(p)[1]}">'
        f"<b>{n}</b>{html.escape(p)}</div>" for p, n in summary.polarity.items())
    findings = _findings(run)
    most = max((c for t in summary.themes for c in t.counts.values()), default=0) or 1
    rows = []
    for theme in summary.themes:
        bars = "".join(f'<span class="bar" style="width:{round(BAR_MAX_PX * theme.counts[p] / most)}px;'
                       f'background:{_colours(p)[1]}"></span>' for p in findings if theme.counts[p])
        cells = "".join(f'<td class="n" style="color:{_colours(p)[1]}">{theme.counts[p] or "·"}</td>'
                        for p in findings)
        rows.append(f'<tr><td title="{html.escape(theme.theme)}">{html.escape(names[theme.theme])}<br>'
                    f"{bars}</td>{cells}</tr>")
    head = "".join(f'<th class="n">{html.escape(p)}</th>' for p in findings)
    body = "".join(rows) or f'<tr><td class="empty" colspan="{len(findings) + 1}">no findings</td></tr>'
    return (f'<aside class="summary"><h3>{summary.n_sentences} sentences</h3>'
            f'<div class="counts">{counts}</div>'
            f"<h3>Themes of the findings</h3><table><tr><th>theme</th>{head}</tr>{body}</table></aside>")


def _overview_html(run: Run) -> str:
    """A heatmap of documents (or areas) x themes: red by weakness sentences, strength counts in green;
    each row links to its document's page below."""
    overview, findings = run.overview(), _findings(run)
    names = _theme_names(run)
    most = max((overview.counts[r][t].get(findings[0], 0) for r in overview.rows for t in overview.themes),
               default=0) or 1
    head = "".join(f'<th class="rot" title="{html.escape(names[t])}"><span>{html.escape(t)}</span></th>'
                   for t in overview.themes)
    rows = []
    for row in overview.rows:
        links = " ".join(f'<a href="#doc-{i}">{html.escape(Path(run.documents[i].source).name)}</a>'
                         for i in overview.documents[row])
        label = html.escape(row) if overview.row_kind == "area" else links
        cells = []
        for t in overview.themes:
            c = overview.counts[row][t]
            weak, strong = c.get(findings[0], 0), c.get(findings[-1], 0)
            alpha = round(0.85 * weak / most, 2)
            cells.append(f'<td class="heat" style="background:rgba(192,57,43,{alpha})" '
                         f'title="{html.escape(row)} · {html.escape(names[t])}: {weak} {findings[0]}, '
                         f'{strong} {findings[-1]}">{weak or ""}'
                         f'{f"<sup>+{strong}</sup>" if strong else ""}</td>')
        extra = f'<td class="docs">{links}</td>' if overview.row_kind == "area" else ""
        rows.append(f"<tr><th>{label}</th>{''.join(cells)}{extra}</tr>")
    docs_head = "<th>documents</th>" if overview.row_kind == "area" else ""
    return (f'<section class="overview"><h2>Findings across {len(overview.rows)} {overview.row_kind}s</h2>'
            f'<p class="meta">cell: {findings[0]} sentences (shade) and <sup>+{findings[-1]}</sup> sentences '
            f"per theme; themes with most {findings[0]} sentences first</p>"
            f'<table class="heatmap"><tr><th>{overview.row_kind}</th>{head}{docs_head}</tr>'
            f"{''.join(rows)}</table></section>")


def _document_html(doc: DocumentResult, run: Run, index: int = 0) -> str:
    names = _theme_names(run)
    paragraphs: dict[int, list[str]] = {}
    for s in doc.sentences:
        paragraphs.setdefault(s.paragraph, []).append(_sentence_html(s, names, run.labels.no_theme,
                                                                       doc.kind == "sentences"))
    article = "".join(f"<p>{' '.join(parts)}</p>" for parts in paragraphs.values())
    return (f'<section class="doc" id="doc-{index}"><h2>{html.escape(doc.source)}</h2>'
            f"<article>{article}</article>{_summary_html(doc.summary, run)}</section>")


def to_html(run: Run) -> str:
    """One self-contained page: each sentence highlighted by polarity and tagged with its themes."""
    legend = "".join(f'<span class="s" style="background:{_colours(p)[0]};color:{_colours(p)[1]}">'
                     f"{html.escape(p)}</span>" for p in run.labels.polarity_ids)
    title = run.documents[0].source if len(run.documents) == 1 else f"{len(run.documents)} documents"
    documents = "".join(_document_html(doc, run, i) for i, doc in enumerate(run.documents))
    if len(run.documents) > 1:
        documents = _overview_html(run) + documents
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sendclf: {html.escape(title)}</title>
<style>
{stylesheet()}</style>
</head>
<body>
<main>
<header>
<h1>SEND inspection coverage, sentence by sentence</h1>
<p class="meta">model {html.escape(run.model)} ({html.escape(run.kind)}) · {run.n_sentences} sentences in
{len(run.documents)} document{"s" if len(run.documents) != 1 else ""} · hover a sentence for its scores</p>
<p class="legend">{legend}</p>
</header>
{documents}
</main>
</body>
</html>
"""
