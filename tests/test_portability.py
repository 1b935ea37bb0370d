"""A model moves between machines: trained in bfloat16 on a CPU that does it natively, it loads and gives
the same labels on a CPU without bfloat16 (the int8 ONNX encoder and the float32 heads never use it), and
its card says what it was trained in."""

import json
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tiny_model import train_tiny_transformer  # noqa: E402

from sendclf.api import label  # noqa: E402
from sendclf.models import transformer as tr  # noqa: E402
from sendclf.models import transformer_net as tn  # noqa: E402
from sendclf.models.registry import load_model  # noqa: E402
from sendclf.models.transformer import TransformerClassifier  # noqa: E402
from sendclf.results import load_results  # noqa: E402

SENTENCES = ["Therapy waits are long.", "Pupils achieve well and feel safe.", "The report came out in May.",
             "", "A much longer sentence about how children and young people wait for assessments, and how "
             "the council has not yet written its statement of action."]


@pytest.fixture
def encoder(tiny_bert):
    return tiny_bert


def on_a_machine(monkeypatch, bfloat16: bool) -> None:
    """What this process reports as the CPU's native bfloat16 support, from now on."""
    monkeypatch.setattr(tn, "native_bfloat16", lambda: bfloat16)


@pytest.mark.parametrize("precision", ["bfloat16", "float32"])
def test_a_model_trained_with_native_bfloat16_predicts_the_same_without_it(encoder, tmp_path, labels,
                                                                          monkeypatch, precision):
    on_a_machine(monkeypatch, bfloat16=True)
    tr._stage_one.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # native here: no "emulated, slow" warning
        model = train_tiny_transformer(tmp_path / "m", encoder, labels, train_precision=precision,
                                       save_torch_encoder=True)
    assert model.hardware()["train_precision"] == precision
    trained = label(model, SENTENCES)
    trained_probs = model.calibrated_proba(SENTENCES)

    on_a_machine(monkeypatch, bfloat16=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing on the new machine asks for bfloat16
        loaded = load_model(tmp_path / "m")
        moved = label(loaded, SENTENCES)
        for a, b in zip(trained_probs, loaded.calibrated_proba(SENTENCES), strict=True):
            np.testing.assert_array_equal(a, b)
    assert [(p.polarity, p.themes) for p in moved] == [(p.polarity, p.themes) for p in trained]
    assert [p.theme_scores for p in moved] == [p.theme_scores for p in trained]
    assert loaded.config.train_precision == precision  # the folder still says what it was trained in
    assert loaded.hardware()["runtime"] == "onnx-int8"
    assert "int8" in loaded.hardware()["inference_precision"]

    # the torch runtime, where kept, serves in float32 there: "auto" never picks an emulated bfloat16
    assert "torch bfloat16" not in TransformerClassifier.serving_options(tmp_path / "m")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch_loaded = load_model(tmp_path / "m", {"runtime": "torch"})
        assert torch_loaded.hardware()["inference_precision"] == "float32"
        polarity, themes = torch_loaded.predict_proba(SENTENCES)
    assert np.isfinite(polarity).all() and np.isfinite(themes).all()


def test_the_same_folder_loads_identically_on_both_machines(encoder, tmp_path, labels, monkeypatch):
    on_a_machine(monkeypatch, bfloat16=True)
    tr._stage_one.clear()
    train_tiny_transformer(tmp_path / "m", encoder, labels, train_precision="bfloat16")
    here = load_model(tmp_path / "m").calibrated_proba(SENTENCES)
    on_a_machine(monkeypatch, bfloat16=False)
    there = load_model(tmp_path / "m").calibrated_proba(SENTENCES)
    for a, b in zip(here, there, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("precision", ["bfloat16", "float32"])
def test_the_card_and_metrics_say_what_the_model_was_trained_in(encoder, tmp_path, trainable_seeds, labels,
                                                                monkeypatch, precision):
    from sendclf.train import train

    on_a_machine(monkeypatch, bfloat16=True)
    tr._stage_one.clear()
    config = tmp_path / "tiny.yaml"
    config.write_text(f"kind: transformer\nencoder: {encoder}\nepochs: 1\nbatch_size: 4\nmax_length: 32\n"
                      f"probe_epochs: 2\nthreads: 1\ntrain_precision: {precision}\n")
    out = tmp_path / "models" / "tiny"
    train("tiny", config_path=config, out_dir=out, seeds=trainable_seeds, quiet=True)
    hardware = load_results(out).hardware
    assert hardware["train_precision"] == precision and hardware["runtime"] == "onnx-int8"
    assert json.loads((out / "model.json").read_text())["config"]["train_precision"] == precision
    card = (out / "README.md").read_text()
    assert f"train_precision: {precision}" in card
    assert f"The encoder was fine-tuned in {precision} on cpu" in card
    assert "needs no bfloat16" in card

    on_a_machine(monkeypatch, bfloat16=False)
    assert label(load_model(out), SENTENCES[:1])[0].polarity in labels.polarity_ids


def test_a_model_without_a_transformer_says_nothing_about_fine_tuning(tmp_path, trainable_seeds):
    from sendclf.train import train

    train("tfidf", out_dir=tmp_path / "tfidf", seeds=trainable_seeds, quiet=True)
    assert "fine-tuned in" not in (tmp_path / "tfidf" / "README.md").read_text()

