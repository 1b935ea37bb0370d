"""Shared fixtures: the real label contract, tiny seeds folders, and the tiny models of tiny_model.py, each
trained once per test run (session scope). A test that changes a model folder copies it first."""

import json
from pathlib import Path

import pytest

from sendclf.labels import load_labels


@pytest.fixture(scope="session")
def labels():
    return load_labels()


def write_seeds(root: Path, articles: dict[str, str], labels: list[dict]) -> Path:
    """A seeds folder with one file per article, a manifest and a labels file."""
    (root / "articles").mkdir(parents=True, exist_ok=True)
    manifest = []
    for article_id, text in articles.items():
        (root / "articles" / f"{article_id}.txt").write_text(text, encoding="utf-8")
        manifest.append(f"- id: {article_id}\n  file: articles/{article_id}.txt\n  area: {article_id}\n")
    (root / "articles.yaml").write_text("".join(manifest), encoding="utf-8")
    (root / "labels.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in labels), encoding="utf-8")
    return root


@pytest.fixture
def tiny_seeds(tmp_path):
    articles = {
        "alpha": "Waiting times for therapy are too long.\nParents praise the local offer.\n",
        "beta": "Ofsted inspected the area in March.\n",
    }
    records = [
        {"id": "alpha-000", "text": "Waiting times for therapy are too long.",
         "polarity": "weakness", "themes": ["health_access"]},
        {"id": "alpha-001", "text": "Parents praise the local offer.",
         "polarity": "strength", "themes": ["local_offer", "coproduction"]},
        {"id": "beta-000", "text": "Ofsted inspected the area in March.",
         "polarity": "neutral", "themes": ["other"]},
    ]
    return write_seeds(tmp_path / "seeds", articles, records), articles, records


TRAINABLE = {
    "weakness": ("health_access", ["Waiting times for therapy are too long.",
                                   "Children wait two years for CAMHS appointments."]),
    "strength": ("outcomes", ["Children achieve well in primary schools.",
                              "Outcomes in the early years are strong."]),
    "neutral": ("other", ["Inspectors visited the area in March.",
                          "The council must write a statement of action."]),
}


def write_trainable_seeds(root: Path) -> Path:
    """Three small articles with every polarity in each: enough for leave-one-area-out training."""
    articles, records = {}, []
    for name in ("north", "south", "east"):
        lines = []
        for polarity, (theme, sentences) in TRAINABLE.items():
            for sentence in sentences:
                lines.append(f"{sentence[:-1]} in {name}.")
                records.append({"id": f"{name}-{len(lines) - 1:03d}", "text": lines[-1], "polarity": polarity,
                                "themes": [theme]})
        articles[name] = "\n".join(lines) + "\n"
    return write_seeds(root, articles, records)


@pytest.fixture
def trainable_seeds(tmp_path):
    return write_trainable_seeds(tmp_path / "trainable")


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory, labels) -> Path:
    """The tiny TF-IDF model (`tiny_model.train_tiny_model`), named "tiny"."""
    from tiny_model import train_tiny_model

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SENDCLF_THREADS", "1")  # TF-IDF's theme regressions fit side by side are not bit-stable
        return train_tiny_model(tmp_path_factory.mktemp("model") / "tiny", labels)


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory) -> Path:
    """A random two-layer BERT with the packaged MiniLM's tokenizer (`tiny_model.build_tiny_bert`)."""
    pytest.importorskip("torch")
    from tiny_model import build_tiny_bert

    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def trained_models(tmp_path_factory) -> list[Path]:
    """Two TF-IDF models trained by `sendclf train` ("sharp" and "blunt": `tiny_model.train_models`)."""
    from tiny_model import train_models

    return train_models(tmp_path_factory.mktemp("trained"))
