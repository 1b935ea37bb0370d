"""The fingerprint cosine of model folders' int8 encoders on this CPU, with the fast kernels and with exact
u8 arithmetic (2026-12-07). Imports no torch, so it also runs under `qemu-x86_64 -cpu Haswell`.

    FP_N=6 qemu-x86_64 -cpu Haswell .venv/bin/python docs/experiments/fingerprint.py models/transformer-large
"""

import os
import sys
import time
from pathlib import Path

from sendclf.models.transformer import ENCODER_DIR, FINGERPRINT_FILE, Fingerprint, OnnxEmbedder

for folder in sys.argv[1:]:
    encoder = Path(folder) / ENCODER_DIR
    fingerprint = Fingerprint.load(encoder / FINGERPRINT_FILE)
    n = int(os.environ.get("FP_N", str(len(fingerprint.texts))))
    fingerprint.texts, fingerprint.vectors = fingerprint.texts[:n], fingerprint.vectors[:n]
    for exact in (False, True):
        started = time.perf_counter()
        cosine = fingerprint.cosine(OnnxEmbedder(encoder, 128, 1, exact_u8=exact))
        print(f"{folder} exact_u8={exact}: mean cosine {cosine:.4f} over {n} sentences "
              f"({time.perf_counter() - started:.1f} s)", flush=True)
