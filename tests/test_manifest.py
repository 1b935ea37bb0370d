"""Model folders carry a manifest: a missing, truncated, changed or foreign file is one line naming it."""

import json
import shutil
from pathlib import Path

import pytest
from tiny_model import tiny_targets, train_tiny_transformer
from typer.testing import CliRunner

from sendclf import manifest as mf
from sendclf.api import label
from sendclf.cli import app
from sendclf.errors import SendclfError
from sendclf.models.folder import retrain_command
from sendclf.models.registry import build_model, load_model

runner = CliRunner()
ARTICLE = "Waiting times for therapy are too long. Children achieve well in primary schools.\n"


@pytest.fixture
def tfidf_dir(model_dir) -> Path:
    return model_dir


@pytest.fixture(scope="module")
def transformer_dir(tmp_path_factory, labels, tiny_bert) -> Path:
    encoder = tiny_bert
    directory = tmp_path_factory.mktemp("saved") / "tiny-transformer"
    train_tiny_transformer(directory, encoder, labels)
    return directory


def saved_files(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())


def copy(directory: Path, tmp_path: Path) -> Path:
    target = tmp_path / directory.name
    shutil.copytree(directory, target)
    return target


def assert_cli_one_line(model_dir: Path, tmp_path: Path, *fragments: str) -> str:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = runner.invoke(app, ["classify", "--model", str(model_dir), str(article)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def test_save_writes_a_manifest_of_every_file(tfidf_dir):
    manifest = json.loads((tfidf_dir / mf.MANIFEST_FILE).read_text())
    assert manifest["format"] == mf.FORMAT_VERSION and manifest["kind"] == "tfidf" and manifest["sendclf"]
    listed = [f["path"] for f in manifest["files"]]
    assert listed == [f for f in saved_files(tfidf_dir) if f != mf.MANIFEST_FILE]
    assert {"model.json", "tfidf.safetensors", "tfidf_vocabulary.json", "memory.json",
            "memory.safetensors"} <= set(listed)
    for entry in manifest["files"]:
        assert entry["size"] == (tfidf_dir / entry["path"]).stat().st_size
        assert entry["sha256"] == mf.sha256(tfidf_dir / entry["path"])


def test_transformer_manifest_lists_the_encoder_files(transformer_dir):
    listed = {f["path"] for f in json.loads((transformer_dir / mf.MANIFEST_FILE).read_text())["files"]}
    assert {"heads.safetensors", "memory.safetensors", "encoder/encoder.int8.onnx",
            "encoder/tokenizer.json"} <= listed


@pytest.mark.parametrize("kind", ["tfidf", "transformer"])
@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_every_damaged_or_missing_file_is_one_line_naming_it(request, tmp_path, kind, damage):
    saved = request.getfixturevalue(f"{kind}_dir")
    for name in saved_files(saved):
        folder = copy(saved, tmp_path / f"{damage}-{name.replace('/', '_')}")
        path = folder / name
        if damage == "delete":
            path.unlink()
        else:
            data = path.read_bytes()
            path.write_bytes(data[:len(data) // 2])
        with pytest.raises(SendclfError) as raised:
            load_model(folder)
        message = str(raised.value)
        assert Path(name).name in message and "\n" not in message, message
        assert f"retrain it with `sendclf train {kind} --out {folder}`" in message
        assert_cli_one_line(folder, tmp_path, Path(name).name)


@pytest.mark.parametrize("name", ["heads.safetensors", "memory.safetensors", "encoder/tokenizer.json",
                                  "encoder/encoder.int8.onnx"])
def test_transformer_truncated_files_say_truncated_and_how_to_fix(transformer_dir, tmp_path, name):
    folder = copy(transformer_dir, tmp_path)
    path = folder / name
    path.write_bytes(path.read_bytes()[:100])
    line = assert_cli_one_line(folder, tmp_path, f"{path}: truncated (100 bytes, saved with",
                               f"re-copy the whole model folder, or retrain it with `sendclf train "
                               f"transformer --out {folder}`")
    assert line.startswith("error: ")


def test_a_missing_onnx_file_is_one_line(transformer_dir, tmp_path):
    folder = copy(transformer_dir, tmp_path)
    (folder / "encoder" / "encoder.int8.onnx").unlink()
    assert_cli_one_line(folder, tmp_path, "encoder.int8.onnx: missing from the model folder")


def test_truncated_tfidf_weights_are_one_line(tfidf_dir, tmp_path):
    folder = copy(tfidf_dir, tmp_path)
    (folder / "tfidf.safetensors").write_bytes(b"\x08")
    assert_cli_one_line(folder, tmp_path, "tfidf.safetensors: truncated (1 bytes")


def test_a_changed_file_of_the_same_size_is_caught_by_its_hash(tfidf_dir, tmp_path):
    folder = copy(tfidf_dir, tmp_path)
    path = folder / "tfidf.safetensors"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(SendclfError, match=r"tfidf\.safetensors: changed since the model was saved"):
        load_model(folder)


def test_large_files_are_checked_by_size_json_always_by_hash(tfidf_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(mf, "HASH_LIMIT", 10)
    folder = copy(tfidf_dir, tmp_path)
    path = folder / "memory.safetensors"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01  # a float in the vectors: above the limit, so only its size is compared
    path.write_bytes(bytes(data))
    mf.verify(folder)
    vocabulary = folder / "tfidf_vocabulary.json"
    vocabulary.write_text(vocabulary.read_text().replace('"', "'", 1))
    with pytest.raises(SendclfError, match=r"tfidf_vocabulary\.json: changed"):
        mf.verify(folder)


def test_files_written_after_the_model_and_extra_files_are_ignored(tfidf_dir, tmp_path):
    folder = copy(tfidf_dir, tmp_path)
    for name in ("metrics.json", "config.yaml", "README.md", "notes/extra.bin"):
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text("written later")
    assert label(load_model(folder), ["Waiting times are long."])[0].polarity


def test_sendclf_train_writes_a_folder_that_loads(trainable_seeds, tmp_path):
    from sendclf.train import train

    out = tmp_path / "tfidf"
    train("tfidf", out_dir=out, seeds=trainable_seeds, quiet=True)
    listed = {f["path"] for f in json.loads((out / mf.MANIFEST_FILE).read_text())["files"]}
    assert "model.json" in listed and not listed & {"metrics.json", "config.yaml", "README.md"}
    assert label(load_model(out), ["Waiting times are long."])[0].polarity
    (out / "model.json").write_text("{}")
    assert_cli_one_line(out, tmp_path, "model.json: ", f"retrain it with `sendclf train tfidf --out {out}`")


def test_a_folder_without_a_manifest_asks_to_be_retrained(tfidf_dir, tmp_path):
    folder = copy(tfidf_dir, tmp_path)
    (folder / mf.MANIFEST_FILE).unlink()
    assert_cli_one_line(folder, tmp_path, "no manifest.json, so saved by an older version of sendclf",
                        f"retrain it with `sendclf train tfidf --out {folder}`")


@pytest.mark.parametrize(("change", "message"), [
    (lambda m: {**m, "format": 99}, "a model folder of format 99 .*reads format 2: retrain it"),
    (lambda m: {**m, "files": [{"path": "../model.json", "size": 1, "sha256": "x"}]}, "outside the model"),
    (lambda m: {**m, "files": "all"}, "file list is malformed"),
    (lambda m: [m], "no format version"),
])
def test_a_foreign_or_malformed_manifest_is_one_line(tfidf_dir, tmp_path, change, message):
    folder = copy(tfidf_dir, tmp_path)
    path = folder / mf.MANIFEST_FILE
    path.write_text(json.dumps(change(json.loads(path.read_text()))))
    with pytest.raises(SendclfError, match=message):
        load_model(folder)


def test_hints_name_a_command_that_works(tmp_path, monkeypatch):
    from sendclf import paths

    assert retrain_command(paths.MODELS / "tfidf") == "sendclf train tfidf"
    assert retrain_command(paths.MODELS / "transformer-large") == "sendclf train transformer-large"
    assert retrain_command(tmp_path / "tfidf") == f"sendclf train tfidf --out {tmp_path / 'tfidf'}"
    assert retrain_command(tmp_path / "mine", kind="ensemble") == (
        f"sendclf train ensemble --out {tmp_path / 'mine'}")
    assert retrain_command(paths.MODELS / "nope") == "make train"
    assert retrain_command(tmp_path / "mine", kind="majority") == "make train"


def test_evaluate_of_an_unknown_folder_suggests_a_command_that_works(tmp_path):
    result = runner.invoke(app, ["evaluate", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "make train" in result.stderr and "sendclf train nope" not in result.stderr
    result = runner.invoke(app, ["evaluate", str(tmp_path / "tfidf")])
    assert f"sendclf train tfidf --out {tmp_path / 'tfidf'}" in result.stderr


def test_a_damaged_ensemble_member_names_its_file_and_the_ensemble(labels, tmp_path, monkeypatch):
    from sendclf import catalog
    from sendclf.models.ensemble import EnsembleConfig

    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "models.yaml").write_text("shipped: [tfidf, majority, ensemble]\nlarge: []\n"
                                         "")
    (configs / "tfidf.yaml").write_text("theme_threshold: 0.5\n")
    (configs / "majority.yaml").write_text("{}\n")
    monkeypatch.setattr(catalog, "CONFIGS", configs)
    config = EnsembleConfig(members=["tfidf", "majority"], weights=[0.5, 0.5], evidence_from="tfidf")
    build_model("ensemble", config, labels).fit(tiny_targets(labels)).save(tmp_path / "ensemble")
    assert (tmp_path / "ensemble" / "members" / "tfidf" / mf.MANIFEST_FILE).is_file()  # its own, too
    assert load_model(tmp_path / "ensemble").members[0].kind == "tfidf"
    weights = tmp_path / "ensemble" / "members" / "tfidf" / "tfidf.safetensors"
    weights.write_bytes(weights.read_bytes()[:10])
    with pytest.raises(SendclfError, match=r"members/tfidf/tfidf\.safetensors: truncated .*"
                                           r"`sendclf train ensemble --out"):
        load_model(tmp_path / "ensemble")
    # the member's own manifest names the ensemble too, if the ensemble's listing is gone
    listing = tmp_path / "ensemble" / mf.MANIFEST_FILE
    manifest = json.loads(listing.read_text())
    manifest["files"] = [f for f in manifest["files"] if not f["path"].startswith("members/")]
    listing.write_text(json.dumps(manifest))
    with pytest.raises(SendclfError, match=r"tfidf\.safetensors: truncated .*`sendclf train ensemble --out"):
        load_model(tmp_path / "ensemble")
