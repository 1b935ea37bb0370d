"""Atomic writes: a file or a model directory is replaced whole, or not at all."""

import json
import os

import pytest

from sendclf import atomic
from sendclf.errors import SendclfError


def test_write_atomically_replaces_the_file(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("old")
    atomic.write_text(target, '{"a": 1}\n')
    assert target.read_text() == '{"a": 1}\n'
    assert os.listdir(tmp_path) == ["out.jsonl"]
    assert target.stat().st_mode & 0o777 != 0o600


def test_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("old")

    def fail(*_):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(SendclfError, match="No space left"):
        atomic.write_text(target, json.dumps({"new": True}))
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.json"]


def test_write_into_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(SendclfError, match="does not exist"):
        atomic.write_text(tmp_path / "nope" / "out.csv", "x")


def test_a_failing_fill_leaves_the_old_directory_and_no_staging(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "weights").write_text("old")

    def fill(staging):
        (staging / "weights").write_text("half")
        raise RuntimeError("training failed")
    with pytest.raises(RuntimeError):
        atomic.write_directory(target, fill)
    assert (target / "weights").read_text() == "old"
    assert os.listdir(tmp_path) == ["model"]
    atomic.write_directory(target, lambda staging: (staging / "weights").write_text("new"))
    assert (target / "weights").read_text() == "new" and os.listdir(tmp_path) == ["model"]
