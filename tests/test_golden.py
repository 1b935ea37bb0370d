"""`sendclf classify` end to end against committed output: the inputs of docs/examples/ (articles, a web page
and a PDF letter, with an articles.yaml naming their areas), labelled by the tiny TF-IDF model trained in the
run from the fixed sentences of tiny_model.py, give exactly the JSONL, the overview by area and the titles,
areas and paragraphs of the HTML page that the files in tests/golden/ hold.

The model is trained on one thread (conftest.py): TF-IDF fits its theme regressions side by side, and
liblinear's random generator is shared between them, so two threads can move a weight by 1e-5 and a score's
fourth decimal. Regenerate the files only for an intended change of output:
SENDCLF_UPDATE_GOLDEN=1 pytest tests/test_golden.py. (No golden file comes from a transformer: its int8
encoder's output differs between CPU kinds.)
"""

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sendclf.cli import app
from sendclf.paths import ROOT

GOLDEN = Path(__file__).parent / "golden"
EXAMPLES = ["docs/examples/articles", "docs/examples/letter.pdf"]  # relative: the sources are printed
UPDATE = os.environ.get("SENDCLF_UPDATE_GOLDEN") == "1"
SECTION = re.compile(r'<section class="doc" id="doc-\d+"><header class="doc-head"><h2>(.*?)</h2>'
                     r'<p class="meta">(.*?)</p></header><div class="sentences">(.*?)</div><aside', re.DOTALL)


def classify(model_dir: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["classify", "--model", str(model_dir), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def outline(page: str) -> str:
    """Per document of the HTML page: its title, its meta line (source and area), and how many sentences
    each of its paragraphs holds."""
    lines = []
    for title, meta, body in SECTION.findall(page):
        paragraphs = [part.count("<details") for part in body.split('<div class="para">')[1:]]
        lines.append(f"{title} | {meta} | {paragraphs}")
    return "\n".join(lines) + "\n"


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed: see the module docstring"


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_examples_jsonl(model_dir, at_root):
    text = classify(model_dir, *EXAMPLES, "-f", "jsonl")
    assert len(text.splitlines()) > 20
    check("examples.jsonl", text)


def test_examples_overview_by_area(model_dir, at_root):
    text = classify(model_dir, EXAMPLES[0], "-f", "json", "--summary")
    assert json.loads(text)["rows"] == "area"
    check("examples-overview.json", text)


def test_examples_titles_areas_and_paragraphs(model_dir, at_root):
    text = outline(classify(model_dir, *EXAMPLES, "-f", "html"))
    assert len(text.splitlines()) == 4
    check("examples-outline.txt", text)
