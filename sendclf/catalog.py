"""The models the project ships: one YAML file in configs/ per model, named for the model.

`configs/transformer-large.yaml` is the model `transformer-large`, trained into `models/transformer-large`.
A file names its kind of model with a `kind:` key; without one, the name is the kind (`configs/tfidf.yaml`).
So two models of one kind (MiniLM and mpnet transformers) share every line of code and differ only in
their config. `configs/models.yaml` says which ones `make train` and `make train-large` train.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from sendclf.config import load_config
from sendclf.errors import SendclfError
from sendclf.paths import CONFIGS

CATALOG_FILE = "models.yaml"
KIND_KEY = "kind"


@dataclass
class Catalog:
    shipped: list[str]  # trained by `make train`, in this order
    large: list[str]  # trained by `make train-large` (too slow for make train's budget on every CPU)


def load_catalog() -> Catalog:
    return load_config(Catalog, CONFIGS / CATALOG_FILE)


def model_names() -> list[str]:
    catalog = load_catalog()
    return list(dict.fromkeys(catalog.shipped + catalog.large))


def config_path(name: str) -> Path:
    path = CONFIGS / f"{name}.yaml"
    if name not in model_names() or not path.is_file():
        raise SendclfError(f"unknown model {name!r} (known: {', '.join(model_names())})")
    return path


def read_model_file(path: Path, name: str | None = None) -> tuple[str, dict]:
    """A model's config file -> (kind, its settings as written); `models.registry` checks them against the
    kind's config dataclass."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise SendclfError(f"{path}: config file not found") from None
    except yaml.YAMLError as err:
        raise SendclfError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise SendclfError(f"{path}: expected a mapping of settings")
    return str(raw.pop(KIND_KEY, name or path.stem)), raw
