"""The `sendclf` command line: parses arguments, calls the library, prints. No work happens here."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sendclf.errors import SendclfError
from sendclf.paths import MODELS, REPORTS, SEEDS

if TYPE_CHECKING:  # the library is imported inside each command, so `--help` stays fast
    from sendclf.inputs import Reading
    from sendclf.results import TrainingResults

MODEL_HELP = ("A model name (tfidf, transformer, ensemble, transformer-large, ensemble-large) or a model "
              "directory (default: the trained one with the best dev figures in its own records).")
app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Label sentences of SEND local-area inspection coverage by polarity and theme.")
out = Console()
err = Console(stderr=True)


@app.callback()
def main() -> None:
    """Label sentences of SEND local-area inspection coverage by polarity and theme."""


def friendly(command):
    """Turn a SendclfError into one line on stderr and exit code 1, never a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except SendclfError as error:
            err.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    return wrapper


@app.command()
@friendly
def data(
    seeds: Path = typer.Option(SEEDS, help="Folder with articles.yaml, articles/ and labels.jsonl."),
    add: Path | None = typer.Option(None, "--add", help="A `sendclf suggest` file: take its lines marked "
                                    '"labelled": true into seeds/labelled/ first.'),
    area: str = typer.Option("unknown", help="With --add: the local area of lines that name none."),
    register: str = typer.Option("news", help="With --add: news or letter."),
):
    """Load and validate the seed labels and the training-only sentences; print label counts per article."""
    from datasets import concatenate_datasets

    from sendclf.data import count_table, load_dataset, load_written_dataset
    from sendclf.labels import load_labels

    labels = load_labels()
    if add is not None:
        from sendclf.data import add_labelled

        if register not in ("news", "letter"):
            raise SendclfError(f"--register must be news or letter, got {register!r}")
        added, skipped, target = add_labelled(add, labels, seeds, area, register)
        err.print(f"added {added} labelled sentences to {escape(str(target))}; skipped {skipped} (not marked "
                  f'"labelled": true, or already there)', highlight=False, soft_wrap=True)
    dataset = load_dataset(labels, seeds)
    written = load_written_dataset(labels, seeds)
    columns, rows = count_table(concatenate_datasets([dataset, written]) if len(written) else dataset, labels)
    table = Table(title=f"{len(dataset)} labelled seed sentences in {len(set(dataset['article']))} articles "
                        f"and {len(written)} training-only (written or added) sentences: valid")
    table.add_column("label", no_wrap=True)
    for column in columns:
        table.add_column(column, justify="right")
    for name, values in rows:
        table.add_row(name, *(str(v) if v else "·" for v in values),
                      end_section=name in ("sentences", f"polarity: {labels.polarity_ids[-1]}"))
    out.print(table)


@app.command()
@friendly
def train(
    names: list[str] = typer.Argument(..., metavar="MODEL...", show_default=False,
                                      help="Models of configs/models.yaml: tfidf, transformer, ensemble, "
                                           "transformer-large, ensemble-large. Several train in one process, "
                                           "so an ensemble reuses its members' shared stages."),
    config: Path | None = typer.Option(None, help="Config YAML (default configs/<model>.yaml); one model."),
    out: Path | None = typer.Option(None, help="Model directory (default models/<model>); one model."),
    models_dir: Path = typer.Option(MODELS, "--models-dir", help="Write each model to DIR/<model>."),
    seeds: Path = typer.Option(SEEDS, help="Folder with articles.yaml, articles/ and labels.jsonl."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    set_: list[str] = typer.Option([], "--set", help="Override a config key: --set epochs=3 (repeatable)."),
    written: bool | None = typer.Option(None, "--written/--no-written",
                                        help="Train on seeds/written/ too (default: configs/evaluate.yaml)."),
):
    """Cross-validate by local area, fit on all sentences, and write the model directory."""
    from sendclf.train import train as run

    if len(names) > 1 and (config or out):
        raise SendclfError("--config and --out name one model's files: train one model at a time with them")
    for name in names:
        directory = out or models_dir / name
        metrics = run(name, config, directory, seeds=seeds, quiet=quiet, settings=set_,
                      written_corpus=written)
        print_metrics(metrics, directory)


@app.command()
@friendly
def distill(
    teacher: str = typer.Argument(..., help="The teacher: a model of configs/models.yaml (ensemble-large)."),
    seeds: Path = typer.Option(SEEDS, help="Folder with written/ (the teacher's training data) and pool/."),
    output: Path | None = typer.Option(None, "--out", help="Targets file (default "
                                       "seeds/pool/targets-<teacher>.json)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
):
    """Fit a teacher on the written corpus alone and keep its probabilities on the unlabelled pool as data."""
    import json

    from sendclf.atomic import write_text
    from sendclf.distill import make_targets
    from sendclf.soft_targets import targets_path

    targets = make_targets(teacher, seeds, quiet)
    path = output or targets_path(teacher, seeds)
    write_text(path, json.dumps(targets, ensure_ascii=False) + "\n")
    out.print(f"wrote the {teacher} teacher's targets for {len(targets['rows'])} pool sentences to "
              f"{escape(str(path))} ({targets['seconds']} s)", highlight=False)


@app.command()
@friendly
def encoders():
    """Check the pretrained encoders pip installed (all-mpnet-base-v2: joined once, size and sha256)."""
    from sendclf.encoders import check_encoders

    for name, folder in check_encoders().items():
        out.print(f"{name}: {escape(folder)}", highlight=False, soft_wrap=True)


@app.command()
@friendly
def evaluate(model_dir: Path = typer.Argument(..., help="A trained model directory, e.g. models/tfidf.")):
    """Print the cross-validated metrics of a trained model."""
    from sendclf.results import load_results

    print_metrics(load_results(model_dir), model_dir)


MODEL_DIRS_HELP = "Trained model directories (default: every one under models/)."


@app.command()
@friendly
def compare(
    model_dirs: list[Path] | None = typer.Argument(None, metavar="MODEL_DIR", show_default=False,
                                                   help=MODEL_DIRS_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help="table, markdown or json."),
):
    """Compare trained models: headline metrics, paired-bootstrap differences and per-theme F1."""
    from sendclf import comparison_tables as lib
    from sendclf import trained
    from sendclf.compare import compare as run
    from sendclf.compare import load_eval_config
    from sendclf.tables import to_rich

    lib.check_format(fmt)
    comparison = run(trained.records(model_dirs or trained.find_models()), load_eval_config())
    if fmt == "markdown":
        typer.echo(lib.to_markdown(comparison), nl=False)
    elif fmt == "json":
        typer.echo(lib.to_json(comparison), nl=False)
    else:
        for table, no_wrap in lib.terminal_tables(comparison):
            out.print(to_rich(table, no_wrap))
        out.print(lib.difference_note(comparison), highlight=False)
        for warning in comparison.warnings:
            err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)


@app.command()
@friendly
def report(
    model_dirs: list[Path] | None = typer.Argument(None, metavar="MODEL_DIR", show_default=False,
                                                   help=MODEL_DIRS_HELP),
    out_dir: Path = typer.Option(REPORTS, "--out", help="Folder for comparison.md, the figures, index.html."),
):
    """Write the comparison report: markdown, figures and an HTML page that shows them together."""
    from sendclf import trained
    from sendclf.compare import load_eval_config
    from sendclf.report import build_report

    models = trained.records(model_dirs or trained.find_models())
    written = build_report(models, load_eval_config(), out_dir)
    for path in written:
        out.print(f"wrote {escape(str(path))}", highlight=False)


@app.command()
@friendly
def bench(
    model_dirs: list[Path] | None = typer.Argument(None, metavar="MODEL_DIR", show_default=False,
                                                   help=MODEL_DIRS_HELP),
    runs: int = typer.Option(5, help="Timed repetitions; medians are reported."),
    sentences: int = typer.Option(1000, help="Sentences per batch for the inference speed."),
    retrain: bool = typer.Option(False, "--retrain", help="Also retrain each model to measure its peak "
                                                          "training memory (minutes for a transformer)."),
    out_dir: Path = typer.Option(REPORTS, "--out", help="Folder for bench.json."),
):
    """Measure every trained model: fit and CV time, peak memory, inference speed, classify cold start."""
    from sendclf import bench as lib
    from sendclf import tables
    from sendclf.results import load_results
    from sendclf.trained import find_models, named

    models = {name: (d, load_results(d)) for name, d in named(model_dirs or find_models()).items()}
    result = lib.bench(models, runs=runs, n_sentences=sentences, with_retrain=retrain,
                       log=lambda line: err.print(escape(line), style="dim", highlight=False))
    path = lib.write(result, out_dir)
    title = f"{result['machine']['summary']}; medians of {runs} runs"
    out.print(tables.to_rich(tables.Table(*lib.bench_table(result), title=title)))
    out.print(lib.bench_note(result), style="dim", highlight=False)
    for problem in lib.errors(result):
        err.print(f"[yellow]warning:[/] {escape(problem)}", highlight=False)
    out.print(f"wrote {escape(str(path))}", highlight=False)


@app.command()
@friendly
def classify(
    paths: list[str] | None = typer.Argument(
        None, metavar="PATH", show_default=False,
        help="Articles (.txt, .md), web pages (.html, .htm), letters (.pdf with a text layer, .docx), "
             "sentences (.jsonl: one {\"text\", \"id\"} per line), folders of these (with their subfolders), "
             "or - for stdin (the default): an article, or JSONL if it starts with {. A file that cannot be "
             "read is a line on stderr and exit code 1; the others are still classified."),
    model: str | None = typer.Option(
        None, "--model", "-m", show_default=False,
        help=MODEL_HELP),
    fmt: str | None = typer.Option(
        None, "--format", "-f", show_default=False,
        help="table, jsonl, csv, json, html or parquet (default: from the --output suffix, else table); "
             "parquet needs --output."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here (atomically), not stdout."),
    threshold: str | None = typer.Option(
        None, metavar="X", help="One threshold (0-1) for every theme instead of the model's own."),
    evidence: bool | None = typer.Option(
        None, "--evidence/--no-evidence", show_default=False,
        help="Add the 3 most similar labelled training sentences per sentence (default: on for json, "
             "jsonl and html)."),
    summary: bool = typer.Option(False, "--summary", help="Only the overview across documents (or the areas "
                                 "an articles.yaml names): table, csv (a spreadsheet matrix) or json."),
):
    """Label every sentence of new articles with a polarity and themes, and summarise each article."""
    from sendclf import api, render

    fmt = render.output_format(fmt, output, summary)
    theme_threshold = api.parse_threshold(threshold)
    reading = read_inputs(paths or [], read_stdin(paths))
    labeller = api.load_model(model, threshold=theme_threshold)
    print_reading(labeller.notes, reading)
    run = labeller.label(reading.documents, evidence=render.shows_evidence(fmt, summary, evidence),
                         progress=err if err.is_terminal else None)
    to_terminal = output is None and out.is_terminal
    text = render.render(run, fmt, width=out.width if to_terminal else render.DEFAULT_WIDTH,
                         color=to_terminal, summary=summary)
    deliver(text, output, f"{run.n_sentences} sentences from {len(run.documents)} document(s)")
    finish(reading)


@app.command()
@friendly
def suggest(
    paths: list[str] = typer.Argument(..., metavar="POOL...", show_default=False,
                                      help="Unlabelled articles, pages, letters (.pdf, .docx), .jsonl "
                                           "files or folders (with their subfolders)."),
    n: int = typer.Option(20, "--n", help="How many sentences to suggest."),
    model: str | None = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the JSONL here, not stdout."),
):
    """Rank sentences of unlabelled articles by what labelling them would teach the model; JSONL to label."""
    import json

    from sendclf import api
    from sendclf.suggest import suggest as run

    reading = read_inputs(paths)
    labeller = api.load_model(model)
    print_reading(labeller.notes, reading)
    records = run(labeller.classifier, reading.documents, n)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    deliver(text, output, f"{len(records)} sentences to label")
    finish(reading)


# ---- the terminal: what the commands read from it and print ------------------------------------------


def read_stdin(paths: list[str] | None) -> bytes | None:
    """The bytes piped in, when the inputs name stdin (or name nothing); a terminal is no input."""
    import sys

    from sendclf.inputs import STDIN

    if not paths and sys.stdin.isatty():
        raise SendclfError("no input: give a PATH (article, web page, letter, .jsonl or folder) or pipe "
                           "text in")
    return sys.stdin.buffer.read() if not paths or STDIN in paths else None


def deliver(text: str | bytes, output: Path | None, what: str) -> None:
    """Results to stdout, or swapped whole into `output` with a line on stderr saying so."""
    from sendclf.atomic import write_file, write_text

    if output is None:
        write_stdout(text)
    elif isinstance(text, bytes):
        write_file(output, lambda temp: temp.write_bytes(text))
    else:
        write_text(output, text)
    if output is not None:
        err.print(f"wrote {what} to {escape(str(output))}", highlight=False, soft_wrap=True)


def write_stdout(text: str) -> None:
    """Print results; a reader that stops early (`| head`) ends the output quietly, not with a traceback."""
    import os
    import sys

    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail again


# What classify and suggest print on stderr, always in this order: the model's notes; then a line per file,
# in input order (`note:` how it was read, `skipped:` a page sendclf wrote, `error:` why it could not be
# read, with the fix); then the summary (`note: ignored ...` the folders' files that are not documents;
# `wrote ...` where the output went; `error: N of M documents could not be read ...`, and exit code 1).
# What could be read is still classified and written: a partial output comes with exit code 1.


def read_inputs(paths: list[str], stdin: bytes | None = None) -> Reading:
    """The inputs, read before any model loads; when none can be classified, the files' lines and the
    error."""
    from sendclf import inputs

    reading = inputs.read_inputs(paths, stdin)
    if not reading.documents:
        if len(reading.lines) > 1:
            print_reading([], reading)
        raise SendclfError(reading.nothing_read())
    return reading


def print_reading(model_notes: list[str], reading: Reading) -> None:
    """The model's notes, a line per file, and the folders' files that were ignored (the order above)."""
    from sendclf.inputs import FAILED, SKIPPED

    print_notes(model_notes)
    for kind, line in reading.lines:
        if kind == FAILED:
            err.print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)
        elif kind == SKIPPED:
            err.print(f"[yellow]skipped:[/] {escape(line)}", highlight=False, soft_wrap=True)
        else:
            print_notes([line])
    print_notes(reading.ignored_note())


def finish(reading: Reading) -> None:
    """The last line when documents could not be read, and exit code 1 (the rest was written)."""
    partial = reading.partial()
    if partial:
        err.print(f"[bold red]error:[/] {escape(partial)}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)


def print_notes(notes) -> None:
    """What the user should hear about how the inputs were read and how the model serves here."""
    for note in notes:
        if note:
            err.print(f"note: {escape(note)}", highlight=False, soft_wrap=True)


def print_metrics(results: TrainingResults, model_dir: Path) -> None:
    from sendclf.card import headline_columns
    from sendclf.tables import headline_table, to_rich

    ci = int(results.evaluation.confidence * 100)
    written = results.n_written
    title = (f"{results.model} ({model_dir}): leave-one-area-out CV over {results.n_sentences} seed sentences"
             + (f", trained with {written} written ones" if written else ""))
    table = headline_table(headline_columns(results, f"[{ci}% CI]"), title=title)
    out.print(to_rich(table, no_wrap=range(len(table.header))))
    hardware = results.hardware
    details = ", ".join(f"{k} {v}" for k, v in hardware.items() if k != "cpu")
    out.print(f"CV {results.seconds.cv} s, final fit {results.seconds.final_fit} s, "
              f"seed {results.seed}; {details}; on {hardware.get('cpu', 'an unrecorded CPU')}",
              highlight=False)
