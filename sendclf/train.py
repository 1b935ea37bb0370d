"""Train one model the honest way and write its directory.

Steps: load the labelled corpus -> leave-one-article-out CV of the model and of the majority reference
-> score the pooled out-of-fold predictions -> fit the final model on every sentence -> write the model,
`metrics.json`, the resolved `config.yaml` and a model card, all at once (nothing half-written).
"""

from __future__ import annotations

import json
import platform
import shutil
import tempfile
import time
from importlib import metadata
from pathlib import Path

import yaml

from sendclf.card import model_card
from sendclf.config import load_config, to_dict
from sendclf.data import load_dataset
from sendclf.errors import SendclfError
from sendclf.evaluate import EvalConfig, cross_validate, oof_records, score
from sendclf.labels import load_labels
from sendclf.models.base import Targets, build_model, model_class
from sendclf.paths import CONFIGS, MODELS, SEEDS

REFERENCE_KIND = "majority"
LIBRARIES = ("numpy", "scikit-learn", "datasets", "transformers", "torch", "typer")
METRICS_FILE = "metrics.json"
CONFIG_FILE = "config.yaml"
CARD_FILE = "README.md"


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def write_atomically(directory: Path, fill) -> None:
    """Build the directory beside its final place, then swap it in: a failure leaves the old one."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        fill(staging)
        if directory.exists():
            shutil.rmtree(directory)
        staging.rename(directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def train(kind: str, config_path: Path | None = None, out_dir: Path | None = None, seeds: Path = SEEDS,
          quiet: bool = False) -> dict:
    """Cross-validate, fit on everything, and write `out_dir` (default models/<kind>)."""
    cls = model_class(kind)
    config_path = config_path or CONFIGS / f"{kind}.yaml"
    config = load_config(cls.config_class, config_path)
    eval_config = load_config(EvalConfig, CONFIGS / "evaluate.yaml")
    labels = load_labels()
    dataset = load_dataset(labels, seeds)
    data = Targets.from_dataset(dataset, labels)

    started = time.perf_counter()
    oof = cross_validate(lambda: build_model(kind, config, labels), data, desc=f"{kind} cv", quiet=quiet)
    cv_seconds = time.perf_counter() - started
    reference_cls = model_class(REFERENCE_KIND)
    reference_oof = cross_validate(lambda: reference_cls(reference_cls.config_class(), labels), data,
                                   desc="majority cv", quiet=True)

    started = time.perf_counter()
    final = build_model(kind, config, labels)
    final.show_progress = not quiet
    final.fit(data)
    fit_seconds = time.perf_counter() - started

    metrics = {
        "model": kind,
        "protocol": "leave-one-article-out cross-validation; final model fitted on all sentences",
        "seed": getattr(config, "seed", None),
        "n_sentences": len(dataset),
        "articles": list(dict.fromkeys(dataset["article"])),
        "scores": score(data, oof, labels, eval_config),
        "reference": {"model": REFERENCE_KIND, "scores": score(data, reference_oof, labels, eval_config),
                      "out_of_fold": oof_records(list(dataset["id"]), data, reference_oof, labels)},
        "evaluation": to_dict(eval_config),
        "thresholds": dict(zip(labels.theme_ids, (float(t) for t in final.thresholds), strict=True)),
        "seconds": {"cv": round(cv_seconds, 2), "final_fit": round(fit_seconds, 2)},
        "versions": versions(),
        "out_of_fold": oof_records(list(dataset["id"]), data, oof, labels),
    }

    def fill(directory: Path) -> None:
        final.save(directory)
        (directory / METRICS_FILE).write_text(json.dumps(metrics, indent=1), encoding="utf-8")
        (directory / CONFIG_FILE).write_text(
            f"# resolved from {config_path.name}\n" + yaml.safe_dump(to_dict(config), sort_keys=False),
            encoding="utf-8")
        (directory / CARD_FILE).write_text(model_card(metrics, to_dict(config)), encoding="utf-8")

    write_atomically(out_dir or MODELS / kind, fill)
    return metrics


def load_metrics(model_dir: Path) -> dict:
    path = model_dir / METRICS_FILE
    if not path.is_file():
        raise SendclfError(f"{model_dir}: no {METRICS_FILE}; train it with `sendclf train {model_dir.name}`")
    return json.loads(path.read_text(encoding="utf-8"))
