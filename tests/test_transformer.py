"""The fine-tuned transformer, on a tiny random BERT (seconds) and, for loading, the packaged MiniLM."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from sendclf.config import load_config  # noqa: E402
from sendclf.errors import SendclfError  # noqa: E402
from sendclf.models.base import Targets, build_model, load_model  # noqa: E402
from sendclf.models.transformer import (  # noqa: E402
    ENCODER_DIR,
    HEADS_FILE,
    TransformerConfig,
    load_encoder,
    mean_pool,
    packaged_encoder,
)
from sendclf.paths import CONFIGS  # noqa: E402

SENTENCES = {
    ("weakness", "health_access"): ["Waiting times for therapy are too long.",
                                    "Children wait two years for CAMHS appointments."],
    ("strength", "outcomes"): ["Children achieve well in primary schools.",
                               "Young people achieve well and feel safe."],
    ("neutral", "other"): ["Inspectors visited the area in March.",
                           "The report was published on Tuesday."],
}
UNSEEN = ["Therapy waits are long.", "A much longer sentence about how children and young people achieve "
          "well in school and in the early years, and feel safe.", "", "March."]


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory) -> Path:
    """A randomly initialised two-layer BERT with the packaged MiniLM's tokenizer."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    directory = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = AutoTokenizer.from_pretrained(packaged_encoder(), local_files_only=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=32, max_position_embeddings=64)
    BertModel(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture
def config(tiny_encoder) -> TransformerConfig:
    return TransformerConfig(encoder=str(tiny_encoder), epochs=2, batch_size=4, max_length=32,
                             inference_batch_size=3, probe_epochs=1, threads=1)


def targets(labels) -> Targets:
    texts, polarity, themes = [], [], []
    for (polarity_id, theme), sentences in SENTENCES.items():
        for text in sentences:
            row = np.zeros(len(labels.themes), dtype=np.float32)
            row[labels.theme_ids.index(theme)] = 1
            texts.append(text)
            polarity.append(labels.polarity_ids.index(polarity_id))
            themes.append(row)
    themes = np.array(themes)
    return Targets(texts, np.array(polarity), themes, themes.argmax(axis=1),
                   np.array([f"a{i % 2}" for i in range(len(texts))]))


@pytest.mark.parametrize("cosine_scale", [20.0, 0.0], ids=["cosine-heads", "linear-heads"])
def test_fit_save_load_round_trip_gives_identical_probabilities(tmp_path, labels, config, cosine_scale):
    model = build_model("transformer", replace(config, cosine_scale=cosine_scale), labels)
    model.show_progress = False
    model.fit(targets(labels))
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    for a, b in zip(model.predict_proba(UNSEEN), loaded.predict_proba(UNSEEN), strict=True):
        np.testing.assert_array_equal(a, b)
    polarity, themes = loaded.predict_proba(UNSEEN)
    assert polarity.shape == (len(UNSEEN), len(labels.polarities))
    assert themes.shape == (len(UNSEEN), len(labels.themes))
    np.testing.assert_allclose(polarity.sum(axis=1), 1, rtol=1e-5)
    saved = {p.relative_to(tmp_path / "m").as_posix() for p in (tmp_path / "m").rglob("*") if p.is_file()}
    assert {HEADS_FILE, f"{ENCODER_DIR}/model.safetensors", f"{ENCODER_DIR}/config.json"} <= saved
    assert not [p for p in saved if p.endswith((".bin", ".pt", ".pth", ".pkl", ".pickle"))]


def test_same_seed_same_model(labels, config):
    runs = []
    for _ in range(2):
        model = build_model("transformer", config, labels)
        model.show_progress = False
        runs.append(model.fit(targets(labels)).predict_proba(UNSEEN))
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)
    other = build_model("transformer", replace(config, seed=config.seed + 1), labels)
    other.show_progress = False
    assert not np.array_equal(other.fit(targets(labels)).predict_proba(UNSEEN)[1], runs[0][1])


def test_length_sorted_batches_keep_the_input_order(labels, config):
    model = build_model("transformer", replace(config, inference_precision="float32"), labels)
    model.show_progress = False
    model.fit(targets(labels))
    together = model.predict_proba(UNSEEN)
    one_by_one = [model.predict_proba([text]) for text in UNSEEN]
    for k in range(2):
        np.testing.assert_allclose(together[k], np.vstack([p[k] for p in one_by_one]), atol=1e-5)
    empty_polarity, empty_themes = model.predict_proba([])
    assert empty_polarity.shape == (0, len(labels.polarities))
    assert empty_themes.shape == (0, len(labels.themes))


def test_faster_precisions_stay_close_to_float32(labels, config):
    model = build_model("transformer", replace(config, inference_precision="float32"), labels)
    model.show_progress = False
    model.fit(targets(labels))
    exact = model.predict_proba(UNSEEN)
    for precision in ("bfloat16", "int8"):
        model.config = replace(model.config, inference_precision=precision)
        for a, b in zip(model.predict_proba(UNSEEN), exact, strict=True):
            np.testing.assert_allclose(a, b, atol=0.05)


def test_soup_averages_the_weights_of_its_fine_tunes(labels, config, monkeypatch):
    from sendclf.models.transformer import TransformerClassifier

    members = []
    fine_tune = TransformerClassifier._fine_tune

    def recording(self, *args, **kwargs):
        fine_tune(self, *args, **kwargs)
        members.append(self._state())

    monkeypatch.setattr(TransformerClassifier, "_fine_tune", recording)
    model = build_model("transformer", replace(config, soup=2), labels)
    model.show_progress = False
    model.fit(targets(labels))
    assert len(members) == 2
    souped = model._state()
    name = "encoder.encoder.layer.0.attention.self.query.weight"
    assert not torch.equal(members[0][name], members[1][name])  # the two runs differ ...
    for key, value in souped.items():  # ... and the model is their average
        torch.testing.assert_close(value, (members[0][key] + members[1][key]) / 2)


def test_cosine_head_scores_direction_not_length():
    from sendclf.models.transformer import ClassHead

    head = ClassHead(4, 3, cosine_scale=20.0)
    x = torch.randn(5, 4)
    torch.testing.assert_close(head(x), head(7.0 * x))
    cosine = (head(x) - head.bias) / 20.0
    assert cosine.abs().max() <= 1.0 + 1e-6
    linear = ClassHead(4, 3)
    torch.testing.assert_close(linear(x), x @ linear.weight.T + linear.bias)
    assert not torch.allclose(linear(x), linear(7.0 * x))


def test_bfloat16_training_is_deterministic_and_learns(labels, config):
    runs = []
    for _ in range(2):
        model = build_model("transformer", replace(config, train_precision="bfloat16", epochs=30,
                                                   encoder_lr=1e-3), labels)
        model.show_progress = False
        runs.append(model.fit(targets(labels)).predict_proba([s for v in SENTENCES.values() for s in v]))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    gold = np.repeat(np.arange(len(SENTENCES)), 2)
    expected = [labels.polarity_ids.index(p) for p, _ in SENTENCES]
    assert (runs[0][0].argmax(axis=1) == np.array(expected)[gold]).mean() >= 5 / 6


def test_unknown_choices_are_errors(labels, config):
    with pytest.raises(SendclfError, match="inference_precision must be one of"):
        build_model("transformer", replace(config, inference_precision="fp16"), labels)
    with pytest.raises(SendclfError, match="label_examples must be one of"):
        build_model("transformer", replace(config, label_examples="names"), labels)
    with pytest.raises(SendclfError, match="train_precision must be one of"):
        build_model("transformer", replace(config, train_precision="int8"), labels)
    with pytest.raises(SendclfError, match="soup must be at least 1"):
        build_model("transformer", replace(config, soup=0), labels)


def test_progress_bar_only_when_asked(labels, config, capsys):
    model = build_model("transformer", config, labels)
    model.show_progress = False
    model.fit(targets(labels))
    assert "fine-tune" not in capsys.readouterr().err
    model = build_model("transformer", config, labels)
    model.show_progress = True
    model.fit(targets(labels))
    assert "fine-tune" in capsys.readouterr().err


def test_shipped_config_loads():
    config = load_config(TransformerConfig, CONFIGS / "transformer.yaml")
    assert config.encoder is None  # the packaged MiniLM
    assert config.encoder_lr < config.head_lr


def test_packaged_minilm_loads_offline_and_embeds_meaning(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    tokenizer, encoder = load_encoder(packaged_encoder())
    texts = ["Children wait too long for speech and language therapy.",
             "Young people face long waits for speech therapy.",
             "The council published its annual budget on Tuesday."]
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        vectors = mean_pool(encoder(**batch).last_hidden_state, batch["attention_mask"])
    assert vectors.shape == (3, 384)
    vectors = torch.nn.functional.normalize(vectors, dim=-1)
    paraphrase, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert paraphrase > unrelated + 0.2
