"""Int8 fidelity of the encoders' ONNX export, per quantisation variant (issue 24).

Two steps, so that the second runs under an emulated CPU (`qemu-x86_64 -cpu Haswell`), where torch would
take hours:

    .venv/bin/python docs/experiments/int8_fidelity.py export OUT [--n 120]
        # per encoder: the float32 ONNX graph, one int8 file per variant, the sentences (the first N of the
        # written corpus) and their float32 vectors
    .venv/bin/python docs/experiments/int8_fidelity.py measure OUT [--n 120] [--encoders ..] [--variants ..]
        # cosine of each variant's vectors to float32 (mean / min) and sentences/s on one thread (JSON lines)

Only onnxruntime, tokenizers and numpy are imported by `measure`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

# variant -> (quantize_dynamic arguments, session options)
VARIANTS = {
    "s8-channel": ({"weight_type": "QInt8", "per_channel": True}, {}),  # shipped until 2026-12-07
    "s8-channel-reduce": ({"weight_type": "QInt8", "per_channel": True, "reduce_range": True}, {}),
    "u8-channel": ({"weight_type": "QUInt8", "per_channel": True}, {}),
    "s8-tensor-reduce": ({"weight_type": "QInt8", "per_channel": False, "reduce_range": True}, {}),
    "s8-channel+x64prec": ({"weight_type": "QInt8", "per_channel": True},
                           {"session.x64quantprecision": "1"}),
}
ENCODERS = ("all-MiniLM-L6-v2", "all-mpnet-base-v2")


def export(out: Path, n: int) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from sendclf.data import read_written
    from sendclf.encoders import resolve_encoder
    from sendclf.labels import load_labels
    from sendclf.models import transformer_net as tn

    texts = [r.text for _, r in read_written(load_labels())[:n]]
    for name in ENCODERS:
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        tokenizer, encoder = tn.load_encoder(resolve_encoder(name))
        net = tn.TransformerNet(encoder, 3, 12, 0.0, 20.0).eval()
        tokenizer.save_pretrained(folder)
        full = folder / "float32.onnx"
        sample = tokenizer(["an example sentence", "short"], padding=True, return_tensors="pt")
        with torch.no_grad():
            torch.onnx.export(tn.Pooler(net), (sample["input_ids"], sample["attention_mask"]), str(full),
                              input_names=["input_ids", "attention_mask"], output_names=["pooled"],
                              dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                            "attention_mask": {0: "batch", 1: "tokens"}},
                              opset_version=17, dynamo=False)
        for variant, (kwargs, _) in VARIANTS.items():
            target = folder / f"{variant.split('+')[0]}.onnx"
            if not target.exists():
                kwargs = dict(kwargs, weight_type=getattr(QuantType, kwargs["weight_type"]))
                quantize_dynamic(str(full), str(target), op_types_to_quantize=["MatMul"], **kwargs)
        (folder / "sentences.json").write_text(json.dumps(texts))
        print(f"exported {name}", file=sys.stderr)


def measure(out: Path, n: int, encoders: list[str], variants: list[str]) -> None:
    import onnxruntime as ort
    from tokenizers import Tokenizer

    def session(path: Path, extra: dict) -> ort.InferenceSession:
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        for key, value in extra.items():
            options.add_session_config_entry(key, value)
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    for name in encoders:
        folder = out / name
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(128)
        texts = json.loads((folder / "sentences.json").read_text())[:n]
        ids = [np.asarray([e.ids], np.int64) for e in tokenizer.encode_batch(texts)]

        def run(s: ort.InferenceSession, ids: list[np.ndarray] = ids) -> tuple[np.ndarray, float]:
            start = time.perf_counter()
            feeds = [{"input_ids": x, "attention_mask": np.ones_like(x)} for x in ids]
            v = np.stack([s.run(None, feed)[0][0] for feed in feeds])
            return v / np.linalg.norm(v, axis=1, keepdims=True), len(ids) / (time.perf_counter() - start)

        reference, speed = run(session(folder / "float32.onnx", {}))
        print(json.dumps({"encoder": name, "variant": "float32", "mean": 1.0, "min": 1.0,
                          "per_s": round(speed, 1)}), flush=True)
        for variant in variants:
            kwargs, extra = VARIANTS[variant]
            vectors, speed = run(session(folder / f"{variant.split('+')[0]}.onnx", extra))
            cos = (vectors * reference).sum(axis=1)
            print(json.dumps({"encoder": name, "variant": variant, "mean": round(float(cos.mean()), 4),
                              "min": round(float(cos.min()), 4), "per_s": round(speed, 1)}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["export", "measure"])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=120)
    parser.add_argument("--encoders", nargs="+", default=list(ENCODERS))
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS))
    args = parser.parse_args()
    if args.step == "export":
        export(args.out, args.n)
    else:
        measure(args.out, args.n, args.encoders, args.variants)


if __name__ == "__main__":
    main()
