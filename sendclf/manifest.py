"""A model folder's manifest: every file `Classifier.save` wrote, with its size and sha256, checked before
anything is loaded.

A folder copied half-way, truncated on a full disk, or edited by hand would otherwise fail deep inside
safetensors, onnxruntime or the tokenizer, with a traceback that names none of its files. `verify` names the
first file that is missing or not the one saved, and says how to get a good folder back: re-copy it, or
retrain it with the exact command. Sizes are always compared; contents are hashed for files up to
`HASH_LIMIT` bytes (every model file but a large encoder) and for every JSON or tokenizer file, whatever its
size. Files the manifest does not list (metrics.json, config.yaml and README.md, written by `sendclf train`
after the model itself, or anything added later) are ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path, PurePosixPath

from sendclf.errors import SendclfError

MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 2  # the layout of a saved model folder; bump it when a change makes old folders unloadable
# (2: the int8 encoder has 7-bit weights and a fingerprint of float32 reference vectors)
HASH_LIMIT = 50 * 2**20  # bytes: larger files are checked by size only (hashing them would slow each load)
ALWAYS_HASHED = (".json", ".txt", ".model")  # configs, vocabularies and tokenizers: hashed at any size
CHUNK = 2**20
MEMBERS_DIR = "members"  # an ensemble keeps its members here (models/ensemble.py)

# (path, inode, size, times) -> sha256 of files already hashed in this process: an ensemble's manifest
# lists its members' files too, and each member's own manifest is checked again when it loads.
_hashed: dict[tuple, str] = {}


def sendclf_version() -> str:
    try:
        return metadata.version("sendclf")
    except metadata.PackageNotFoundError:
        return "unknown"


def retrain_command(directory: Path, kind: str | None = None) -> str:
    """A command that really rebuilds the model in `directory`: `sendclf train <name>` for a model of
    configs/models.yaml (with `--out` when it lives elsewhere than models/<name>), else `make train`."""
    from sendclf.paths import MODELS

    try:
        from sendclf.catalog import model_names

        names = model_names()
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


def _remedy(directory: Path, kind: str | None) -> str:
    return f"re-copy the whole model folder, or retrain it with `{retrain_command(directory, kind)}`"


def sha256(path: Path) -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    if key not in _hashed:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            while block := f.read(CHUNK):
                digest.update(block)
        _hashed[key] = digest.hexdigest()
    return _hashed[key]


def model_files(directory: Path) -> list[str]:
    """Every file under `directory` but the manifest, as sorted relative POSIX paths."""
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*")
                  if p.is_file() and p.relative_to(directory).as_posix() != MANIFEST_FILE)


def write_manifest(directory: Path, kind: str) -> Path:
    """List every file now in `directory` (recursively) with its size and sha256, in MANIFEST_FILE."""
    from sendclf.atomic import write_text

    files = [{"path": name, "size": (directory / name).stat().st_size, "sha256": sha256(directory / name)}
             for name in model_files(directory)]
    manifest = {"format": FORMAT_VERSION, "sendclf": sendclf_version(), "kind": kind, "files": files}
    path = directory / MANIFEST_FILE
    write_text(path, json.dumps(manifest, indent=1) + "\n")
    return path


def hashed_at_load(name: str, size: int) -> bool:
    return size <= HASH_LIMIT or name.endswith(ALWAYS_HASHED)


def _read(directory: Path, kind: str | None) -> dict:
    path = directory / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SendclfError(f"{path}: cannot read ({error.strerror}); {_remedy(directory, kind)}") from None
    except ValueError:
        raise SendclfError(f"{path}: damaged (not valid JSON); {_remedy(directory, kind)}") from None
    if not isinstance(manifest, dict) or "format" not in manifest:
        raise SendclfError(f"{path}: damaged (no format version); {_remedy(directory, kind)}")
    if manifest["format"] != FORMAT_VERSION:
        raise SendclfError(f"{path}: a model folder of format {manifest['format']!r} (saved by sendclf "
                           f"{manifest.get('sendclf', 'unknown')}); this sendclf {sendclf_version()} reads "
                           f"format {FORMAT_VERSION}: retrain it with `{retrain_command(directory, kind)}`")
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("size"), int)
            and isinstance(f.get("sha256"), str) for f in files):
        raise SendclfError(f"{path}: damaged (its file list is malformed); {_remedy(directory, kind)}")
    for entry in files:
        relative = PurePosixPath(entry["path"])
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise SendclfError(f"{path}: damaged (it lists {entry['path']!r}, outside the model folder); "
                               f"{_remedy(directory, kind)}")
    return manifest


def _saved_kind(directory: Path) -> str | None:
    """The kind of model `model.json` names, if it can be read: for a hint only."""
    try:
        kind = json.loads((directory / "model.json").read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        return None
    return kind if isinstance(kind, str) else None


def verify(directory: Path, kind: str | None = None) -> dict:
    """Raise one line naming the first file of `directory` that is missing, of the wrong size or (where it
    is hashed) of other contents than its manifest says; a folder without a manifest predates them."""
    path = directory / MANIFEST_FILE
    if not path.is_file():
        raise SendclfError(f"{directory}: no {MANIFEST_FILE}, so saved by an older version of sendclf (or "
                           f"not completely copied): retrain it with `{retrain_command(directory, kind)}`")
    manifest = _read(directory, kind)
    kind = kind or (manifest.get("kind") if isinstance(manifest.get("kind"), str) else None)
    for entry in manifest["files"]:
        file = directory / entry["path"]
        try:
            size = os.stat(file).st_size
        except FileNotFoundError:
            raise SendclfError(f"{file}: missing from the model folder; {_remedy(directory, kind)}") from None
        except OSError as error:
            raise SendclfError(f"{file}: cannot read ({error.strerror}); "
                               f"{_remedy(directory, kind)}") from None
        if not file.is_file():
            raise SendclfError(f"{file}: not a file; {_remedy(directory, kind)}")
        if size != entry["size"]:
            state = "truncated" if size < entry["size"] else "damaged"
            raise SendclfError(f"{file}: {state} ({size} bytes, saved with {entry['size']}); "
                               f"{_remedy(directory, kind)}")
        if hashed_at_load(entry["path"], size):
            try:
                found = sha256(file)
            except OSError as error:
                raise SendclfError(f"{file}: cannot read ({error.strerror}); "
                                   f"{_remedy(directory, kind)}") from None
            if found != entry["sha256"]:
                raise SendclfError(f"{file}: changed since the model was saved (sha256 differs); "
                                   f"{_remedy(directory, kind)}")
    return manifest
