"""The trained models on disk: a name or folder resolved to a model folder, every trained folder found, and
the trained models of configs/models.yaml ranked by their own records (`sendclf.choice`'s rule).

Nothing here loads a model: `sendclf.api.open_model` does, with what this module finds.
"""

from __future__ import annotations

from pathlib import Path

from sendclf.catalog import load_catalog, model_names
from sendclf.choice import rank, warnings
from sendclf.errors import SendclfError
from sendclf.models.folder import META_FILE
from sendclf.paths import MODELS
from sendclf.results import METRICS_FILE, TrainingResults, load_results


def resolve_model_dir(model: str, models_dir: Path | None = None) -> Path:
    """A model name under models/, or a model directory."""
    models_dir = models_dir or MODELS
    path = Path(model)
    if path.is_dir() and (path / META_FILE).is_file():
        return path
    named = models_dir / model
    if (named / META_FILE).is_file():
        return named
    if model in model_names():
        make = "make train-large" if model in load_catalog().large else "make train"
        raise SendclfError(f"model {model!r} is not trained yet ({named} has no {META_FILE}): "
                           f"train it with `sendclf train {model}` (or with the others of `{make}`)")
    if path.is_dir():
        raise SendclfError(f"{model}: not a trained model directory (no {META_FILE}); "
                           f"train one with `sendclf train tfidf --out {model}`")
    raise SendclfError(f"unknown model {model!r}: give {', '.join(model_names())} "
                       f"or a trained model directory (train with `make train`)")


def trained_records(models_dir: Path | None = None) -> dict[str, tuple[Path, TrainingResults | None]]:
    """name -> (directory, its metrics.json records or None) for the trained models of configs/models.yaml."""
    models_dir = models_dir or MODELS
    found = {}
    for name in model_names():
        directory = models_dir / name
        if (directory / META_FILE).is_file():
            try:
                found[name] = (directory, load_results(directory))
            except SendclfError:
                found[name] = (directory, None)  # no readable records: ranked last
    return found


def ranked_models(models_dir: Path | None = None) -> list[Path]:
    """The trained models of configs/models.yaml, best first by their own records (`sendclf.choice`)."""
    found = trained_records(models_dir)
    records = {name: r for name, (_, r) in found.items() if r is not None}
    return [found[name][0] for name in rank(records)] + [d for d, r in found.values() if r is None]


def cautions(directory: Path, models_dir: Path | None = None) -> list[str]:
    """Why the model in `directory` should not be relied on, judged against the other trained models."""
    records = {name: r for name, (_, r) in trained_records(models_dir).items() if r is not None}
    reasons = warnings(records).get(directory.name, []) if directory.parent == (models_dir or MODELS) else []
    return [f"{directory.name}: do not rely on it: {'; '.join(reasons)}"] if reasons else []


def find_models(root: Path | None = None) -> list[Path]:
    """Every trained model directory under `root` (models/) with its records; hidden ones are half-written
    training output."""
    root = root or MODELS
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
                  and (p / METRICS_FILE).is_file())


def named(model_dirs: list[Path]) -> dict[str, Path]:
    """Display name -> directory: the directory name, or the whole path when two names clash."""
    if not model_dirs:
        raise SendclfError(f"no trained models in {MODELS}: train one with `sendclf train tfidf`")
    names = [d.name for d in model_dirs]
    found = {}
    for directory, name in zip(model_dirs, names, strict=True):
        key = name if names.count(name) == 1 else str(directory)
        if key in found:
            raise SendclfError(f"{directory}: given twice")
        found[key] = directory
    return found


def records(model_dirs: list[Path]) -> dict[str, TrainingResults]:
    """Display name (`named`) -> the records each model's training wrote."""
    return {name: load_results(directory) for name, directory in named(model_dirs).items()}
