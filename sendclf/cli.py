"""The `sendclf` command line: parses arguments, calls the library, prints. No work happens here."""

from __future__ import annotations

import functools
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from sendclf.errors import SendclfError
from sendclf.paths import SEEDS

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
            err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    return wrapper


@app.command()
@friendly
def data(seeds: Path = typer.Option(SEEDS, help="Folder with articles.yaml, articles/ and labels.jsonl.")):
    """Load and validate the labelled seed corpus; print label counts per article."""
    from sendclf.data import count_table, load_dataset
    from sendclf.labels import load_labels

    labels = load_labels()
    dataset = load_dataset(labels, seeds)
    columns, rows = count_table(dataset, labels)
    table = Table(title=f"{len(dataset)} labelled sentences in {len(columns) - 1} articles: valid")
    table.add_column("label", no_wrap=True)
    for column in columns:
        table.add_column(column, justify="right")
    for name, values in rows:
        table.add_row(name, *(str(v) if v else "·" for v in values),
                      end_section=name in ("sentences", f"polarity: {labels.polarity_ids[-1]}"))
    out.print(table)
