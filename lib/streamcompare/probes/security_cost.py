"""The price of security on Kafka: PLAINTEXT, SSL and SASL_SSL listeners of one cluster, same open-loop rate.

Every run uses the kit's harness (bench/runner.py `run_benchmark`) with the same workload; only the
listener and its credentials change. All three clients go through the same ACL check (principal
`bench` on SSL by its certificate and on SASL_SSL by SCRAM; ANONYMOUS on PLAINTEXT, each allowed on
`sc-*` only), so the difference is transport encryption and authentication. Measured per run:
publish and end-to-end latency p50/p99, client CPU per record (the producers' process, librdkafka's
TLS threads included, and the consumers' child processes), the brokers' CPU per record, and, apart,
the time a fresh client needs to connect (TCP, TLS and SASL handshakes, first metadata answer).
Kinesis has no plaintext mode: HTTPS is always on and inside its measured latency.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from streamcompare.bench.runner import run_benchmark
from streamcompare.bench.workload import Workload, builtin_workload
from streamcompare.clients import kafka_admin
from streamcompare.stack import security
from streamcompare.target import Target

LISTENERS = ("PLAINTEXT", "SSL", "SASL_SSL")
CONNECT_TRIALS = 5


def listener_target(base: Target, clients: Mapping[str, Any], listener: str) -> Target:
    """The driver target for one listener kind, as the `bench` principal (ANONYMOUS on PLAINTEXT)."""
    settings: dict[str, str]
    if listener == "SSL":
        tls = clients["ssl_client"]
        settings = {"security.protocol": "SSL", "ssl.ca.location": clients["ca_file"],
                    "ssl.certificate.location": tls["certificate"],
                    "ssl.key.location": tls["key"], "ssl.key.password": tls["key_password"]}
    elif listener == "SASL_SSL":
        bench = next(p for p in clients["kafka_principals"] if p["name"] == "bench")
        settings = {"security.protocol": "SASL_SSL", "sasl.mechanism": clients["sasl_mechanism"],
                    "sasl.username": "bench", "sasl.password": bench["sasl_password"],
                    "ssl.ca.location": clients["ca_file"]}
    else:
        settings = {"security.protocol": "PLAINTEXT"}
    return base.with_kafka(bootstrap=clients["listeners"][listener], security=settings)


def _cpu_s_of(pids: Sequence[int]) -> float:
    """User+system CPU seconds of processes by pid (the broker JVMs), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def connect_time_ms(config: Mapping[str, Any], trials: int = CONNECT_TRIALS) -> dict[str, float]:
    """A fresh admin client's first metadata answer: TCP, TLS and SASL handshakes included (median, max)."""
    times = []
    for _ in range(trials):
        started = time.perf_counter()
        kafka_admin(config).list_topics(timeout=15)
        times.append((time.perf_counter() - started) * 1000)
    return {"connect_ms_p50": statistics.median(times), "connect_ms_max": max(times)}


def measure(base_target: Target, clients: Mapping[str, Any], rates: Sequence[int], *,
            broker_pids: Sequence[int] = (), workload: Workload | None = None, labels: Mapping[str, str] | None = None,
            progress: Callable[[str], None] = lambda _m: None) -> list[dict[str, Any]]:
    """One run per (rate, listener), listeners interleaved within each rate; returns table rows."""
    brokers = (base_target.kafka.brokers if base_target.kafka else None) or 1
    base = workload or builtin_workload("quick").with_overrides(
        name="security-cost", replication_factor=min(3, brokers),
        min_insync_replicas=min(2, brokers), duration_s=10, warmup_s=2)
    rows: list[dict[str, Any]] = []
    for listener in LISTENERS:
        target = listener_target(base_target, clients, listener)
        assert target.kafka is not None
        connect = connect_time_ms(target.kafka.client_settings())
        rows.append({"kind": "connect", "listener": listener, **connect})
    for rate in rates:
        for listener in LISTENERS:
            progress(f"{listener} at {rate}/s")
            target = listener_target(base_target, clients, listener)
            cpu0, children0 = time.process_time(), _children_cpu_s()
            brokers0 = _cpu_s_of(broker_pids)
            result = run_benchmark("kafka", target, base.with_overrides(rate=rate),
                                   labels={**(labels or {}), "probe": "security-cost", "listener": listener})
            producer_cpu = time.process_time() - cpu0
            consumer_cpu = _children_cpu_s() - children0
            broker_cpu = _cpu_s_of(broker_pids) - brokers0
            records = max(1, int(result.counts.get("sent") or 0))
            q = result.quantiles
            rows.append({
                "kind": "run", "listener": listener, "rate": rate, "run_id": result.run_id,
                "ack_rate": result.throughput.get("ack_rate"),
                "achieved_ratio": result.throughput.get("achieved_ratio"),
                "publish_p50_ms": _ms(q["publish_latency"], "p50"), "publish_p99_ms": _ms(q["publish_latency"], "p99"),
                "e2e_p50_ms": _ms(q["e2e_latency"], "p50"), "e2e_p99_ms": _ms(q["e2e_latency"], "p99"),
                "producer_cpu_us_per_record": producer_cpu / records * 1e6,
                "consumer_cpu_us_per_record": consumer_cpu / records * 1e6,
                "broker_cpu_us_per_record": broker_cpu / records * 1e6 if broker_pids else None,
                "records": records, "lost": result.counts.get("lost"), "errors": result.counts.get("errors")})
    return rows


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ms(quantiles: Mapping[str, Any], name: str) -> float | None:
    value = quantiles.get(name)
    return None if value is None else float(value) / 1000  # results keep microseconds


def overhead(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each secure listener against PLAINTEXT at the same rate: ratios and differences of the main figures."""
    runs = {(r["rate"], r["listener"]): r for r in rows if r.get("kind") == "run"}
    out = []
    for (rate, listener), row in sorted(runs.items()):
        plain = runs.get((rate, "PLAINTEXT"))
        if listener == "PLAINTEXT" or plain is None:
            continue
        entry: dict[str, Any] = {"rate": rate, "listener": listener}
        for key in ("publish_p50_ms", "publish_p99_ms", "e2e_p50_ms", "e2e_p99_ms",
                    "producer_cpu_us_per_record", "consumer_cpu_us_per_record", "broker_cpu_us_per_record"):
            a, b = row.get(key), plain.get(key)
            entry[f"{key}_delta"] = None if a is None or b is None else a - b
        out.append(entry)
    return out


def principals_used() -> dict[str, str]:
    return {"PLAINTEXT": "ANONYMOUS", "SSL": "bench (certificate)", "SASL_SSL": f"bench ({security.SASL_MECHANISM})"}
