"""The transformer, on a tiny random BERT (seconds) and, for loading, the packaged MiniLM."""

import subprocess
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from sendclf.config import load_config  # noqa: E402
from sendclf.encoders import resolve_encoder  # noqa: E402
from sendclf.models import transformer as tr  # noqa: E402
from sendclf.models import transformer_net as tn  # noqa: E402
from sendclf.models.registry import build_model, load_model  # noqa: E402
from sendclf.models.transformer import ENCODER_DIR, HEADS_FILE, ONNX_FILE, TransformerConfig  # noqa: E402
from sendclf.paths import CONFIGS  # noqa: E402
from sendclf.targets import Targets  # noqa: E402

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


@pytest.fixture
def config(tiny_bert) -> TransformerConfig:
    return TransformerConfig(encoder=str(tiny_bert), epochs=2, batch_size=4, max_length=32,
                             inference_batch_size=3, probe_epochs=2, threads=1, train_precision="float32",
                             inference_precision="float32")


def targets(labels, written: bool = False, suffix: str = "") -> Targets:
    texts, polarity, themes = [], [], []
    for (polarity_id, theme), sentences in SENTENCES.items():
        for text in sentences:
            row = np.zeros(len(labels.themes), dtype=np.float32)
            row[labels.theme_ids.index(theme)] = 1
            texts.append(text[:-1] + suffix + ".")
            polarity.append(labels.polarity_ids.index(polarity_id))
            themes.append(row)
    themes = np.array(themes)
    return Targets(texts, np.array(polarity), themes, themes.argmax(axis=1),
                   np.array([f"a{i % 2}" for i in range(len(texts))]), np.full(len(texts), written))


def fitted(labels, config, data=None):
    model = build_model("transformer", config, labels)
    model.show_progress = False
    return model.fit(data if data is not None else targets(labels))


@pytest.mark.parametrize("runtime", ["onnx-int8", "torch"])
def test_fit_save_load_round_trip_gives_identical_probabilities(tmp_path, labels, config, runtime):
    model = fitted(labels, replace(config, runtime=runtime))
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    for a, b in zip(model.predict_proba(UNSEEN), loaded.predict_proba(UNSEEN), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    polarity, themes = loaded.predict_proba(UNSEEN)
    assert polarity.shape == (len(UNSEEN), len(labels.polarities))
    assert themes.shape == (len(UNSEEN), len(labels.themes))
    np.testing.assert_allclose(polarity.sum(axis=1), 1, rtol=1e-5)
    saved = {p.relative_to(tmp_path / "m").as_posix() for p in (tmp_path / "m").rglob("*") if p.is_file()}
    assert {HEADS_FILE, f"{ENCODER_DIR}/{ONNX_FILE}"} <= saved
    # the float32 encoder is kept only where the torch runtime serves
    assert (f"{ENCODER_DIR}/model.safetensors" in saved) == (runtime == "torch")
    assert not [p for p in saved if p.endswith((".bin", ".pt", ".pth", ".pkl", ".pickle"))]


def test_onnx_runtime_predicts_without_importing_torch(tmp_path, labels, config):
    fitted(labels, config).save(tmp_path / "m")
    script = ("import sys; from pathlib import Path; from sendclf.models.registry import load_model; "
              f"m = load_model(Path({str(tmp_path / 'm')!r})); p, t = m.predict_proba(['Waits are long.']); "
              "assert p.shape == (1, 3); print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_same_seed_same_model_and_another_seed_differs(labels, config):
    runs = []
    for _ in range(2):
        tr._stage_one.clear()  # really train twice, not once and then from the cache
        runs.append(fitted(labels, config).predict_proba(UNSEEN))
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)
    other = fitted(labels, replace(config, seed=config.seed + 1)).predict_proba(UNSEEN)
    assert not np.array_equal(other[1], runs[0][1])


def test_the_encoder_is_fine_tuned_once_on_written_rows_and_shared(labels, config, monkeypatch):
    calls = []
    fine_tune = tr.TransformerClassifier._fine_tune
    monkeypatch.setattr(tr.TransformerClassifier, "_fine_tune",
                        lambda self, path, data, key, soft: calls.append(len(data.texts))
                        or fine_tune(self, path, data, key, soft))
    tr._stage_one.clear()
    written = targets(labels, written=True, suffix=" here")
    a = fitted(labels, config, targets(labels).subset(np.arange(3)) + written)
    b = fitted(labels, config, targets(labels).subset(np.arange(3, 6)) + written)
    assert calls == [len(written.texts)]  # once, on the written rows only
    assert a.encoder is b.encoder
    assert not np.array_equal(a.arrays["themes.weight"], b.arrays["themes.weight"])  # heads differ
    fitted(labels, config, targets(labels).subset(np.arange(4)))  # no written rows: fine-tunes on its own
    assert calls == [len(written.texts), 4]


def test_batches_of_like_length_keep_the_input_order(labels, config):
    for runtime in ("onnx-int8", "torch"):
        model = fitted(labels, replace(config, runtime=runtime))
        together = model.predict_proba(UNSEEN)
        one_by_one = [model.predict_proba([text]) for text in UNSEEN]
        for k in range(2):
            np.testing.assert_allclose(together[k], np.vstack([p[k] for p in one_by_one]), atol=1e-5)
        empty_polarity, empty_themes = model.predict_proba([])
        assert empty_polarity.shape == (0, len(labels.polarities))
        assert empty_themes.shape == (0, len(labels.themes))


def test_an_int8_vector_does_not_depend_on_the_other_sentences(labels, config):
    """Dynamic int8 quantises each run's activations with one scale: a sentence batched with others would
    get another vector (MiniLM: cosine down to 0.98, 6 of 120 main themes changed). Each runs alone."""
    model = fitted(labels, config)
    embedder = model.encoder.embedder(config).embedder
    together = embedder.embed(UNSEEN + UNSEEN[::-1])
    for i, text in enumerate(UNSEEN):
        np.testing.assert_array_equal(embedder.embed([text])[0], together[i])
        np.testing.assert_array_equal(together[i], together[len(together) - 1 - i])
    assert embedder.embed([]).shape == (0, together.shape[1])


def test_int8_onnx_vectors_stay_close_to_float32_torch(labels, config):
    model = fitted(labels, config)
    torch_vectors = model.encoder.embedder(replace(config, runtime="torch")).embed(UNSEEN)
    onnx_vectors = model.encoder.embedder(config).embed(UNSEEN)
    cosine = (torch_vectors * onnx_vectors).sum(1) / (
        np.linalg.norm(torch_vectors, axis=1) * np.linalg.norm(onnx_vectors, axis=1))
    assert cosine.min() > 0.95


def test_numpy_heads_match_the_torch_cosine_head():
    head = tn.CosineHead(4, 3, scale=20.0)
    x = torch.randn(5, 4)
    torch.testing.assert_close(head(x), head(7.0 * x))  # direction, not length
    assert ((head(x) - head.bias) / 20.0).abs().max() <= 1.0 + 1e-6
    expected = head(x).detach().numpy()
    got = tr.cosine_logits(x.numpy(), head.weight.detach().numpy(), head.bias.detach().numpy(), 20.0)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_auto_precision_is_float32_without_native_bfloat16(monkeypatch):
    monkeypatch.setattr(tn, "native_bfloat16", lambda: False)
    monkeypatch.setattr(tn, "_warned_slow_bfloat16", False)
    assert tn.resolve_precision("auto", "cpu") == "float32"
    assert tn.resolve_precision("float32", "cpu") == "float32"
    with pytest.warns(UserWarning, match="no native bfloat16"):
        assert tn.resolve_precision("bfloat16", "cpu") == "bfloat16"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the warning comes once, not on every fold
        assert tn.resolve_precision("bfloat16", "cpu") == "bfloat16"
    monkeypatch.setattr(tn, "native_bfloat16", lambda: True)
    assert tn.resolve_precision("auto", "cpu") == "bfloat16"


def test_the_chosen_precision_is_recorded(labels, config, monkeypatch):
    monkeypatch.setattr(tn, "native_bfloat16", lambda: False)
    tr._stage_one.clear()
    model = fitted(labels, replace(config, train_precision="auto", inference_precision="auto"))
    assert model.hardware()["train_precision"] == "float32"
    assert model.hardware()["device"] == "cpu"
    assert model.hardware()["runtime"] == "onnx-int8"


def test_loss_ignores_rows_that_do_not_teach_a_head():
    ex = tn.Examples([[1], [1]], torch.eye(3)[:2], torch.tensor([[1.0, 0.0], [0.0, 1.0]]),
                     polarity_mask=torch.tensor([1.0, 0.0]), theme_mask=torch.tensor([0.0, 1.0]),
                     weight=torch.ones(2))
    w = tn.LossWeights(torch.ones(3), torch.ones(2), theme_loss_weight=1.0)
    rows = torch.tensor([0, 1])
    right = torch.tensor([[9.0, -9, -9], [-9, -9, -9]]), torch.tensor([[-9.0, -9], [-9, 9]])
    assert tn.loss_fn(*right, ex, rows, w) < 0.01
    # row 1's polarity and row 0's themes are masked out: getting them wrong costs nothing
    masked_wrong = torch.tensor([[9.0, -9, -9], [-9, -9, 9]]), torch.tensor([[9.0, 9], [-9, 9]])
    torch.testing.assert_close(tn.loss_fn(*masked_wrong, ex, rows, w), tn.loss_fn(*right, ex, rows, w))
    wrong = torch.tensor([[-9.0, 9, -9], [-9, -9, -9]]), right[1]
    assert tn.loss_fn(*wrong, ex, rows, w) > 5


def test_learning_rate_warms_up_then_decays_to_zero():
    rates = [tn.lr_at(step, total=10, warmup=2) for step in range(10)]
    assert rates[0] == 0.5 and rates[1] == 1.0
    assert all(a >= b for a, b in zip(rates[1:], rates[2:], strict=False))
    assert 0 < rates[-1] <= 0.125


def test_length_batches_cover_every_row_once_per_epoch_and_group_like_lengths():
    lengths = np.random.default_rng(0).integers(1, 100, size=1000)
    batches = tn.length_batches(lengths, batch_size=10, epochs=2, rng=np.random.default_rng(1))
    rows = np.concatenate(batches)
    assert sorted(rows[:1000]) == sorted(rows[1000:]) == list(range(1000))
    spread = np.mean([np.ptp(lengths[b]) for b in batches])
    assert spread < 10  # a random batch of 10 would span about 80


def test_progress_bar_only_when_asked(labels, config, capsys):
    tr._stage_one.clear()
    fitted(labels, config)
    assert "fine-tune" not in capsys.readouterr().err
    tr._stage_one.clear()
    model = build_model("transformer", config, labels)
    model.show_progress = True
    model.fit(targets(labels))
    assert "fine-tune" in capsys.readouterr().err


def test_shipped_config_loads():
    config = load_config(TransformerConfig, CONFIGS / "transformer.yaml")
    assert config.encoder == "all-MiniLM-L6-v2"  # the packaged MiniLM
    assert config.train_precision == config.inference_precision == "auto"
    assert config.encoder_lr < config.head_lr


@pytest.mark.slow
def test_packaged_minilm_loads_offline_and_embeds_meaning(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    tokenizer, encoder = tn.load_encoder(resolve_encoder(None))
    net = tn.TransformerNet(encoder, 3, 12, 0.0, 20.0).eval()
    texts = ["Children wait too long for speech and language therapy.",
             "Young people face long waits for speech therapy.",
             "The council published its annual budget on Tuesday."]
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        vectors = net.embed(batch["input_ids"], batch["attention_mask"])
    assert vectors.shape == (3, 384)
    vectors = torch.nn.functional.normalize(vectors, dim=-1)
    paraphrase, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert paraphrase > unrelated + 0.2


def test_predicting_always_embeds_and_evidence_reuses_those_vectors_once(tmp_path, labels, config):
    fitted(labels, config).save(tmp_path / "m")
    model = load_model(tmp_path / "m")
    calls = []
    embed = model._serving.embed
    model._serving.embed = lambda texts: calls.append(list(texts)) or embed(texts)
    model.predict_proba(UNSEEN)
    model.predict_proba(UNSEEN)  # a benchmark repeats a batch: it must be computed again
    assert len(calls) == 2
    vectors = model.embed(UNSEEN)  # the evidence of the sentences just classified: handed over
    assert len(calls) == 2 and vectors.shape[0] == len(UNSEEN)
    model.embed(UNSEEN)  # handed over once only
    assert len(calls) == 3



def test_a_saved_folder_carries_a_fingerprint_that_its_manifest_covers(tmp_path, labels, config):
    import json

    fitted(labels, config).save(tmp_path / "m")
    fingerprint = tr.Fingerprint.load(tmp_path / "m" / ENCODER_DIR / tr.FINGERPRINT_FILE)
    assert len(fingerprint.texts) == len(fingerprint.vectors) > 0
    assert fingerprint.min_cosine == config.fingerprint_min_cosine
    listed = {f["path"] for f in json.loads((tmp_path / "m" / "manifest.json").read_text())["files"]}
    assert f"{ENCODER_DIR}/{tr.FINGERPRINT_FILE}" in listed


def _garble_int8_weights(path: Path) -> None:
    """Scramble every quantised weight matrix and blow up its scales, as a saturating kernel or a damaged
    file would."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path))
    rng = np.random.default_rng(0)
    for tensor in graph.graph.initializer:
        array = numpy_helper.to_array(tensor)
        if array.dtype == np.int8 and array.ndim == 2:
            array = rng.permutation(array.ravel()).reshape(array.shape)
        elif "scale" in tensor.name and array.dtype == np.float32:
            array = array * 100.0
        else:
            continue
        tensor.CopyFrom(numpy_helper.from_array(array, tensor.name))
    onnx.save(graph, str(path))


def test_an_unfaithful_int8_encoder_is_refused_even_with_a_re_signed_manifest(tmp_path, labels, config):
    from sendclf.errors import SendclfError
    from sendclf.manifest import write_manifest

    fitted(labels, config).save(tmp_path / "m")
    _garble_int8_weights(tmp_path / "m" / ENCODER_DIR / ONNX_FILE)
    write_manifest(tmp_path / "m", "transformer")
    with pytest.raises(SendclfError, match="does not reproduce its reference vectors.*CPU flags"):
        load_model(tmp_path / "m")


def test_fast_kernels_that_fail_the_fingerprint_fall_back_to_exact_u8(tmp_path, labels, config, monkeypatch):
    """Where the fast int8 kernels saturate (no VNNI) but exact u8 arithmetic holds, the model serves
    with the latter and says so once."""
    fitted(labels, config).save(tmp_path / "m")
    real = tr.OnnxEmbedder.embed

    def saturating(self, texts):
        vectors = real(self, texts)
        return vectors if self.exact_u8 else np.roll(vectors, 1, axis=1) * -1.0

    monkeypatch.setattr(tr.OnnxEmbedder, "embed", saturating)
    model = load_model(tmp_path / "m")
    assert model._serving.exact_u8
    assert len(model.notes) == 1 and "exact u8" in model.notes[0]
    assert "exact u8" in model.hardware()["inference_precision"]
