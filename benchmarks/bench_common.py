"""Shared pieces of the benchmark: progress lines, sizes, names, CPU accounting and machine load.

The benchmark prints what it is doing as it goes (so `make bench` never looks hung) and collects
every figure in plain dicts that end up in the table, the JSON file and the last line.
"""

from __future__ import annotations

import os
import resource
import secrets
import statistics
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

_T0 = time.monotonic()


def say(message: str) -> None:
    """One progress line with the time since the benchmark started, flushed at once."""
    print(f"[{time.monotonic() - _T0:6.1f}s] {message}", flush=True)


def run_token() -> str:
    """A short random tag put in every topic and stream name of this run (for the final clean-up)."""
    return secrets.token_hex(4)


@dataclass(frozen=True)
class Sizes:
    """How big each measurement is; `--quick` shrinks everything to a smoke check."""

    rounds: int = 3
    """ProducerPerformance and harness saturation runs alternate this many times (median reported)."""
    pp_records: int = 1_000_000
    pp_warmup_fraction: float = 0.25
    saturation_target_rate: int = 1_000_000
    """Open-loop target far above what 2 cores can carry, so the harness is never ahead of schedule."""
    saturation_warmup_s: int = 2
    min_saturation_s: int = 4
    max_saturation_s: int = 15
    search_trial_s: float = 5.0
    search_trial_warmup_s: float = 1.0
    search_max_trials: int = 7
    kinesis_records: int = 2_000
    overhead_rate: int = 2_000
    """The standard workload's rate (data/workloads/standard.yaml)."""
    overhead_s: float = 5.0
    overhead_warmup_s: float = 1.0
    overhead_saturation_rate: int = 2_000_000
    overhead_saturation_s: float = 3.0
    layer_records: int = 5_000
    """Records per batching-producer round through the fidelity layer and straight to kinesis-mock."""
    layer_rounds: int = 3
    layer_latency_calls: int = 300

    @classmethod
    def quick(cls) -> Sizes:
        return cls(rounds=1, pp_records=200_000, min_saturation_s=3, max_saturation_s=4, saturation_warmup_s=1,
                   search_trial_s=2.0, search_trial_warmup_s=0.5, search_max_trials=3,
                   kinesis_records=200, overhead_s=2.5, overhead_warmup_s=0.5, overhead_saturation_s=2.0,
                   layer_records=2_000, layer_rounds=2, layer_latency_calls=100)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def children_cpu_s() -> float:
    """User + system CPU of every terminated, waited-for child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))


class CpuBusy:
    """Share of the whole machine's CPU time that was busy between start() and stop() (Linux /proc/stat)."""

    def __init__(self) -> None:
        self._start: tuple[int, int] | None = None

    @staticmethod
    def _read() -> tuple[int, int] | None:
        try:
            with open("/proc/stat", encoding="ascii") as fh:
                fields = [int(x) for x in fh.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        return fields[3] + fields[4], sum(fields)  # idle + iowait, total

    def start(self) -> CpuBusy:
        self._start = self._read()
        return self

    def stop(self) -> float | None:
        end = self._read()
        if self._start is None or end is None or end[1] == self._start[1]:
            return None
        idle, total = end[0] - self._start[0], end[1] - self._start[1]
        return round(1 - idle / total, 3)


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def fmt_rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}/s"


def fmt_us(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f} us"


def fail(message: str, code: int = 2) -> None:
    """Print an error for the user and exit (no traceback for expected problems)."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(code)


def _proc_cpu_ticks(pid: int) -> int:
    """utime + stime of one process in clock ticks (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])


class MachineMeter:
    """How busy the whole machine was over a stretch, and how much of it was neither us nor the stack.

    `others` = machine busy time - this process and its waited-for children - the stack's processes,
    as a share of the machine (all CPUs): other work on a shared machine shows up here.
    """

    def __init__(self, stack_pids: Iterable[int]) -> None:
        self.stack_pids = list(stack_pids)
        self._start: tuple[int, int, float, int] | None = None

    def _snapshot(self) -> tuple[int, int, float, int] | None:
        machine = CpuBusy._read()
        if machine is None:
            return None
        t = os.times()
        own = t.user + t.system + t.children_user + t.children_system
        stack = sum(_proc_cpu_ticks(pid) for pid in self.stack_pids)
        return machine[0], machine[1], own, stack

    def start(self) -> MachineMeter:
        self._start = self._snapshot()
        return self

    def stop(self) -> dict[str, float | None]:
        end = self._snapshot()
        if self._start is None or end is None or end[1] == self._start[1]:
            return {"machine_busy": None, "others": None}
        tick = os.sysconf("SC_CLK_TCK")
        total = end[1] - self._start[1]
        busy = total - (end[0] - self._start[0])
        ours = (end[2] - self._start[2]) * tick + (end[3] - self._start[3])
        return {"machine_busy": round(busy / total, 3), "others": round(max(0.0, busy - ours) / total, 3)}
