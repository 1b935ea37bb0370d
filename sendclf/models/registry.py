"""Every kind of model, and the one place a model is built or loaded.

A kind is a `Classifier` subclass named by its `kind`; a config file's `kind:` key and a saved folder's
`model.json` name one. The kinds are imported here for real, so the import graph shows them (none imports
torch when its module is imported: the transformer imports it only to train or to serve with torch). The
ensemble is the one kind made of other models: it gets its members through this module (`MemberSource`),
so it never imports another kind itself.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from sendclf import catalog
from sendclf.config import from_dict
from sendclf.errors import SendclfError
from sendclf.labels import LabelSet
from sendclf.models import folder
from sendclf.models.base import Classifier
from sendclf.models.ensemble import EnsembleClassifier, MemberSource
from sendclf.models.majority import MajorityClassifier
from sendclf.models.tfidf import TfidfClassifier
from sendclf.models.transformer import TransformerClassifier

KINDS: dict[str, type[Classifier]] = {
    cls.kind: cls for cls in (MajorityClassifier, TfidfClassifier, TransformerClassifier, EnsembleClassifier)}


def model_class(kind: str) -> type[Classifier]:
    if kind not in KINDS:
        raise SendclfError(f"unknown model kind {kind!r} (known: {', '.join(KINDS)})")
    return KINDS[kind]


def read_model_config(path: Path, name: str | None = None) -> tuple[str, Any]:
    """A model's config file -> (kind, typed config); unknown, missing or mistyped keys are errors."""
    kind, raw = catalog.read_model_file(path, name)
    return kind, from_dict(model_class(kind).config_class, raw, source=str(path))


def build_model(kind: str, config: Any, labels: LabelSet) -> Classifier:
    """An untrained model of `kind`."""
    cls = model_class(kind)
    if cls is EnsembleClassifier:
        return cls(config, labels, MemberSource(build=build_named, load=load_model))
    return cls(config, labels)


def build_named(name: str, labels: LabelSet) -> Classifier:
    """An untrained model of configs/models.yaml, by name (configs/<name>.yaml)."""
    return build_model(*read_model_config(catalog.config_path(name), name), labels)


def load_model(directory: Path, overrides: dict | None = None) -> Classifier:
    """The trained model in `directory`, its kind read from `model.json` (`models.folder`). `overrides`
    replace saved settings that only change how it predicts (see `Classifier.serving_options`)."""
    saved = folder.read_saved(directory, lambda kind: model_class(kind).config_class)
    config = replace(saved.config, **overrides) if overrides else saved.config
    model = build_model(saved.kind, config, saved.labels)
    folder.restore(model, saved)
    return model
