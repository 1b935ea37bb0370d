"""Torch sentence/s of the bare encoder architecture (pretrained weights: the fine-tuned ones cost the same),
on 1,000 seed sentences in batches of 16 (the torch runtime's inference_batch_size), 2 threads."""
import json
import os
import sys
import time

from sendclf.data import read_label_records
from sendclf.encoders import resolve_encoder
from sendclf.models import transformer_net as tn
from sendclf.paths import SEEDS

name, precision = sys.argv[1], sys.argv[2]
texts = [r.text for r in read_label_records(SEEDS / "labels.jsonl")]
texts = (texts * 9)[:1000]
tok, enc = tn.load_encoder(resolve_encoder(name))
net = tn.TransformerNet(enc, 3, 12, 0.0, 20.0).eval()
ids = tok(texts, truncation=True, max_length=128)["input_ids"]
with tn.torch_session(2):
    tn.embed_ids(net, ids[:64], tok.pad_token_id, 16, precision, "cpu")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        tn.embed_ids(net, ids, tok.pad_token_id, 16, precision, "cpu")
        times.append(time.perf_counter() - t)
ISA_ENV = ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA", "MKL_ENABLE_INSTRUCTIONS")
print(json.dumps({"encoder": name, "precision": precision,
                  "sentences_per_second": round(1000 / sorted(times)[1], 1),
                  "isa_env": {k: v for k, v in os.environ.items() if k in ISA_ENV}}))
