"""How many threads one job takes: its config, else SENDCLF_THREADS, else every core it may use."""

import os

import pytest

from sendclf.errors import SendclfError
from sendclf.machine import THREADS_ENV, cpu_description, cpu_threads


def test_a_config_setting_wins_then_the_environment_then_every_core(monkeypatch):
    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert cpu_threads(0) == len(os.sched_getaffinity(0))
    monkeypatch.setenv(THREADS_ENV, "1")
    assert cpu_threads(0) == 1
    assert cpu_threads(3) == 3


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_thread_count_is_one_clear_error(monkeypatch, value):
    monkeypatch.setenv(THREADS_ENV, value)
    with pytest.raises(SendclfError, match=f"{THREADS_ENV}="):
        cpu_threads(0)


def test_importing_sendclf_makes_idle_openmp_threads_sleep():
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    out = subprocess.run([sys.executable, "-c", "import sendclf, os; print(os.environ['OMP_WAIT_POLICY'])"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "PASSIVE"


def test_the_cpu_is_described_with_its_cores_and_best_instruction_set():
    assert f"{len(os.sched_getaffinity(0))} cores" in cpu_description()
