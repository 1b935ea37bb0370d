"""Distillation: a teacher fitted on the written corpus alone labels the pool; a student learns from it."""

import json

import numpy as np
import pytest

from sendclf import distill
from sendclf.errors import SendclfError
from sendclf.models.registry import build_model
from sendclf.soft_targets import SoftTargets
from sendclf.targets import Targets

WRITTEN = [("Families wait two years for speech therapy.", "weakness", "health_access"),
           ("Therapy waits are far too long here.", "weakness", "health_access"),
           ("The early years outcomes are strong.", "strength", "outcomes"),
           ("Children achieve well in their schools.", "strength", "outcomes"),
           ("Inspectors visited in the spring.", "neutral", "other"),
           ("The report was published on Monday.", "neutral", "other")]
POOL = ["Parents say the wait for therapy is endless.", "Pupils do well at school.", "The visit was in June."]


@pytest.fixture
def seeds(trainable_seeds):
    (trainable_seeds / "written").mkdir()
    (trainable_seeds / "written" / "w.jsonl").write_text("".join(
        json.dumps({"id": f"w{i}", "text": t, "polarity": p, "themes": [th], "register": "news", "area": "X"})
        + "\n" for i, (t, p, th) in enumerate(WRITTEN)))
    (trainable_seeds / "pool").mkdir()
    (trainable_seeds / "pool" / "p.jsonl").write_text(
        "".join(json.dumps({"id": f"p{i}", "text": t}) + "\n" for i, t in enumerate(POOL)))
    return trainable_seeds


def test_the_teacher_sees_only_the_written_corpus_and_labels_the_pool(seeds, labels, monkeypatch):
    from sendclf.models.tfidf import TfidfClassifier

    seen = []

    original = TfidfClassifier.fit

    def spy(self, data):
        seen.extend(data.texts)
        return original(self, data)

    monkeypatch.setattr(TfidfClassifier, "fit", spy)
    targets = distill.make_targets("tfidf", seeds, quiet=True)
    assert sorted(seen) == sorted(t for t, _, _ in WRITTEN)
    assert [r["text"] for r in targets["rows"]] == POOL and "never a seed sentence" in targets["trained_on"]
    path = seeds / "pool" / "targets-tfidf.json"
    path.write_text(json.dumps(targets))
    soft = SoftTargets.load(path, labels)
    texts, polarity, themes, digest = soft.texts, soft.polarity, soft.themes, soft.digest
    assert texts == POOL and polarity.shape == (3, 3) and themes.shape == (3, len(labels.themes))
    np.testing.assert_allclose(polarity.sum(axis=1), 1.0, atol=1e-6)
    assert polarity[0].argmax() == labels.polarity_ids.index("weakness") and len(digest) == 64


def test_a_bad_pool_or_targets_file_is_one_line(seeds, labels, tmp_path):
    (seeds / "pool" / "p.jsonl").write_text('{"id": "p0"}\n')
    with pytest.raises(SendclfError, match="a pool line is"):
        distill.read_pool(seeds)
    with pytest.raises(SendclfError, match="cannot read distillation targets"):
        SoftTargets.load(tmp_path / "missing.json", labels)
    (tmp_path / "bad.json").write_text(json.dumps({"polarity_ids": ["a"], "theme_ids": [], "rows": []}))
    with pytest.raises(SendclfError, match="other labels"):
        SoftTargets.load(tmp_path / "bad.json", labels)


def test_the_student_fine_tunes_on_the_soft_rows(seeds, labels, monkeypatch, tmp_path, tiny_bert):
    from dataclasses import replace

    from sendclf.models import transformer as tr
    from sendclf.models.transformer import TransformerConfig

    path = tmp_path / "targets.json"
    path.write_text(json.dumps(distill.make_targets("tfidf", seeds, quiet=True)))
    config = TransformerConfig(encoder=str(tiny_bert), epochs=1, batch_size=4,
                               max_length=32, probe_epochs=1, threads=1, train_precision="float32",
                               distill_targets=str(path))
    polarity = np.array([labels.polarity_ids.index(p) for _, p, _ in WRITTEN])
    themes = np.eye(len(labels.themes), dtype=np.float32)[[labels.theme_ids.index(t) for *_, t in WRITTEN]]
    n = len(WRITTEN)
    written = Targets([t for t, _, _ in WRITTEN], polarity, themes, themes.argmax(axis=1),
                           np.array(["X"] * n), np.ones(n, bool))
    seen = {}
    real = tr.TransformerClassifier._examples

    def spy(self, data, tokenizer, soft=None):
        seen.setdefault("texts", []).append(self._texts(data, soft))
        return real(self, data, tokenizer, soft)

    monkeypatch.setattr(tr.TransformerClassifier, "_examples", spy)
    student = build_model("transformer", config, labels)
    student.show_progress = False
    student.fit(written)
    assert all(t in seen["texts"][0] for t in POOL)  # stage 1: the pool's soft rows
    assert not any(t in seen["texts"][-1] for t in POOL)  # stage 2's heads: the labelled rows only
    plain = build_model("transformer", replace(config, distill_targets=None), labels)
    plain.show_progress = False
    assert not np.allclose(plain.fit(written).predict_proba(POOL)[0], student.predict_proba(POOL)[0])
