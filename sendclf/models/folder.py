"""A trained model's folder, written and read back for any kind of model.

Saving writes `model.json` (the kind, the resolved config, the label contract, the thresholds and the
temperature), the model's own weights, its evidence memory, and last the manifest of every file
(`sendclf.manifest`). Reading checks the folder against that manifest before anything is loaded, so a missing,
truncated or changed file is one line naming it, and anything that still fails to load is one line too,
never a traceback. Each of those lines ends with how to get a good folder back: a good copy, or the command
that retrains exactly this model (`retrain_command`). Which class reads the weights is
`models.registry`'s business: this module never imports a kind of model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sendclf import catalog
from sendclf.config import from_dict, to_dict
from sendclf.errors import ModelFolderError, SendclfError
from sendclf.evidence import Memory
from sendclf.labels import LabelSet
from sendclf.manifest import MANIFEST_FILE, verify, write_manifest
from sendclf.paths import MODELS

META_FILE = "model.json"
MEMBERS_DIR = "members"  # an ensemble keeps its members' folders here


def save_model(model, directory: Path) -> None:
    """Write the model, then its manifest: the files written and their hashes."""
    directory.mkdir(parents=True, exist_ok=True)
    if getattr(model, "memory", None) is not None:
        model.memory.save(directory)
    meta = {"kind": model.kind, "config": to_dict(model.config), "labels": model.labels.to_dict(),
            "thresholds": [float(t) for t in model.thresholds], "temperature": model.temperature}
    (directory / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    model.save_weights(directory)
    write_manifest(directory, model.kind)


# ---- how to get a good folder back -------------------------------------------------------------------


def retrain_command(directory: Path, kind: str | None = None) -> str:
    """A command that really rebuilds the model in `directory`: `sendclf train <name>` for a model of
    configs/models.yaml (with `--out` when it lives elsewhere than models/<name>), else `make train`."""
    try:
        names = catalog.model_names()
    except (SendclfError, OSError):
        names = []
    if directory.parent.name == MEMBERS_DIR and (directory.parent.parent / MANIFEST_FILE).is_file():
        directory, kind = directory.parent.parent, None  # an ensemble's member: rebuild the ensemble
    kind = kind or _saved_kind(directory)
    name = directory.name if directory.name in names else kind if kind in names else None
    if name is None:
        return "make train"
    try:
        default = directory.resolve() == (MODELS / name).resolve()
    except OSError:
        default = False
    return f"sendclf train {name}" if default else f"sendclf train {name} --out {directory}"


def _saved_kind(directory: Path) -> str | None:
    """The kind of model the folder's manifest or `model.json` names, if either can be read: a hint only."""
    for name in (MANIFEST_FILE, META_FILE):
        try:
            kind = json.loads((directory / name).read_text(encoding="utf-8")).get("kind")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(kind, str):
            return kind
    return None


def worded(error: ModelFolderError, directory: Path, kind: str | None = None) -> SendclfError:
    """The problem a `ModelFolderError` names, and after it how to get a good folder back."""
    command = " ".join(filter(None, [retrain_command(directory, kind), error.retrain_options]))
    if error.recopy:
        return SendclfError(f"{error.problem}; re-copy the whole model folder, or retrain it with "
                            f"`{command}`")
    return SendclfError(f"{error.problem}: retrain it with `{command}`")


# ---- reading ----------------------------------------------------------------------------------------


@dataclass
class SavedModel:
    """What a checked folder's `model.json` says: the model to build, before its weights are read."""

    directory: Path
    kind: str
    config: Any  # the kind's config dataclass, every setting as saved
    labels: LabelSet
    thresholds: np.ndarray
    temperature: float


def read_saved(directory: Path, config_class: Callable[[str], type]) -> SavedModel:
    """The folder checked against its manifest and its `model.json` read, the config typed by
    `config_class(kind)`; every problem is one line that ends with how to get a good folder back."""
    meta_path = directory / META_FILE
    if not directory.is_dir():
        raise SendclfError(f"{directory}: no such model folder")
    if not meta_path.is_file() and not (directory / MANIFEST_FILE).is_file():
        raise SendclfError(f"{directory}: no trained model here (no {META_FILE}); "
                           f"train one with `{retrain_command(directory)}`")
    try:
        manifest = verify(directory)
    except ModelFolderError as error:
        raise worded(error, directory) from None
    saved_kind = manifest.get("kind") if isinstance(manifest.get("kind"), str) else None
    retrain = f"retrain it with `{retrain_command(directory, saved_kind)}`"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        config = from_dict(config_class(meta["kind"]), meta["config"], source=str(meta_path), complete=True)
        return SavedModel(directory, meta["kind"], config,
                          LabelSet.from_dict(meta["labels"], source=str(meta_path)),
                          np.asarray(meta["thresholds"], dtype=np.float64),
                          float(meta.get("temperature", 1.0)))
    except SendclfError as error:
        raise SendclfError(f"{error}: saved by another version of sendclf; {retrain}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise SendclfError(f"{meta_path}: not a model description this sendclf reads ({error}); "
                           f"{retrain}") from None


def restore(model, saved: SavedModel) -> None:
    """Give a freshly built `model` what its folder holds: thresholds, temperature, weights and memory."""
    directory = saved.directory
    try:
        model.thresholds = saved.thresholds
        model.temperature = saved.temperature
        model.load_weights(directory)
        model.memory = Memory.load(directory)
    except ModelFolderError as error:
        raise worded(error, directory, saved.kind) from None
    except SendclfError:
        raise
    except Exception as error:  # noqa: BLE001 - whatever a library raises on a bad file, say it in one line
        reason = (str(error).strip().splitlines() or [""])[0][:200]
        raise SendclfError(f"{directory}: cannot load the model ({error.__class__.__name__}: {reason}); "
                           f"re-copy the whole model folder, or retrain it with "
                           f"`{retrain_command(directory, saved.kind)}`") from None
