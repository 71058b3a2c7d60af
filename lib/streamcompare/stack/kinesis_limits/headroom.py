"""Emulator headroom: how fast the backend behind the layer answers, next to the limits the layer enforces.

The layer times every call it forwards to the emulator (upstream time only, not its own waiting or
admission). From those times follows what one sequential client could get out of the emulator: a
PutRecords of n records taking t s upstream gives n / t records/s, a GetRecords taking t s gives
1 / t calls/s. When that is below a shard's limit, the emulator, not the layer, set the pace of any
run on it: `backend_bound` says so, and every emulated figure must carry the warning.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

SAMPLES = 4096
"""Recent upstream calls kept per operation (a ring: the newest calls count)."""


class UpstreamTimes:
    """Recent upstream call times (seconds) per operation, and the records each PutRecords carried."""

    def __init__(self, samples: int = SAMPLES) -> None:
        self._times: dict[str, deque[tuple[float, int]]] = {}
        self._samples = samples

    def add(self, operation: str, seconds: float, records: int = 1) -> None:
        self._times.setdefault(operation, deque(maxlen=self._samples)).append((seconds, records))

    def clear(self) -> None:
        self._times.clear()

    def summary(self) -> dict[str, dict[str, float]]:
        """operation -> calls, p50_ms, p99_ms, records_per_busy_s (records per second of upstream time)."""
        out: dict[str, dict[str, float]] = {}
        for operation, samples in self._times.items():
            times = sorted(s for s, _ in samples)
            busy = sum(times)
            records = sum(n for _, n in samples)
            out[operation] = {"calls": len(times), "p50_ms": _quantile(times, 0.50) * 1000,
                              "p99_ms": _quantile(times, 0.99) * 1000,
                              "records_per_busy_s": records / busy if busy > 0 else float("inf")}
        return out


def _quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def assess(upstream: Mapping[str, Mapping[str, float]], limits: Mapping[str, Any], shards: int = 1) -> dict[str, Any]:
    """Headroom of the emulator against the limits of `shards` shards, and whether it (not the layer)
    set the pace.

    write: records/s the emulator gives per second of its own call time, at the run's call sizes;
    read: GetRecords calls/s at the median call time. The emulators here answer one call at a time,
    so either below the limit of `shards` shards means `backend_bound`.
    """
    put = upstream.get("PutRecords") or upstream.get("PutRecord") or {}
    get = upstream.get("GetRecords") or {}
    shards = max(1, shards)
    write_limit = float(limits.get("write_records_per_s", 1000)) * shards
    read_limit = float(limits.get("read_calls_per_s", 5)) * shards
    write_rate = float(put["records_per_busy_s"]) if put else None
    read_rate = 1000.0 / float(get["p50_ms"]) if get and get.get("p50_ms") else None
    reasons = []
    if write_rate is not None and write_rate < write_limit:
        reasons.append(f"the emulator could not reach the write limit: {write_rate:,.0f} records/s "
                       f"(limit {write_limit:,.0f} for {shards} shard(s))")
    if read_rate is not None and read_rate < read_limit:
        reasons.append(f"the emulator could not reach the read limit: {read_rate:,.1f} GetRecords calls/s "
                       f"(limit {read_limit:g} for {shards} shard(s))")
    return {"shards": shards, "write_records_per_s": write_rate, "write_limit_records_per_s": write_limit,
            "read_calls_per_s": read_rate, "read_limit_calls_per_s": read_limit,
            "put_p50_ms": put.get("p50_ms"), "put_p99_ms": put.get("p99_ms"),
            "get_p50_ms": get.get("p50_ms"), "get_p99_ms": get.get("p99_ms"),
            "backend_bound": bool(reasons), "warning": "; ".join(reasons) or None}
