import json

import pytest

from sendclf.errors import SendclfError
from sendclf.models.base import load_model
from sendclf.train import load_metrics, train


def test_train_writes_a_complete_model_directory(tmp_path, trainable_seeds):
    out = tmp_path / "models" / "tfidf"
    metrics = train("tfidf", out_dir=out, seeds=trainable_seeds, quiet=True)
    assert {p.name for p in out.iterdir()} >= {"model.json", "metrics.json", "config.yaml", "README.md"}
    assert load_metrics(out) == json.loads(json.dumps(metrics))
    assert metrics["articles"] == ["north", "south", "east"]
    assert len(metrics["out_of_fold"]) == 18
    headline = metrics["scores"]["headline"]["polarity_macro_f1"]
    assert headline["ci"][0] <= headline["value"] <= headline["ci"][1]
    assert "majority" == metrics["reference"]["model"]
    assert "| polarity macro-F1 |" in (out / "README.md").read_text()
    assert load_model(out).predict(["Waiting times are too long."])[0].polarity in ("weakness", "strength",
                                                                                    "neutral")
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")], "staging dir left behind"


def test_failed_training_leaves_the_old_model(tmp_path, trainable_seeds):
    out = tmp_path / "tfidf"
    train("tfidf", out_dir=out, seeds=trainable_seeds, quiet=True)
    before = (out / "metrics.json").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text("nonsense: 1\n")
    with pytest.raises(SendclfError, match="unknown key"):
        train("tfidf", config_path=bad, out_dir=out, seeds=trainable_seeds, quiet=True)
    assert (out / "metrics.json").read_text() == before


def test_missing_metrics_is_a_clear_error(tmp_path):
    with pytest.raises(SendclfError, match="sendclf train"):
        load_metrics(tmp_path)
