"""The one way sendclf writes anything: beside the target, then swapped in, so a reader (or a failure
half-way) never leaves half a file or half a model directory."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from sendclf.errors import SendclfError


def write_file(path: Path, write: Callable[[Path], None]) -> None:
    """`write(temp_path)` fills a temporary file in the target's folder, which then replaces `path`."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise SendclfError(f"{path}: folder {directory} does not exist")
    if path.is_dir():
        raise SendclfError(f"{path}: is a folder, not a file")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise SendclfError(f"{path}: cannot write ({error.strerror})") from None
    os.close(fd)
    try:
        write(Path(temp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
        os.replace(temp, path)
    except OSError as error:
        raise SendclfError(f"{path}: cannot write ({error.strerror})") from None
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def write_text(path: Path, text: str) -> None:
    def write(temp: Path) -> None:
        with open(temp, "w", encoding="utf-8", newline="") as f:
            f.write(text)

    write_file(path, write)


def write_directory(directory: Path, fill: Callable[[Path], None]) -> None:
    """`fill(staging)` builds the directory beside its final place; then it replaces the old one."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        fill(staging)
        if directory.exists():
            shutil.rmtree(directory)
        staging.rename(directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
