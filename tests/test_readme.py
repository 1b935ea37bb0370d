"""The README runs as printed: its `sendclf` shell lines, in order, then its Python block, against tiny models
and the files in docs/examples/, in a fresh folder. `make` lines are not run (they take minutes).

Each line runs in bash, so pipes and quotes work as a user types them. The models are the tiny TF-IDF ones
trained by `sendclf train` (SENDCLF_MODELS points at them), and `data --add` writes into a copy of tiny
seeds (SENDCLF_SEEDS), never into the repository's.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_letters import docx_file

from sendclf.paths import ROOT

README = ROOT / "README.md"
SENDCLF_LINE = re.compile(r"(?:^|\|\s*)\.venv/bin/sendclf\s")
COMMENT = re.compile(r"\s+#\s.*$")
PLACEHOLDER = re.compile(r"<your [^>]+>")
LINE_SECONDS = 60

ARTICLE = ("Families in Testshire wait more than a year for an autism assessment.\n"
           "The parent carer forum helps to shape every new service.\n")
PAGE = ("<html><head><title>Testshire SEND news</title></head><body><article><h1>Testshire</h1>"
        "<p>Children wait two years for CAMHS appointments in Testshire, inspectors found.</p>"
        "<p>Outcomes in the early years are strong, the letter says.</p></article></body></html>")


def fill_placeholders(work: Path) -> dict[str, str]:
    """What a user would type in place of each placeholder, made in `work`."""
    letter = ["Area SEND inspection of Testshire", "Children wait too long for speech and language therapy."]
    (work / "my-letter.docx").write_bytes(docx_file(letter))
    (work / "my-page.html").write_text(PAGE, encoding="utf-8")
    (work / "my-sentences.jsonl").write_text(
        json.dumps({"id": "s1", "text": "Waiting times for therapy are too long."}) + "\n"
        + json.dumps({"text": "Young people achieve well and feel safe."}) + "\n", encoding="utf-8")
    (work / "unlabelled").mkdir()
    (work / "unlabelled" / "article.txt").write_text(ARTICLE, encoding="utf-8")
    return {"<your letter>": "my-letter", "<your page>": "my-page", "<your sentences>": "my-sentences",
            "<your folder>": "unlabelled", "<your area>": "Testshire"}


def mark_checked(work: Path) -> None:
    """The README's manual step after `suggest`: a person checks each suggestion and marks it labelled."""
    path = work / "to_label.jsonl"
    if path.is_file():
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        checked = "".join(json.dumps({**r, "labelled": True}) + "\n" for r in records)
        path.write_text(checked, encoding="utf-8")


def blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def shell_lines() -> list[str]:
    return [COMMENT.sub("", line).strip() for block in blocks("bash") for line in block.splitlines()
            if SENDCLF_LINE.search(line)]


@pytest.fixture
def workspace(tmp_path, trained_models):
    """A fresh folder with docs/ and .venv/bin/sendclf where the README has them, tiny models and seeds."""
    work = tmp_path / "clone"
    (work / ".venv" / "bin").mkdir(parents=True)
    entry = Path(sys.executable).parent / "sendclf"
    assert entry.is_file(), f"no sendclf entry point beside {sys.executable}: run `make setup`"
    (work / ".venv" / "bin" / "sendclf").symlink_to(entry)
    (work / "docs").symlink_to(ROOT / "docs")
    models = work / "models"
    shutil.copytree(trained_models[0], models / "tfidf")
    shutil.copytree(trained_models[1], models / trained_models[1].name)
    shutil.copytree(trained_models[0].parents[1] / "seeds", work / "seeds")
    env = {**os.environ, "SENDCLF_MODELS": str(models), "SENDCLF_SEEDS": str(work / "seeds"),
           "SENDCLF_THREADS": "1", "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
    return work, env


def run(command: list[str], work: Path, env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=LINE_SECONDS)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, f"{command[-1]}\nexit {result.returncode}: {result.stderr}"
    return result


def test_the_readme_has_what_this_test_runs():
    lines = shell_lines()
    assert any("classify" in line for line in lines) and any("suggest" in line for line in lines)
    assert any("data --add" in line for line in lines) and blocks("python")


def test_the_readme_runs_as_printed(workspace):
    work, env = workspace
    values = fill_placeholders(work)
    for line in shell_lines():
        unknown = set(PLACEHOLDER.findall(line)) - set(values)
        assert not unknown, f"no value for {unknown} in this test's table: {line}"
        for placeholder, value in values.items():
            line = line.replace(placeholder, value)
        result = run(["bash", "-c", line], work, env)
        if " suggest " in line:
            mark_checked(work)
        if "data --add" in line:
            assert re.search(r"added [1-9]\d* labelled sentences", result.stderr), result.stderr
    for name in ("page.html", "overview.csv", "labels.csv", "to_label.jsonl"):
        assert (work / name).is_file(), f"the README's commands wrote no {name}"
    assert "Testshire" in (work / "seeds" / "labelled" / "added.jsonl").read_text(encoding="utf-8")
    for block in blocks("python"):
        result = run([sys.executable, "-c", block], work, env)
        assert result.stdout.strip(), "the README's Python printed nothing"
