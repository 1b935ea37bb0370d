"""The machine every timing is taken on, read without importing torch."""

from __future__ import annotations

import os
import platform

THREADS_ENV = "SENDCLF_THREADS"  # threads one sendclf job may use; unset = every core it may use
# Instruction sets that decide how fast the models run, fastest first.
ISA_FLAGS = ("amx_bf16", "avx512_bf16", "avx512_vnni", "avx512f", "avx2")
# Flags that decide whether int8 dot products run exactly (VNNI, AMX) or through saturating int16 sums.
INT8_FLAGS = ("avx512_vnni", "avx_vnni", "amx_int8")


def _cpuinfo() -> tuple[str, set[str]]:
    name, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    name = value.strip()
                elif key.strip() == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    return name, flags


def cpu_description() -> str:
    """'AMD EPYC 7B13, 2 cores, avx2': the CPU's name, the cores this process may use, its best ISA flag."""
    name, flags = _cpuinfo()
    best = next((flag for flag in ISA_FLAGS if flag in flags), "unknown ISA")
    return f"{name}, {len(os.sched_getaffinity(0))} cores, {best}"


def cpu_flags() -> str:
    """'avx2, no avx512_vnni, no avx_vnni, no amx_int8': the flags every int8 figure depends on."""
    _, flags = _cpuinfo()
    best = next((flag for flag in ISA_FLAGS if flag in flags), "unknown ISA")
    return ", ".join([best] + [flag if flag in flags else f"no {flag}" for flag in INT8_FLAGS])


def cpu_threads(setting: int = 0) -> int:
    """Threads for one job: a config's own setting, else $SENDCLF_THREADS, else every core this process may
    use. Two jobs sharing 2 cores run fastest with SENDCLF_THREADS=1 each (README: two jobs at once)."""
    if setting > 0:
        return setting
    value = os.environ.get(THREADS_ENV, "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            from sendclf.errors import SendclfError

            raise SendclfError(f"{THREADS_ENV}={value!r}: give a whole number of threads, at least 1")
        return int(value)
    return len(os.sched_getaffinity(0))
