"""`sendclf bench`: what each trained model costs in time and memory, measured the same way for every kind.

Fit and CV times were measured during training and are read from `metrics.json`. Everything else runs in
a fresh subprocess, so one model's imports and caches never flatter the next, and the peak resident memory
of that process alone comes from `os.wait4`. Retraining (minutes for a transformer) is opt-in; by default
peak memory is that of loading the model and labelling the benchmark batch.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import cycle, islice
from pathlib import Path
from typing import TYPE_CHECKING

from sendclf.atomic import write_text
from sendclf.errors import SendclfError
from sendclf.machine import cpu_description
from sendclf.models.registry import model_class
from sendclf.paths import REPORTS, ROOT, SEEDS

if TYPE_CHECKING:  # the child process of `inference` imports this module: it loads no more than it needs
    from sendclf.results import TrainingResults

BENCH_FILE = "bench.json"
DEFAULT_RUNS = 5
BATCH_SENTENCES = 1000
COLD_START_ARTICLE = SEEDS / "articles" / "kent.txt"
SENTENCE_SOURCE = SEEDS / "labels.jsonl"  # real sentences, repeated up to the batch size
RSS_BYTES = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB on Linux
MB = 1024 * 1024
ERROR_LINES = 3  # of a failed subprocess's stderr, kept in bench.json


@dataclass
class Measured:
    returncode: int
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str

    def error(self) -> str:
        lines = [line for line in self.stderr.strip().splitlines() if line.strip()]
        return " / ".join(lines[-ERROR_LINES:]) or f"exit code {self.returncode}"


def measure(argv: list[str]) -> Measured:
    """Run one command; wall time and the peak resident memory of that process alone."""
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        return Measured(process.returncode, seconds, usage.ru_maxrss * RSS_BYTES / MB, stdout.read(),
                        stderr.read())


def sendclf_command() -> list[str]:
    """The installed `sendclf` script beside this Python, as a user would run it."""
    script = Path(sys.executable).with_name("sendclf")
    return [str(script)] if script.is_file() else [sys.executable, "-c", "from sendclf.cli import app; app()"]


def batch(n: int, source: Path = SENTENCE_SOURCE) -> list[str]:
    try:
        texts = [json.loads(line)["text"] for line in source.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    except (OSError, ValueError, KeyError) as error:
        raise SendclfError(f"{source}: cannot read benchmark sentences ({error})") from None
    if not texts:
        raise SendclfError(f"{source}: no sentences to benchmark with")
    return list(islice(cycle(texts), n))


def probe(model_dir: Path, texts: list[str], runs: int, overrides: dict) -> dict:
    """In the child: load once, then label the whole batch `runs` times."""
    from sendclf.api import label
    from sendclf.models.registry import load_model

    started = time.perf_counter()
    model = load_model(model_dir, overrides)
    model.show_progress = False
    load_seconds = time.perf_counter() - started
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        label(model, texts)
        seconds.append(time.perf_counter() - started)
    return {"load_seconds": load_seconds, "predict_seconds": seconds}


def inference(model_dir: Path, n_sentences: int, runs: int, overrides: dict | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(batch(n_sentences)), encoding="utf-8")
        run = measure([sys.executable, "-m", "sendclf.bench", str(model_dir), str(texts_file), str(runs),
                       json.dumps(overrides or {})])
    if run.returncode:
        return {"error": run.error()}
    result = json.loads(run.stdout.strip().splitlines()[-1])
    median = statistics.median(result["predict_seconds"])
    return {"load_seconds": result["load_seconds"], "seconds": result["predict_seconds"],
            "median_seconds": median, "sentences_per_second": n_sentences / median, "peak_mb": run.peak_mb}


def cold_start(model_dir: Path, runs: int, article: Path = COLD_START_ARTICLE) -> dict:
    """`sendclf classify` on one article from a fresh process: what a user waits for."""
    argv = sendclf_command() + ["classify", "--model", str(model_dir), str(article)]
    seconds = []
    for _ in range(runs):
        run = measure(argv)
        if run.returncode:
            return {"command": argv, "error": run.error()}
        seconds.append(run.seconds)
    return {"command": argv, "seconds": seconds, "median_seconds": statistics.median(seconds)}


def retrain(model_dir: Path, name: str) -> dict:
    """Train the same model with its own resolved config into a scratch folder."""
    from sendclf.train import CONFIG_FILE

    config = model_dir / CONFIG_FILE
    with tempfile.TemporaryDirectory() as tmp:
        argv = sendclf_command() + ["train", name, "--out", str(Path(tmp) / name), "-q"]
        if config.is_file():
            argv += ["--config", str(config)]
        run = measure(argv)
    if run.returncode:
        return {"error": run.error()}
    return {"seconds": run.seconds, "peak_mb": run.peak_mb}


def machine() -> dict:
    cpus = os.cpu_count()
    return {"summary": f"{cpu_description()}, Python {platform.python_version()}",
            "platform": platform.platform(), "cpus": cpus, "python": platform.python_version()}


def bench(models: dict[str, tuple[Path, TrainingResults]], *, runs: int = DEFAULT_RUNS,
          n_sentences: int = BATCH_SENTENCES, with_retrain: bool = False,
          log: Callable[[str], None] = lambda _: None) -> dict:
    """Name -> (model dir, metrics) in; every measurement of every model out, as plain data."""
    if runs < 1 or n_sentences < 1:
        raise SendclfError("--runs and --sentences must be at least 1")
    results = []
    for name, (model_dir, metrics) in models.items():
        entry = {"name": name, "dir": str(model_dir), "kind": metrics.kind,
                 "final_fit_seconds": metrics.seconds.final_fit, "cv_seconds": metrics.seconds.cv}
        entry["inference"] = {}
        for option, overrides in model_class(metrics.kind).serving_options(model_dir).items():
            log(f"{name} ({option}): labelling {n_sentences} sentences x {runs} in a fresh process")
            entry["inference"][option] = inference(model_dir, n_sentences, runs, overrides)
        log(f"{name}: cold start of `sendclf classify` x {runs}")
        entry["cold_start"] = cold_start(model_dir, runs)
        if with_retrain:
            log(f"{name}: retraining to measure its peak memory")
            entry["retrain"] = retrain(model_dir, metrics.model)
        results.append(entry)
    return {"measured": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
            "settings": {"runs": runs, "sentences": n_sentences, "retrain": with_retrain,
                         "cold_start_article": str(COLD_START_ARTICLE.relative_to(ROOT))},
            "models": results}


def write(result: dict, out_dir: Path = REPORTS) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / BENCH_FILE
    write_text(path, json.dumps(result, indent=1) + "\n")
    return path


def _cell(section: dict | None, key: str, fmt: str) -> str:
    if not section:
        return "–"
    if "error" in section:
        return "failed"
    return format(section[key], fmt)


def bench_table(result: dict) -> tuple[list[str], list[tuple[str, ...]]]:
    """The table `sendclf bench` prints and the report shows; failures say `failed` (details in JSON)."""
    header = ["model", "runtime", "fit s", "CV s", "sent/s", "peak MB", "train MB", "retrain s", "cold s"]
    rows = []
    for m in result["models"]:
        retrained = m.get("retrain")
        for i, (option, inference) in enumerate(m["inference"].items()):
            first = i == 0  # training figures and the cold start belong to the model as saved
            rows.append((m["name"], option, f"{m['final_fit_seconds']:.1f}" if first else "",
                         f"{m['cv_seconds']:.1f}" if first else "",
                         _cell(inference, "sentences_per_second", ",.0f"), _cell(inference, "peak_mb", ".0f"),
                         _cell(retrained, "peak_mb", ".0f") if first else "",
                         _cell(retrained, "seconds", ".1f") if first else "",
                         _cell(m["cold_start"], "median_seconds", ".2f") if first else ""))
    return header, rows


def bench_note(result: dict) -> str:
    """What each short column of `bench_table` means."""
    settings = result["settings"]
    return (f"fit s, CV s: final fit and cross-validation, timed during training (metrics.json). "
            f"sent/s: sentences labelled per second, a batch of {settings['sentences']} seed sentences, "
            f"model loaded once. peak MB: peak memory of a fresh process loading the model and labelling "
            f"that batch. train MB, retrain s: peak memory and wall time of a fresh `sendclf train` (only "
            f"with --retrain). cold s: `sendclf classify --model DIR {settings['cold_start_article']}` in a "
            f"fresh process. Times are medians of {settings['runs']} runs.")


def errors(result: dict) -> list[str]:
    found = []
    for m in result["models"]:
        for option, inference in m["inference"].items():
            if "error" in inference:
                found.append(f"{m['name']} inference ({option}) failed: {inference['error']}")
        for step in ("cold_start", "retrain"):
            if m.get(step) and "error" in m[step]:
                found.append(f"{m['name']} {step.replace('_', ' ')} failed: {m[step]['error']}")
    return found


if __name__ == "__main__":
    # The child side of `inference`: MODEL_DIR TEXTS_JSON RUNS -> one JSON line of timings on stdout.
    directory, texts_path, n_runs, overrides = sys.argv[1:]
    texts = json.loads(Path(texts_path).read_text(encoding="utf-8"))
    print(json.dumps(probe(Path(directory), texts, int(n_runs), json.loads(overrides))))
