"""Train one model the honest way and write its directory.

Steps: load the labelled corpus -> leave-one-area-out CV of the model and of the majority reference
-> score the pooled out-of-fold predictions -> fit the final model on every sentence -> write the model,
`metrics.json`, the resolved `config.yaml` and a model card, all at once (nothing half-written).
"""

from __future__ import annotations

import platform
import time
from importlib import metadata
from pathlib import Path

import yaml

from sendclf import catalog
from sendclf.atomic import write_directory
from sendclf.card import model_card
from sendclf.config import load_config, to_dict
from sendclf.data import DEV_DIR, HARD_DEV_DIR, load_dataset, load_written_dataset
from sendclf.errors import SendclfError
from sendclf.evaluate import EvalConfig, Predictions, calibration, cross_validate, fit_model, score
from sendclf.labels import load_labels
from sendclf.machine import cpu_description
from sendclf.models.registry import build_model, model_class, read_model_config
from sendclf.paths import CONFIGS, MODELS, SEEDS
from sendclf.results import (
    METRICS_FILE,
    DevSet,
    Reference,
    Seconds,
    TrainingResults,
    oof_records,
    write_results,
)
from sendclf.targets import Targets

REFERENCE_KIND = "majority"
LIBRARIES = ("numpy", "scikit-learn", "datasets", "transformers", "torch", "typer")
PROTOCOL = ("leave-one-area-out cross-validation over the seed sentences (the written corpus, if included, "
            "trains every fold and is never scored); final model fitted on all sentences")
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


def override(config, settings: list[str], source: str):
    """`key=value` pairs (values read as YAML) applied over a loaded config, checked like the file."""
    from sendclf.config import from_dict

    raw = to_dict(config)
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep:
            raise SendclfError(f"--set {item!r}: expected key=value")
        raw[key.strip()] = yaml.safe_load(value)
    return from_dict(type(config), raw, source=f"{source} with --set" if settings else source)


def load_training_data(labels, seeds: Path, written_corpus: bool) -> tuple:
    """The seed sentences (scored) and the written corpus (training only, or None when excluded)."""
    dataset = load_dataset(labels, seeds)
    data = Targets.from_dataset(dataset, labels)
    written = load_written_dataset(labels, seeds) if written_corpus else None
    if written is None or not len(written):
        return dataset, data, None
    return dataset, data, Targets.from_dataset(written, labels, written=True)


def score_dev_set(model, labels, seeds: Path, eval_config: EvalConfig, folder: str = DEV_DIR
                  ) -> DevSet | None:
    """The final model's calibrated predictions on a dev set (`seeds/<folder>/`), scored with CIs (None
    without one)."""
    dataset = load_written_dataset(labels, seeds, folder=folder)
    if not len(dataset):
        return None
    dev = Targets.from_dataset(dataset, labels)
    polarity_probs, theme_probs = model.calibrated_proba(dev.texts)
    predicted = Predictions(polarity_probs, theme_probs, model.decide(theme_probs))
    return DevSet(len(dev.texts), score(dev, predicted, labels, eval_config),
                  oof_records(dev, predicted, labels))


def train(name: str, config_path: Path | None = None, out_dir: Path | None = None, seeds: Path = SEEDS,
          quiet: bool = False, settings: list[str] = (), written_corpus: bool | None = None
          ) -> TrainingResults:
    """Cross-validate by area, fit on everything, and write `out_dir` (default models/<name>).

    `name` is a model of configs/models.yaml (its config is configs/<name>.yaml), or, with `config_path`,
    any name for the model that file describes."""
    config_path = config_path or catalog.config_path(name)
    kind, config = read_model_config(config_path, name)
    config = override(config, list(settings), str(config_path))
    eval_config = load_config(EvalConfig, CONFIGS / "evaluate.yaml")
    if written_corpus is not None:
        eval_config.written_corpus = written_corpus
    labels = load_labels()
    dataset, data, written = load_training_data(labels, seeds, eval_config.written_corpus)
    make = lambda: build_model(kind, config, labels)  # noqa: E731

    started = time.perf_counter()
    oof = cross_validate(make, data, written, eval_config, desc=f"{name} cv", quiet=quiet)
    cv_seconds = time.perf_counter() - started
    reference_cls = model_class(REFERENCE_KIND)
    reference_oof = cross_validate(lambda: reference_cls(reference_cls.config_class(), labels), data, written,
                                   eval_config, desc="majority cv", quiet=True)

    calibrated = calibration(data, oof, eval_config) if eval_config.calibrate else None

    started = time.perf_counter()
    final = fit_model(make, data, written, eval_config, quiet=quiet, tuning_probs=oof.theme_probs)
    if calibrated:
        final.temperature = calibrated.temperature
    final.remember(data + written if written is not None else data)
    fit_seconds = time.perf_counter() - started
    dev = score_dev_set(final, labels, seeds, eval_config)
    hard_dev = score_dev_set(final, labels, seeds, eval_config, HARD_DEV_DIR)

    results = TrainingResults(
        model=name,
        kind=kind,
        protocol=PROTOCOL,
        seed=getattr(config, "seed", None),
        n_sentences=len(dataset),
        n_written=0 if written is None else len(written.texts),
        articles=list(dict.fromkeys(dataset["article"])),
        areas=list(dict.fromkeys(dataset["area"])),
        scores=score(data, oof, labels, eval_config),
        reference=Reference(REFERENCE_KIND, score(data, reference_oof, labels, eval_config),
                            oof_records(data, reference_oof, labels)),
        evaluation=eval_config,
        calibration=calibrated,
        thresholds=dict(zip(labels.theme_ids, (float(t) for t in final.thresholds), strict=True)),
        hardware={**final.hardware(), "cpu": cpu_description()},
        seconds=Seconds(cv=round(cv_seconds, 2), final_fit=round(fit_seconds, 2)),
        versions=versions(),
        out_of_fold=oof_records(data, oof, labels),
        dev=dev,
        hard_dev=hard_dev,
        members=list(getattr(config, "members", [])),
    )

    def fill(directory: Path) -> None:
        final.save(directory)
        write_results(directory / METRICS_FILE, results)
        (directory / CONFIG_FILE).write_text(
            f"# resolved from {config_path.name}\n"
            + yaml.safe_dump({catalog.KIND_KEY: kind, **to_dict(config)}, sort_keys=False),
            encoding="utf-8")
        (directory / CARD_FILE).write_text(model_card(results, to_dict(config)), encoding="utf-8")

    write_directory(out_dir or MODELS / name, fill)
    return results
