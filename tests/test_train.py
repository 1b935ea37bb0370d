import json

import pytest

from sendclf import train as train_module
from sendclf.api import label
from sendclf.errors import SendclfError
from sendclf.models.registry import load_model
from sendclf.results import load_results
from sendclf.train import train


def test_train_writes_a_complete_model_directory(tmp_path, trainable_seeds):
    out = tmp_path / "models" / "tfidf"
    metrics = train("tfidf", out_dir=out, seeds=trainable_seeds, quiet=True)
    assert {p.name for p in out.iterdir()} >= {"model.json", "metrics.json", "config.yaml", "README.md"}
    assert load_results(out) == metrics
    assert metrics.articles == ["north", "south", "east"]
    assert len(metrics.out_of_fold) == 18
    headline = metrics.scores.headline["polarity_macro_f1"]
    assert headline.ci[0] <= headline.value <= headline.ci[1]
    assert "majority" == metrics.reference.model
    assert "| polarity macro-F1 |" in (out / "README.md").read_text()
    assert label(load_model(out), ["Waiting times are too long."])[0].polarity in ("weakness", "strength",
                                                                                    "neutral")
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")], "staging dir left behind"


def test_failed_training_leaves_the_old_model(tmp_path, trainable_seeds, monkeypatch):
    out = tmp_path / "tfidf"
    train("tfidf", out_dir=out, seeds=trainable_seeds, quiet=True)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def failing_card(*_):  # fails after the model and metrics.json are already in the staging folder
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(train_module, "model_card", failing_card)
    with pytest.raises(OSError, match="No space left"):
        train("tfidf", out_dir=out, seeds=trainable_seeds, quiet=True, settings=["theme_c=1.0"])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left behind


def test_written_corpus_trains_every_fold_and_is_never_scored(tmp_path, trainable_seeds):
    written = trainable_seeds / "written"
    written.mkdir()
    rows = [{"id": f"w-{i}", "text": f"Families wait far too long for therapy number {i}.",
             "polarity": "weakness", "themes": ["health_access"], "register": "news", "area": "Invented"}
            for i in range(4)]
    (written / "batch.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with_corpus = train("tfidf", out_dir=tmp_path / "a", seeds=trainable_seeds, quiet=True)
    assert with_corpus.n_written == 4 and len(with_corpus.out_of_fold) == 18
    without = train("tfidf", out_dir=tmp_path / "b", seeds=trainable_seeds, quiet=True, written_corpus=False)
    assert without.n_written == 0 and without.evaluation.written_corpus is False


def test_set_overrides_are_checked_like_the_config_file(tmp_path, trainable_seeds):
    metrics = train("tfidf", out_dir=tmp_path / "m", seeds=trainable_seeds, quiet=True,
                    settings=["theme_c=2"])
    assert "theme_c: 2.0" in (tmp_path / "m" / "config.yaml").read_text()
    assert metrics.hardware["cpu"]
    with pytest.raises(SendclfError, match="unknown key 'nonsense'"):
        train("tfidf", out_dir=tmp_path / "m", seeds=trainable_seeds, quiet=True, settings=["nonsense=1"])
    with pytest.raises(SendclfError, match="expected key=value"):
        train("tfidf", out_dir=tmp_path / "m", seeds=trainable_seeds, quiet=True, settings=["theme_c"])


def test_the_dev_set_scores_the_final_model_and_never_trains_it(tmp_path, trainable_seeds):
    from sendclf.compare import compare, load_eval_config
    from sendclf.comparison_tables import to_markdown

    (trainable_seeds / "dev").mkdir()
    rows = [{"id": f"d-{i}", "text": text, "polarity": polarity, "themes": [theme], "register": "news",
             "area": "Invented"}
            for i, (text, polarity, theme) in enumerate([
                ("Children wait two years for CAMHS in Invented.", "weakness", "health_access"),
                ("Outcomes in the early years are strong in Invented.", "strength", "outcomes"),
                ("Inspectors visited Invented in March.", "neutral", "other")])]
    (trainable_seeds / "dev" / "dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (trainable_seeds / "dev-hard").mkdir()
    (trainable_seeds / "dev-hard" / "hard.jsonl").write_text(
        "".join(json.dumps({**r, "id": f"h-{i}"}) + "\n" for i, r in enumerate(rows[:2])))
    metrics = train("tfidf", out_dir=tmp_path / "m", seeds=trainable_seeds, quiet=True)
    assert metrics.n_written == 0 and len(metrics.out_of_fold) == 18  # not trained on, not in the CV
    assert metrics.dev.n_sentences == 3 and [r.id for r in metrics.dev.predictions] == ["d-0", "d-1", "d-2"]
    model = load_model(tmp_path / "m")
    assert [r.polarity for r in metrics.dev.predictions] == [
        p.polarity for p in label(model, [r["text"] for r in rows])]
    assert "dev set of 3" in (tmp_path / "m" / "README.md").read_text()
    assert metrics.hard_dev.n_sentences == 2
    assert "hard dev set of 2" in (tmp_path / "m" / "README.md").read_text()
    markdown = to_markdown(compare({"m": metrics}, load_eval_config()))
    assert "## The written dev set (3 sentences" in markdown
    assert "## The hard dev set (2 sentences" in markdown
