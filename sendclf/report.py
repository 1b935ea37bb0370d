"""`sendclf report`: the model comparison as markdown, figures, and one HTML page showing them together.

Everything is drawn from the models' `metrics.json` (scores and out-of-fold predictions), so the report
never loads a model and treats every kind alike. Figures use matplotlib's object API (no pyplot), which
renders with Agg and keeps no global figure state between calls.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from sendclf import choice, metrics, tables
from sendclf import compare as comparing
from sendclf import comparison_tables as shown
from sendclf.atomic import write_file, write_text
from sendclf.bench import BENCH_FILE, bench_note, bench_table
from sendclf.errors import SendclfError
from sendclf.evaluate import EvalConfig
from sendclf.metrics import Confusion
from sendclf.paths import REPORTS
from sendclf.results import OutOfFoldRecord, TrainingResults
from sendclf.style import stylesheet
from sendclf.tables import Table, to_html

COMPARISON_FILE = "comparison.md"
INDEX_FILE = "index.html"
THEME_F1_FILE = "theme-f1.png"
RELIABILITY_FILE = "reliability.png"
POLARITY_RELIABILITY_FILE = "polarity-reliability.png"
THEME_TITLE = "Reliability of theme probabilities (out-of-fold, every sentence x theme)"
THEME_X, THEME_Y = "predicted theme probability", "share that is a gold theme"
POLARITY_TITLE = "Polarity scores before and after temperature scaling (out-of-fold, cross-fitted)"
POLARITY_X, POLARITY_Y = "top polarity score", "share of sentences whose top polarity is right"
CONFUSION_PREFIX = "confusion-"

RELIABILITY_BINS = 10  # equal-width bins over 1,440 (120 sentences x 12 themes) probabilities
DPI = 120
WIDTH = 7.0  # inches: the figures sit in one column of the HTML page
CONFUSION_SIZE = (5.4, 4.2)  # wider than tall: room for the colour bar beside a square matrix
BAR_HEIGHT_PER_THEME = 0.45
MIN_BAR_FIGURE_HEIGHT = 3.0
RELIABILITY_HEIGHT = 6.5
DARK_CELL = 0.6  # row share above which a confusion cell's text turns white
AXIS_MARGIN = 0.03
GROUP_WIDTH = 0.8  # of the space between two themes, shared by that theme's bars
F1_AXIS_MAX = 1.1  # room for the value labels beside bars at 1.0
NOTE_X = 0.01  # where "F1 undefined" starts, in F1 units
HEIGHT_RATIOS = (3, 1)  # reliability curves above the bin counts


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "model"


def _save(figure: Figure, path: Path) -> None:
    write_file(path, lambda temp: figure.savefig(temp, dpi=DPI, format="png", bbox_inches="tight"))


_write_text = write_text  # every report file is swapped in whole


# --- figures ------------------------------------------------------------------------------------------


def confusion_figure(name: str, confusion: Confusion) -> Figure:
    """Counts in each cell, coloured by the share of the gold row: the recall of each polarity."""
    labels, matrix = confusion.labels, np.asarray(confusion.matrix, dtype=float)
    totals = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    figure = Figure(figsize=CONFUSION_SIZE, layout="constrained")
    ax = figure.add_subplot()
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for (row, col), count in np.ndenumerate(matrix):
        ax.text(col, row, f"{int(count)}\n{share[row, col]:.0%}", ha="center", va="center",
                color="white" if share[row, col] > DARK_CELL else "black")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), [f"{label} ({int(n)})" for label, n in zip(labels, totals[:, 0],
                                                                                strict=True)])
    ax.set_xlabel("predicted polarity")
    ax.set_ylabel("gold polarity (sentences)")
    ax.set_title(f"{name}: polarity, out-of-fold")
    figure.colorbar(image, ax=ax, label="share of gold row")
    return figure


def theme_f1_figure(comparison: comparing.Comparison) -> Figure:
    """One group of bars per theme, one bar per model; support beside the theme name."""
    themes = list(comparison.theme_support)
    names = [m.name for m in comparison.models]
    height = max(MIN_BAR_FIGURE_HEIGHT, BAR_HEIGHT_PER_THEME * len(themes) * max(1, len(names)) ** 0.5)
    figure = Figure(figsize=(WIDTH, height), layout="constrained")
    ax = figure.add_subplot()
    bar = GROUP_WIDTH / len(names)
    rows = np.arange(len(themes))
    for i, name in enumerate(names):
        f1 = [comparison.theme_f1[name][t] for t in themes]
        bars = ax.barh(rows - GROUP_WIDTH / 2 + bar * (i + 0.5), [f or 0.0 for f in f1], height=bar,
                       label=name)
        ax.bar_label(bars, labels=["" if f is None else f"{f:.2f}" for f in f1], padding=2,
                     fontsize="x-small")
    for row, theme in enumerate(themes):
        if not comparison.theme_support[theme]:
            ax.text(NOTE_X, row, "no gold sentences: F1 undefined", va="center", fontsize="small",
                    color="grey")
    ax.set_yticks(rows, [f"{t} ({comparison.theme_support[t]})" for t in themes])
    ax.invert_yaxis()
    ax.set_xlim(0, F1_AXIS_MAX)
    ax.set_xlabel("F1 (out-of-fold)")
    ax.set_title("Per-theme F1 (gold support in brackets)")
    figure.legend(loc="outside lower center", ncols=len(names))
    ax.grid(axis="x", alpha=0.3)
    return figure


def reliability(records: list[OutOfFoldRecord], theme_ids: list[str], bins: int = RELIABILITY_BINS) -> dict:
    """Every (sentence, theme) probability against whether the theme is gold (`metrics.reliability`)."""
    index = {t: i for i, t in enumerate(theme_ids)}
    gold = np.zeros((len(records), len(theme_ids)))
    for row, record in enumerate(records):
        gold[row, [index[t] for t in record.gold_themes]] = 1
    probs = np.array([r.theme_scores for r in records], dtype=float)
    return metrics.reliability(probs.ravel(), gold.ravel(), bins, right=False)


def polarity_reliability(records: list[OutOfFoldRecord], polarity_ids: list[str], calibrated: bool,
                         bins: int = RELIABILITY_BINS) -> dict | None:
    """Top polarity score against being right, of the raw or the calibrated scores (`metrics.reliability`)."""
    scores = [r.calibrated_polarity_scores if calibrated else r.polarity_scores for r in records]
    if not records or scores[0] is None:
        return None
    probs = np.array(scores, dtype=float)
    gold = np.array([polarity_ids.index(r.gold_polarity) for r in records])
    return metrics.reliability(probs.max(axis=1), probs.argmax(axis=1) == gold, bins)


def reliability_figure(curves: dict[str, dict], title: str = THEME_TITLE, xlabel: str = THEME_X,
                       ylabel: str = THEME_Y) -> Figure:
    """Curves above, how many probabilities fall in each bin below (log scale: most are near 0)."""
    figure = Figure(figsize=(WIDTH, RELIABILITY_HEIGHT), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=HEIGHT_RATIOS)
    top.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    width = 1 / len(next(iter(curves.values()))["counts"]) / max(1, len(curves)) if curves else 0
    for i, (name, curve) in enumerate(curves.items()):
        line, = top.plot(curve["mean_probability"], curve["gold_rate"], marker="o",
                         label=f"{name} (ECE {curve['ece']:.3f})")
        edges = np.asarray(curve["bin_edges"][:-1])
        bottom.bar(edges + width * i, curve["counts"], width=width, align="edge", color=line.get_color(),
                   edgecolor="white")
    top.set_ylabel(ylabel)
    top.set_title(title)
    top.set_xlim(0, 1)
    top.set_ylim(-AXIS_MARGIN, 1 + AXIS_MARGIN)  # points at 0 or 1 stay whole
    top.legend(loc="upper left")
    top.grid(alpha=0.3)
    bottom.set_yscale("log")
    bottom.set_xlabel(xlabel)
    bottom.set_ylabel("scores per bin")
    bottom.grid(alpha=0.3)
    return figure


# --- the opening sentences: which model, how sure, what it gets wrong -------------------------------------

WEAKEST_THEMES = 3  # named in the opening sentences
MIN_THEME_SUPPORT = 5  # gold sentences a theme needs before its F1 is worth naming
LEAD_METRIC = "polarity_accuracy"  # the figure whose interval illustrates how sure we are


def _find_difference(differences: list[comparing.Difference], best: str, other: str, key: str
                     ) -> tuple[float, list[float]] | None:
    """`best` minus `other` on metric `key`, from whichever way round the pair was bootstrapped."""
    for diff in differences:
        figure = diff.metrics.get(key)
        if figure is None:
            continue
        if (diff.a, diff.b) == (other, best):
            return figure.value, list(figure.ci)
        if (diff.a, diff.b) == (best, other):
            return -figure.value, [-figure.ci[1], -figure.ci[0]]
    return None


def _versus(differences: list[comparing.Difference], best: str, other: str, ci: str) -> str:
    """A sentence on the paired differences between the chosen model and the runner-up, judged on the
    intervals as printed."""
    found = {key: _find_difference(differences, best, other, key) for key in choice.CHOOSE_BY}
    if any(value is None for value in found.values()):
        return ""
    parts, better, worse = [], [], []
    for key, (value, interval) in found.items():
        printed, excludes = shown.printed_interval(interval)
        name = tables.HEADLINE_NAMES[key]
        parts.append(f"{shown.signed(value)} {name} ({ci} {printed})")
        if excludes:
            (better if interval[0] > 0 else worse).append(name)
    if better and not worse:
        verdict = f"reliably better in {' and '.join(better)}"
    elif not better and not worse:
        verdict = "not reliably different: both intervals include 0"
    else:
        verdict = "a mixed result: " + "; ".join(
            [*(f"better in {n}" for n in better), *(f"worse in {n}" for n in worse)])
    return f" Against {other}, the paired differences are {' and '.join(parts)}: {verdict}."


def lead_sentences(comparison: comparing.Comparison, models: dict[str, TrainingResults] | None = None,
                   theme_names: dict[str, str] | None = None) -> list[str]:
    """A few plain sentences for a council analyst, drawn from the comparison (no number is written in by
    hand): the model to use (by the written dev set where every model was scored on it, else the seed
    CV), how wide the intervals are, and what the model gets wrong most."""
    rows = comparison.models
    if not rows:
        return []
    names = theme_names or {}
    ci = shown.ci_label(comparison)
    on_dev = all(row.dev for row in rows)
    with_hard = on_dev and all(row.hard_dev for row in rows)
    figures = {row.name: (row.dev if on_dev else row.headline) for row in rows}
    ranking = {row.name: [row.dev, row.hard_dev] if with_hard else [figures[row.name]] for row in rows}
    ranked = sorted(rows, key=lambda row: -choice.score(*ranking[row.name]))
    best = ranked[0]
    chosen = figures[best.name]
    where = (f"the written dev set ({shown.dev_size(comparison)} sentences it was never trained or "
             f"tuned on)" if on_dev else
             f"leave-one-area-out cross-validation over {best.n_sentences} seed sentences")
    if with_hard:
        hard = " and ".join(f"{best.hard_dev[key].value:.2f}" for key in choice.CHOOSE_BY)
        where += (f" (ranked on it and the hard dev set of {shown.dev_size(comparison, hard=True)} "
                  f"sentences, where they are {hard})")
    metric_names = " and ".join(tables.HEADLINE_NAMES[key] for key in choice.CHOOSE_BY)
    values = " and ".join(f"{chosen[key].value:.2f}" for key in choice.CHOOSE_BY)
    sentences = []
    if len(rows) == 1:
        sentences.append(f"Use {best.name}, the only model trained: on {where} its {metric_names} are "
                         f"{values}.")
    else:
        first = (f"Use {best.name}: of the {len(rows)} models it has the best {metric_names} on {where}, "
                 f"{values}.")
        first += _versus(comparison.dev_differences if on_dev else comparison.differences, best.name,
                         ranked[1].name, ci)
        sentences.append(first)
    widths = [high - low for low, high in (chosen[key].ci for key in comparison.metrics if key in chosen)]
    example = chosen.get(LEAD_METRIC)
    if widths and example is not None:
        span = (f"about {min(widths):.2f}" if f"{min(widths):.2f}" == f"{max(widths):.2f}"
                else f"between {min(widths):.2f} and {max(widths):.2f}")
        sentences.append(
            f"How sure we are: each figure comes with a {ci} {span} "
            f"wide (its {tables.HEADLINE_NAMES[LEAD_METRIC]} is {example.value:.2f}, somewhere between "
            f"{example.ci[0]:.2f} and {example.ci[1]:.2f}), so differences smaller than that between models, "
            f"or between two areas' results, may be chance.")
    wrong = []
    f1 = comparison.theme_f1.get(best.name, {})
    weak = sorted((f, t) for t, f in f1.items()
                  if f is not None and f < 1 and comparison.theme_support.get(t, 0) >= MIN_THEME_SUPPORT)
    weak = weak[:WEAKEST_THEMES]
    if weak:
        wrong.append("its weakest themes (seed CV F1) are " + ", ".join(
            f"{names.get(t, t)} ({f:.2f}, {comparison.theme_support[t]} sentences)" for f, t in weak))
    results = (models or {}).get(best.name)
    confusion = None if results is None else (results.dev.scores.confusion if on_dev and results.dev
                                              else results.scores.confusion)
    if confusion is not None:
        labels, matrix = confusion.labels, confusion.matrix
        mistakes = [(matrix[g][p], g, p) for g in range(len(labels)) for p in range(len(labels)) if g != p]
        count, gold, predicted = max(mistakes, default=(0, 0, 0))
        if count:
            wrong.append(f"its most common polarity mistake is calling {labels[gold]} sentences "
                         f"{labels[predicted]} ({count} of {sum(matrix[gold])} {labels[gold]} sentences"
                         f"{' in the dev set' if on_dev else ''})")
        else:
            wrong.append(f"it made no polarity mistake on these {sum(map(sum, matrix))} sentences")
    if wrong:
        sentences.append("What it gets wrong: " + "; ".join(wrong) + ". Check those labels by hand before "
                         "relying on them.")
    return sentences


# --- HTML ---------------------------------------------------------------------------------------------

def prose(text: str) -> str:
    """Escaped text with `code` spans as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _figure(src: str, caption: str) -> str:
    return (f'<figure><img src="{html.escape(src)}" alt="{html.escape(caption)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def index_html(comparison: comparing.Comparison, confusion_files: dict[str, str], bench: dict | None,
               generated: str, models: dict[str, TrainingResults] | None = None,
               theme_names: dict[str, str] | None = None) -> str:
    ci = shown.ci_label(comparison)
    differences = shown.difference_table(comparison)
    lead = "".join(f"<p>{html.escape(sentence)}</p>" for sentence in
                   lead_sentences(comparison, models, theme_names))
    parts = [
        f"<h1>sendclf: model comparison</h1><div class=lead>{lead}</div><p class=note>Generated "
        f"{html.escape(generated)} from "
        f"the models' metrics.json. Leave-one-area-out cross-validation; {ci} from a bootstrap over "
        f"sentences.</p>",
        f"<h2>Headline metrics ({ci})</h2>", to_html(shown.headline_table(comparison)),
        "<h2>Paired differences</h2>", f"<p class=note>{prose(shown.difference_note(comparison))}"
                                       f" Rows whose CI excludes 0 are bold.</p>",
    ]
    if differences.rows:
        parts.append(to_html(differences))
    dev = shown.dev_table(comparison)
    if dev is not None:
        parts += [f"<h2>The written dev set ({shown.dev_size(comparison)} sentences, {ci})</h2>",
                  "<p class=note>Written apart from every training batch, by another writer and brief; never "
                  "trained or tuned on. Each model's final fit, calibrated.</p>", to_html(dev)]
        if comparison.dev_differences:
            parts.append(to_html(shown.difference_table(comparison, comparison.dev_differences)))
    hard = shown.dev_table(comparison, hard=True)
    if hard is not None:
        parts += [f"<h2>The hard dev set ({shown.dev_size(comparison, hard=True)} sentences, {ci})</h2>",
                  f"<p class=note>{shown.HARD_DEV_NOTE}</p>", to_html(hard)]
        if comparison.hard_dev_differences:
            parts.append(to_html(shown.difference_table(comparison, comparison.hard_dev_differences)))
    parts += ["<h2>Per-theme F1 (seed CV)</h2>", to_html(shown.theme_table(comparison)),
              _figure(THEME_F1_FILE, "Per-theme F1 of every model, out-of-fold"),
              "<h2>Polarity confusion matrices</h2><div class=figures>",
              *(_figure(src, f"{name}: polarity confusion matrix") for name, src in confusion_files.items()),
              "</div>", "<h2>Calibration of theme probabilities</h2>",
              _figure(RELIABILITY_FILE, "Reliability diagram of theme probabilities"),
              _figure(POLARITY_RELIABILITY_FILE, "Polarity scores before and after temperature scaling")]
    if bench is not None:
        parts += index_html_bench(bench)
    if comparison.warnings:
        parts += ["<h2>Warnings</h2><ul>",
                  *(f"<li class=warning>{html.escape(w)}</li>" for w in comparison.warnings), "</ul>"]
    return (f"<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
            f'<meta name="generator" content="sendclf">'
            f"<meta name=viewport content='width=device-width, initial-scale=1'>"
            f"<title>sendclf model comparison</title><style>\n{stylesheet()}</style></head>\n<body>\n"
            + "\n".join(parts) + "\n</body></html>\n")


def index_html_bench(bench: dict) -> list[str]:
    return ["<h2>Speed and memory</h2>",
            f"<p class=note>From {BENCH_FILE} (<code>sendclf bench</code>), measured "
            f"{html.escape(bench['measured'])} on {html.escape(bench['machine']['summary'])}; it may "
            f"predate the models above. {prose(bench_note(bench))}</p>",
            to_html(Table(*bench_table(bench)))]


def read_bench(path: Path) -> dict | None:
    """The last `sendclf bench` results, if there are any this version can show."""
    try:
        bench = json.loads(path.read_text(encoding="utf-8"))
        index_html_bench(bench)  # raises on an older or damaged file
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return bench


def _theme_names() -> dict[str, str]:
    """Theme id -> name from configs/labels.yaml; ids stand for themselves if it cannot be read."""
    from sendclf.labels import load_labels

    try:
        return {label.id: label.name for label in load_labels().themes}
    except (OSError, SendclfError):
        return {}


# --- the whole report -----------------------------------------------------------------------------------


def build_report(models: dict[str, TrainingResults], config: EvalConfig, out_dir: Path = REPORTS
                 ) -> list[Path]:
    """Write comparison.md, the figures and index.html into `out_dir`; return the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    comparison = comparing.compare(models, config)
    theme_names = _theme_names()
    written = [out_dir / COMPARISON_FILE]
    lead = "\n\n".join(lead_sentences(comparison, models, theme_names))
    markdown = shown.to_markdown(comparison)
    if lead:
        markdown = markdown.replace("\n\n", f"\n\n{lead}\n\n", 1)  # after the title
    _write_text(written[0], markdown)

    confusion_files = {}
    for name, results in models.items():
        file = f"{CONFUSION_PREFIX}{slug(name)}.png"
        _save(confusion_figure(name, results.scores.confusion), out_dir / file)
        confusion_files[name] = file
    for stale in out_dir.glob(f"{CONFUSION_PREFIX}*.png"):
        if stale.name not in confusion_files.values():
            stale.unlink()
    _save(theme_f1_figure(comparison), out_dir / THEME_F1_FILE)
    curves = {name: reliability(m.out_of_fold, m.theme_ids) for name, m in models.items() if m.out_of_fold}
    _save(reliability_figure(curves), out_dir / RELIABILITY_FILE)
    polarity_curves = {}
    for name, m in models.items():
        for calibrated, when in ((False, "before"), (True, "after")):
            curve = polarity_reliability(m.out_of_fold or [], m.polarity_ids, calibrated)
            if curve:
                polarity_curves[f"{name}, {when}"] = curve
    _save(reliability_figure(polarity_curves, POLARITY_TITLE, POLARITY_X, POLARITY_Y),
          out_dir / POLARITY_RELIABILITY_FILE)
    written += [out_dir / f for f in confusion_files.values()]
    written += [out_dir / THEME_F1_FILE, out_dir / RELIABILITY_FILE, out_dir / POLARITY_RELIABILITY_FILE]

    bench = read_bench(out_dir / BENCH_FILE)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    _write_text(out_dir / INDEX_FILE, index_html(comparison, confusion_files, bench, generated, models,
                                                 theme_names))
    written.append(out_dir / INDEX_FILE)
    return written
