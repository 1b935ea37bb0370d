"""The Python API: `from sendclf import load_model; load_model(name or dir).classify(texts)`."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tiny_model import TINY_DATA

import sendclf
from sendclf.errors import SendclfError


def test_classify_returns_a_typed_row_per_sentence(model_dir, labels):
    from sendclf import Row, load_model

    model = load_model(model_dir)
    texts = [TINY_DATA["weakness"][1][0], TINY_DATA["strength"][1][0], "Inspectors visited."]
    rows = model.classify(texts)
    assert [type(r) for r in rows] == [Row] * 3 and [r.text for r in rows] == texts
    first = rows[0]
    assert first.polarity == "weakness" and first.themes[0] == "health_access"
    assert list(first.polarity_scores) == labels.polarity_ids and list(first.theme_scores) == labels.theme_ids
    assert first.unsure == (first.polarity_scores[first.polarity] < sendclf.UNSURE_BELOW)
    assert first.evidence["nearest"][0]["text"] == TINY_DATA["weakness"][1][0]
    assert "ngrams" in first.evidence
    assert model.classify(texts, evidence=False)[0].evidence is None
    assert model.classify([]) == []
    assert model.name == "tiny" and model.kind == "tfidf"
    assert model.theme_name("health_access") == "Access to health and therapy services"


def test_rows_match_the_cli(model_dir):
    import json

    from typer.testing import CliRunner

    from sendclf.cli import app

    text = TINY_DATA["neutral"][1][1]
    record = json.loads(CliRunner().invoke(app, ["classify", "-m", str(model_dir), "-f", "jsonl"],
                                           input=json.dumps({"text": text}) + "\n").stdout)
    row = sendclf.load_model(str(model_dir)).classify([text])[0]
    assert (row.polarity, row.polarity_scores, row.themes, row.theme_scores, row.evidence) == (
        record["polarity"], record["polarity_scores"], record["themes"], record["theme_scores"],
        record["evidence"])


def test_a_name_resolves_under_models_like_the_cli(model_dir, monkeypatch, tmp_path):
    import shutil

    models = tmp_path / "models"
    shutil.copytree(model_dir, models / "tfidf")
    monkeypatch.setattr("sendclf.trained.MODELS", models)
    assert sendclf.load_model("tfidf").directory == models / "tfidf"
    assert sendclf.load_model().directory == models / "tfidf"  # the only trained one of configs/models.yaml
    with pytest.raises(SendclfError, match="'transformer' is not trained yet"):
        sendclf.load_model("transformer")


def test_a_threshold_overrides_every_theme(model_dir, labels):
    rows = sendclf.load_model(model_dir, threshold=0.0).classify([TINY_DATA["weakness"][1][0]])
    assert len(rows[0].themes) == len(labels.theme_ids) - 1 or rows[0].themes == [labels.no_theme]


@pytest.mark.parametrize("bad", ["bert", "no/such/folder"])
def test_errors_are_sendclf_errors(bad):
    with pytest.raises(SendclfError):
        sendclf.load_model(bad)


def test_a_damaged_model_is_a_sendclf_error(model_dir, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    (broken / "model.json").write_text("{")
    with pytest.raises(SendclfError):
        sendclf.load_model(broken)


def test_one_string_is_refused(model_dir):
    with pytest.raises(TypeError, match="list of sentences"):
        sendclf.load_model(model_dir).classify("Waits are long.")


def test_import_is_light_and_tfidf_never_imports_torch(model_dir):
    script = textwrap.dedent(f"""
        import sys
        import sendclf
        heavy = ("torch", "transformers", "datasets", "numpy", "sklearn", "sendclf.api")
        print(sorted(m for m in heavy if m in sys.modules))
        rows = sendclf.load_model({str(model_dir)!r}).classify(["Waits are long."])
        print(rows[0].polarity in ("weakness", "strength", "neutral"))
        print(sorted(m for m in ("torch", "transformers", "datasets") if m in sys.modules))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False,
                          cwd=Path(__file__).parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["[]", "True", "[]"]
    assert "load_model" in dir(sendclf)
    with pytest.raises(AttributeError):
        sendclf.no_such_thing  # noqa: B018
