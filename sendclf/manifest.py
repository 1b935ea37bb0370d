"""A model folder's manifest: every file `Classifier.save` wrote, with its size and sha256, checked before
anything is loaded.

A folder copied half-way, truncated on a full disk, or edited by hand would otherwise fail deep inside
safetensors, onnxruntime or the tokenizer, with a traceback that names none of its files. `verify` names the
first file that is missing or not the one saved, in a `ModelFolderError` that says whether a good copy of
the folder would do; the loader (`models.folder`) adds the command that retrains the model. Sizes are always
compared; contents are hashed for files up to `HASH_LIMIT` bytes (every model file but a large encoder) and
for every JSON or tokenizer file, whatever its size. Files the manifest does not list (metrics.json,
config.yaml and README.md, written by `sendclf train` after the model itself, or anything added later) are
ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path, PurePosixPath

from sendclf.errors import ModelFolderError

MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 2  # the layout of a saved model folder; bump it when a change makes old folders unloadable
# (2: the int8 encoder has 7-bit weights and a fingerprint of float32 reference vectors)
HASH_LIMIT = 50 * 2**20  # bytes: larger files are checked by size only (hashing them would slow each load)
ALWAYS_HASHED = (".json", ".txt", ".model")  # configs, vocabularies and tokenizers: hashed at any size
CHUNK = 2**20

# (path, inode, size, times) -> sha256 of files already hashed in this process: an ensemble's manifest
# lists its members' files too, and each member's own manifest is checked again when it loads.
_hashed: dict[tuple, str] = {}


def sendclf_version() -> str:
    try:
        return metadata.version("sendclf")
    except metadata.PackageNotFoundError:
        return "unknown"


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


def _read(directory: Path) -> dict:
    path = directory / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ModelFolderError(f"{path}: cannot read ({error.strerror})") from None
    except ValueError:
        raise ModelFolderError(f"{path}: damaged (not valid JSON)") from None
    if not isinstance(manifest, dict) or "format" not in manifest:
        raise ModelFolderError(f"{path}: damaged (no format version)")
    if manifest["format"] != FORMAT_VERSION:
        raise ModelFolderError(f"{path}: a model folder of format {manifest['format']!r} (saved by "
                               f"sendclf {manifest.get('sendclf', 'unknown')}); this sendclf "
                               f"{sendclf_version()} reads format {FORMAT_VERSION}", recopy=False)
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("size"), int)
            and isinstance(f.get("sha256"), str) for f in files):
        raise ModelFolderError(f"{path}: damaged (its file list is malformed)")
    for entry in files:
        relative = PurePosixPath(entry["path"])
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise ModelFolderError(f"{path}: damaged (it lists {entry['path']!r}, outside the model folder)")
    return manifest


def verify(directory: Path) -> dict:
    """The manifest of `directory`, once every file it lists is there with its size and (where it is hashed)
    its contents; else a `ModelFolderError` naming the first file that is not. A folder without a manifest
    predates them."""
    if not (directory / MANIFEST_FILE).is_file():
        raise ModelFolderError(f"{directory}: no {MANIFEST_FILE}, so saved by an older version of sendclf "
                               f"(or not completely copied)", recopy=False)
    manifest = _read(directory)
    for entry in manifest["files"]:
        file = directory / entry["path"]
        try:
            size = os.stat(file).st_size
        except FileNotFoundError:
            raise ModelFolderError(f"{file}: missing from the model folder") from None
        except OSError as error:
            raise ModelFolderError(f"{file}: cannot read ({error.strerror})") from None
        if not file.is_file():
            raise ModelFolderError(f"{file}: not a file")
        if size != entry["size"]:
            state = "truncated" if size < entry["size"] else "damaged"
            raise ModelFolderError(f"{file}: {state} ({size} bytes, saved with {entry['size']})")
        if hashed_at_load(entry["path"], size):
            try:
                found = sha256(file)
            except OSError as error:
                raise ModelFolderError(f"{file}: cannot read ({error.strerror})") from None
            if found != entry["sha256"]:
                raise ModelFolderError(f"{file}: changed since the model was saved (sha256 differs)")
    return manifest
