"""(d) The Kinesis fidelity layer must not be the bottleneck: the same batching producer through the
layer (limits switched off for the measurement) and straight to the emulator, side by side, alternating
rounds, medians reported; and the layer's own added latency per request with limits on and faults off:
sequential PutRecord calls through the layer and straight to the emulator, p50/p99 of each.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np
from bench_common import say
from bench_kinesis import _records, batching

from streamcompare.drivers.base import StreamSpec
from streamcompare.drivers.kinesis import KinesisDriver, make_client
from streamcompare.stack.kinesis_limits import control
from streamcompare.target import Target


def _latencies_ms(target: Target, stream: str, calls: int) -> list[float]:
    client = make_client(target)
    client.describe_stream_summary(StreamName=stream)
    out = []
    for i in range(calls):
        t0 = time.perf_counter()
        client.put_record(StreamName=stream, Data=b"l" * 100, PartitionKey=f"k{i}")
        out.append((time.perf_counter() - t0) * 1000)
    return out


def compare(target: Target, count: int, record_bytes: int, shards: int, token: str,
            rounds: int = 3, latency_calls: int = 300) -> dict[str, Any]:
    kinesis = target.need_kinesis()
    bare_endpoint = kinesis.emulator_endpoint
    if not kinesis.limits or not bare_endpoint or bare_endpoint == kinesis.endpoint:
        raise RuntimeError("the stack runs without the fidelity layer (--kinesis-limits off): nothing to compare")
    endpoint = str(kinesis.endpoint)
    bare = target.with_kinesis(endpoint=bare_endpoint, limits=None)
    records = _records(count, record_bytes, seed=2)
    admin = KinesisDriver(bare).admin()
    name = f"scb-{token}-layer"
    say(f"(d) creating stream {name} ({shards} shard(s))")
    admin.create(StreamSpec(name=name, partitions=shards))
    rates: dict[str, list[float]] = {"layer": [], "bare": []}
    try:
        with control.limits_set(endpoint, enabled=False):
            for r in range(rounds):
                for label, where in (("layer", target), ("bare", bare)):
                    figures = batching(KinesisDriver(where), name, records)
                    rates[label].append(figures["rate"])
                    say(f"(d) round {r + 1}: batching producer {label}: {figures['rate']:,.0f} records/s")
        control.reset(endpoint)
        latency = {label: _latencies_ms(where, name, latency_calls) for label, where in
                   (("layer", target), ("bare", bare))}
        control.reset(endpoint)
    finally:
        admin.delete(name)
    medians = {k: statistics.median(v) for k, v in rates.items()}
    q = {label: {"p50": float(np.percentile(v, 50)), "p99": float(np.percentile(v, 99))}
         for label, v in latency.items()}
    return {"records": count, "record_bytes": record_bytes, "shards": shards, "rounds": rounds,
            "backend": kinesis.backend or "kinesis-mock",
            "rates": rates, "layer_rate": medians["layer"], "bare_rate": medians["bare"],
            "ratio": medians["layer"] / medians["bare"] if medians["bare"] else None,
            "latency_ms": q, "latency_calls": latency_calls,
            "added_p50_ms": q["layer"]["p50"] - q["bare"]["p50"], "added_p99_ms": q["layer"]["p99"] - q["bare"]["p99"]}
