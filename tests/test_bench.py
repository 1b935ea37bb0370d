import json
import sys

import pytest
from typer.testing import CliRunner

from sendclf import bench as lib
from sendclf.cli import app
from sendclf.errors import SendclfError
from sendclf.report import read_bench
from sendclf.results import load_results

runner = CliRunner()
ALLOCATE_MB = 200


@pytest.fixture
def tiny_model(trained_models):
    return trained_models[0]  # "sharp"


def test_measure_sees_the_peak_memory_of_its_child():
    run = lib.measure([sys.executable, "-c", f"b = bytearray({ALLOCATE_MB} * 1024 * 1024); print('done')"])
    assert run.returncode == 0 and run.stdout.strip() == "done"
    assert ALLOCATE_MB < run.peak_mb < 3 * ALLOCATE_MB
    failed = lib.measure([sys.executable, "-c", "import sys; sys.exit('no luck')"])
    assert failed.returncode == 1 and failed.error() == "no luck"


def test_batch_repeats_real_sentences():
    texts = lib.batch(250)
    assert len(texts) == 250 and len(set(texts)) < 250 and all(texts)


def test_bench_measures_a_tiny_model(tiny_model, tmp_path):
    result = lib.bench({"sharp": (tiny_model, load_results(tiny_model))}, runs=2, n_sentences=40)
    (entry,) = result["models"]
    assert entry["final_fit_seconds"] >= 0 and entry["cv_seconds"] >= 0
    (inference,) = entry["inference"].values()  # TF-IDF predicts one way
    assert len(inference["seconds"]) == 2 and inference["sentences_per_second"] > 0
    assert inference["peak_mb"] > 0
    cold = entry["cold_start"]
    assert "error" not in cold, cold
    assert len(cold["seconds"]) == 2 and cold["median_seconds"] > 0
    assert "retrain" not in entry and lib.errors(result) == []
    header, rows = lib.bench_table(result)
    assert len(rows[0]) == len(header) and rows[0][1] == "default" and rows[0][6] == "–"
    path = lib.write(result, tmp_path)
    assert read_bench(path) == json.loads(path.read_text())


def test_failures_are_recorded_not_raised(tiny_model, tmp_path):
    cold = lib.cold_start(tiny_model, runs=3, article=tmp_path / "missing.txt")
    assert "seconds" not in cold and cold["error"]
    broken = lib.inference(tmp_path, n_sentences=5, runs=1)
    assert "no trained model" in broken["error"]
    result = {"models": [{"name": "x", "inference": {"default": broken}, "cold_start": cold}]}
    assert len(lib.errors(result)) == 2
    with pytest.raises(SendclfError, match="at least 1"):
        lib.bench({}, runs=0)
    (tmp_path / "bench.json").write_text("{}")
    assert read_bench(tmp_path / "bench.json") is None


def test_bench_command(tiny_model, tmp_path):
    result = runner.invoke(app, ["bench", "--runs", "1", "--sentences", "20", "--out", str(tmp_path),
                                 str(tiny_model)])
    assert result.exit_code == 0, result.output
    assert "sent/s" in result.output and "sharp" in result.output
    saved = json.loads((tmp_path / "bench.json").read_text())
    assert saved["settings"] == {"runs": 1, "sentences": 20, "retrain": False,
                                 "cold_start_article": "seeds/articles/kent.txt"}
