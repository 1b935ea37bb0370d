"""`make train-large` and `sendclf distill ensemble-large` in one process (2026-12-07), so the teacher reuses
the large encoder's stage 1 (fine-tuned on the written corpus alone, the same rows and config) instead of
fine-tuning it a second time: the same targets, 15 minutes less. Waits for READY (a file) before distilling.

    .venv/bin/python docs/experiments/large_and_teacher.py READY
"""

import json
import sys
import time
from pathlib import Path

from sendclf.atomic import write_text
from sendclf.distill import make_targets
from sendclf.soft_targets import targets_path
from sendclf.train import train

for name in ("transformer-large", "ensemble-large"):
    started = time.perf_counter()
    train(name)
    print(f"{name}: {time.perf_counter() - started:.0f} s", flush=True)
while not Path(sys.argv[1]).exists():
    time.sleep(10)
targets = make_targets("ensemble-large")
write_text(targets_path("ensemble-large"), json.dumps(targets, ensure_ascii=False) + "\n")
print(f"teacher: {targets['seconds']} s for {len(targets['rows'])} pool sentences", flush=True)
