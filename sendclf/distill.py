"""Distillation targets: a large teacher's probabilities on a pool of unlabelled sentences, kept as data.

The teacher is a shipped model (say `ensemble-large`) fitted on the written corpus alone: it never sees a
seed sentence, so a student that learns from its targets learns nothing about the areas that seed CV holds
out. Its outputs on its own training sentences would be nearly one-hot, so it labels a pool of unlabelled
sentences in the register of real coverage instead (`seeds/pool/`, written for the purpose). The targets
file records the teacher's config, versions and CPU, so `make train` reads it without running a teacher.

    sendclf distill ensemble-large      # -> seeds/pool/targets-ensemble-large.json
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from sendclf.errors import SendclfError
from sendclf.jsonl import json_lines
from sendclf.paths import SEEDS
from sendclf.soft_targets import POOL_DIR

DIGITS = 4  # decimals kept of each probability


def read_pool(seeds_dir: Path = SEEDS) -> list[tuple[str, str]]:
    """(id, text) of every unlabelled pool sentence (`seeds/pool/*.jsonl`: one {"id", "text"} a line)."""
    found: list[tuple[str, str]] = []
    for path in sorted((seeds_dir / POOL_DIR).glob("*.jsonl")):
        for _, where, raw in json_lines(path.read_text(encoding="utf-8"), str(path)):
            if not isinstance(raw, dict) or set(raw) != {"id", "text"} or not str(raw["text"]).strip():
                raise SendclfError(f"{where}: a pool line is {{\"id\": ..., \"text\": ...}}, the text "
                                   f"non-empty")
            found.append((str(raw["id"]), str(raw["text"])))
    if not found:
        raise SendclfError(f"{seeds_dir / POOL_DIR}: no pool sentences (*.jsonl of {{\"id\", \"text\"}})")
    return found


def make_targets(teacher: str, seeds_dir: Path = SEEDS, quiet: bool = False) -> dict:
    """Fit `teacher` on the written corpus alone and label the pool with its probabilities."""
    from sendclf import catalog
    from sendclf.data import load_written_dataset
    from sendclf.labels import load_labels
    from sendclf.machine import cpu_description
    from sendclf.manifest import sendclf_version
    from sendclf.models.registry import build_model, read_model_config
    from sendclf.targets import Targets
    from sendclf.train import versions

    labels = load_labels()
    kind, config = read_model_config(catalog.config_path(teacher), teacher)
    written = Targets.from_dataset(load_written_dataset(labels, seeds_dir), labels, written=True)
    pool = read_pool(seeds_dir)
    model = build_model(kind, config, labels)
    model.show_progress = not quiet
    started = time.perf_counter()
    model.fit(written)
    polarity, themes = model.predict_proba([text for _, text in pool])
    return {
        "teacher": teacher,
        "kind": kind,
        "trained_on": f"the written corpus alone ({len(written.texts)} sentences of seeds/written/), "
                      f"never a seed sentence; probabilities uncalibrated",
        "config": _plain(config),
        "sendclf": sendclf_version(),
        "versions": versions(),
        "hardware": {**model.hardware(), "cpu": cpu_description()},
        "seconds": round(time.perf_counter() - started, 1),
        "polarity_ids": labels.polarity_ids,
        "theme_ids": labels.theme_ids,
        "rows": [{"id": i, "text": text, "polarity": np.round(p, DIGITS).tolist(),
                  "themes": np.round(t, DIGITS).tolist()}
                 for (i, text), p, t in zip(pool, polarity, themes, strict=True)],
    }


def _plain(config) -> dict:
    from sendclf.config import to_dict

    return to_dict(config)
