"""Which Kinesis emulator keeps up with the limits the fidelity layer enforces?

For each backend (stack/kinesis_backends.py) and shard count, a fresh local stack (no Kafka, limits
on), a fresh stream, then for `--seconds` (default 60): writers offer 1.5x the per-shard write limit
(1,500 records/s per shard, 100 B, random keys, open loop: what the schedule made due, up to 500 per
PutRecords) and one reader per shard offers 1.5x the GetRecords call limit (7.5 calls/s, following
NextShardIterator from TRIM_HORIZON). Every call is timed through the layer. It prints, per run,
call latency p50/p99 in the first and last 10 s, records/s accepted, GetRecords answered per second,
the layer's own view of the emulator (headroom.py), and whether the backend keeps up: accepted writes
(within 5 %) and answered reads (within 10 %: the layer counts whole 50 ms slots, so 7.5 calls/s
  offered get about 4.8 through) of the limit in the last 10 s, and the last 10 s p50 PutRecords latency
no more than twice the first's (plus 5 ms).

    PYTHONPATH=$PWD/lib .venv/bin/python benchmarks/bench_backends.py [--backends ministack moto kinesis-mock]
        [--shards 1 4] [--seconds 60] [--json out.json]

A benchmark, not a test: it prints figures (docs/kinesis-backends.md keeps them).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from streamcompare.drivers.kinesis import local_client
from streamcompare.stack.kinesis_limits import control
from streamcompare.stack.local import local_stack

WRITE_LIMIT, READ_CALLS_LIMIT, OVER = 1_000, 5, 1.5
CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"}, max_pool_connections=16, read_timeout=60)
"""No retries at all: botocore's `max_attempts` counts retries, `total_max_attempts` counts attempts."""


class Calls:
    """(start offset s, latency s, records sent, records accepted or read, throttled?) per call."""

    def __init__(self) -> None:
        self.rows: list[tuple[float, float, int, int, bool]] = []
        self.errors = 0
        self._lock = threading.Lock()

    def add(self, *row: Any) -> None:
        with self._lock:
            self.rows.append(tuple(row))  # type: ignore[arg-type]


def _writer(client: Any, stream: str, rate: float, t0: float, seconds: float, calls: Calls) -> None:
    sent = 0
    while (elapsed := time.monotonic() - t0) < seconds:
        due = min(500, int(elapsed * rate) - sent)
        if due <= 0:
            time.sleep(0.01)
            continue
        began = time.monotonic()
        try:
            answer = client.put_records(StreamName=stream, Records=[
                {"Data": os.urandom(100), "PartitionKey": uuid.uuid4().hex} for _ in range(due)])
            calls.add(began - t0, time.monotonic() - began, due, due - answer["FailedRecordCount"], False)
        except (ClientError, BotoCoreError):
            calls.errors += 1
        sent += due


def _reader(client: Any, stream: str, shard: str, t0: float, seconds: float, calls: Calls) -> None:
    iterator = client.get_shard_iterator(StreamName=stream, ShardId=shard,
                                         ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    interval, n = 1 / (READ_CALLS_LIMIT * OVER), 0
    while (elapsed := time.monotonic() - t0) < seconds:
        wait = n * interval - elapsed
        if wait > 0:
            time.sleep(wait)
        n += 1
        began = time.monotonic()
        try:
            page = client.get_records(ShardIterator=iterator, Limit=10_000)
            iterator = page["NextShardIterator"]
            calls.add(began - t0, time.monotonic() - began, 0, len(page["Records"]), False)
        except ClientError as exc:
            throttled = exc.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
            calls.add(began - t0, time.monotonic() - began, 0, 0, throttled)
            calls.errors += not throttled
        except BotoCoreError:
            calls.errors += 1


def _window(rows: list[tuple[float, float, int, int, bool]], lo: float, hi: float) -> dict[str, Any]:
    inside = [r for r in rows if lo <= r[0] < hi]
    lat = [r[1] * 1000 for r in inside]
    span = hi - lo
    return {"calls": len(inside), "p50_ms": float(np.percentile(lat, 50)) if lat else None,
            "p99_ms": float(np.percentile(lat, 99)) if lat else None,
            "records_per_s": sum(r[3] for r in inside) / span,
            "ok_calls_per_s": sum(1 for r in inside if not r[4]) / span,
            "throttled_calls": sum(1 for r in inside if r[4])}


def run_one(backend: str, shards: int, seconds: float, run_root: Path) -> dict[str, Any]:
    print(f"== {backend}, {shards} shard(s), {seconds:.0f} s at {OVER}x the limits", flush=True)
    started = time.monotonic()
    with local_stack(run_dir=run_root / f"{backend}-{shards}", with_kafka=False, kinesis_backend=backend) as stack:
        startup_s = time.monotonic() - started
        endpoint = stack.kinesis_endpoint
        client = local_client(endpoint, CONFIG)
        stream = f"backends-{uuid.uuid4().hex[:8]}"
        client.create_stream(StreamName=stream, ShardCount=shards)
        client.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.5})
        shard_ids = [s["ShardId"] for s in client.list_shards(StreamName=stream)["Shards"]]
        control.reset(endpoint)
        writes, reads = Calls(), Calls()
        t0 = time.monotonic() + 0.2
        threads = [threading.Thread(target=_writer, args=(local_client(endpoint, CONFIG), stream,
                                                          WRITE_LIMIT * OVER, t0, seconds, writes))
                   for _ in range(shards)]
        threads += [threading.Thread(target=_reader, args=(local_client(endpoint, CONFIG), stream, shard, t0,
                                                           seconds, reads)) for shard in shard_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 120)
        layer = control.stats(endpoint)
        version = stack.state.kinesis_version
    first = {"write": _window(writes.rows, 0, 10), "read": _window(reads.rows, 0, 10)}
    last = {"write": _window(writes.rows, seconds - 10, seconds), "read": _window(reads.rows, seconds - 10, seconds)}
    whole = {"write": _window(writes.rows, 0, seconds), "read": _window(reads.rows, 0, seconds)}
    write_ok = last["write"]["records_per_s"] >= 0.95 * WRITE_LIMIT * shards
    read_ok = last["read"]["ok_calls_per_s"] >= 0.9 * READ_CALLS_LIMIT * shards  # the layer's 50 ms slots: ~4.76/s
    p50_first, p50_last = first["write"]["p50_ms"], last["write"]["p50_ms"]
    flat = p50_first is not None and p50_last is not None and p50_last <= 2 * p50_first + 5
    return {"backend": backend, "version": version, "shards": shards, "seconds": seconds,
            "startup_s": round(startup_s, 1), "offered_records_per_s": WRITE_LIMIT * OVER * shards,
            "first_10s": first, "last_10s": last, "whole": whole,
            "write_errors": writes.errors, "read_errors": reads.errors,
            "stored_records": sum(r[3] for r in writes.rows),
            "layer_headroom": layer.get("headroom"), "emulator_calls": layer.get("emulator_calls"),
            "keeps_up": bool(write_ok and read_ok and flat),
            "why": {"writes_at_limit": write_ok, "reads_at_limit": read_ok, "latency_flat": flat},
            "load_before": os.getloadavg()}


def _fmt(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def print_table(results: list[dict[str, Any]]) -> None:
    print("\n| backend | shards | PutRecords p50/p99 first 10 s (ms) | last 10 s | GetRecords p50/p99 first 10 s "
          "| last 10 s | records/s accepted (limit) | GetRecords ok/s (limit) | keeps up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        f, last = r["first_10s"], r["last_10s"]
        print(f"| {r['backend']} {r['version']} | {r['shards']} "
              f"| {_fmt(f['write']['p50_ms'], 1)} / {_fmt(f['write']['p99_ms'], 1)} "
              f"| {_fmt(last['write']['p50_ms'], 1)} / {_fmt(last['write']['p99_ms'], 1)} "
              f"| {_fmt(f['read']['p50_ms'], 1)} / {_fmt(f['read']['p99_ms'], 1)} "
              f"| {_fmt(last['read']['p50_ms'], 1)} / {_fmt(last['read']['p99_ms'], 1)} "
              f"| {_fmt(last['write']['records_per_s'])} ({WRITE_LIMIT * r['shards']:,}) "
              f"| {_fmt(last['read']['ok_calls_per_s'], 1)} ({READ_CALLS_LIMIT * r['shards']}) "
              f"| {'yes' if r['keeps_up'] else 'no'} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", nargs="+", default=["ministack", "moto", "kinesis-mock"])
    parser.add_argument("--shards", nargs="+", type=int, default=[1, 4])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    if args.seconds < 20:
        raise SystemExit("error: --seconds must be at least 20 (first and last 10 s are compared)")
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-backends-") as root:
        for backend in args.backends:
            for shards in args.shards:
                results.append(run_one(backend, shards, args.seconds, Path(root)))
                print_table(results[-1:])
                print(json.dumps({k: results[-1][k] for k in ("emulator_calls", "layer_headroom", "why",
                                                               "write_errors", "read_errors")}), flush=True)
    print_table(results)
    print(f"machine load (1, 5, 15 min) at the end: {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
