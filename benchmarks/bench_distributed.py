"""The harness on local Dask workers against the local stack: latency agreement and rate scaling.

    python benchmarks/bench_distributed.py [--brokers 1] [--rate 400] [--workers 1,2,4]

(1) The same total rate with the single-process harness and with 2 local workers: p50/p99 of
publish and end-to-end latency, and their ratio (2 workers / single process).
(2) The max sustainable Kafka rate (bench/maxrate.py, short trials, no confirmation) with 1, 2
and 4 local workers, 100-byte records, acks=1, publish + consume. Prints the machine's load
average: on a shared 2-core machine the cores, not the harness, are the limit past 2 workers.
"""

from __future__ import annotations

import argparse
import os
import time

from streamcompare.bench.runner import run_benchmark
from streamcompare.bench.workers import run_distributed
from streamcompare.bench.workload import builtin_workload
from streamcompare.stack.local import local_stack
from streamcompare.target import Target


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.2f}] {message}", flush=True)


def latency_agreement(target: Target, rate: int, replicas: int) -> None:
    w = builtin_workload("quick").with_overrides(rate=rate, duration_s=10, warmup_s=2, replication_factor=replicas,
                                                 min_insync_replicas=min(2, replicas), drain_timeout_s=10)
    for repeat in (1, 2):
        say(f"repetition {repeat}")
        _compare(run_benchmark("kafka", target, w), run_distributed("kafka", target, w, workers=2))


def _compare(single, double) -> None:
    for metric in ("publish_latency", "e2e_latency"):
        a, b = single.quantiles[metric], double.quantiles[metric]
        say(f"{metric}: single p50 {a['p50'] / 1000:.2f} ms p99 {a['p99'] / 1000:.2f} ms | 2 workers "
            f"p50 {b['p50'] / 1000:.2f} ms p99 {b['p99'] / 1000:.2f} ms | ratio p50 {b['p50'] / a['p50']:.2f} "
            f"p99 {b['p99'] / a['p99']:.2f}")
    say(f"achieved: single {single.throughput['ack_rate']:.0f}/s, 2 workers {double.throughput['ack_rate']:.0f}/s")


def scaling(target: Target, counts: list[int], start: int) -> None:
    base = builtin_workload("quick").with_overrides(
        rate="max", record_bytes=100, partitions=3, replication_factor=1, min_insync_replicas=1,
        key_distribution="none", drain_timeout_s=10, duration_s=4, warmup_s=1,
        **{"kafka.acks": "1", "kafka.idempotence": False, "max_rate.start_rate": start, "max_rate.trial_s": 3,
           "max_rate.trial_warmup_s": 1, "max_rate.confirm_runs": 0, "max_rate.precision": 0.15,
           "max_rate.max_trials": 6})
    rows = []
    for n in counts:
        t0 = time.monotonic()
        r = run_distributed("kafka", target, base, workers=n)
        trials = ", ".join(f"{t['rate']}{'+' if t['sustainable'] else '-'}" for t in r.trials)
        rows.append((n, r.throughput.get("sustainable_rate"), trials, time.monotonic() - t0, os.getloadavg()[0]))
        say(f"{n} worker(s): max sustainable {rows[-1][1]}/s (trials {trials})")
    print("| workers | max sustainable rate (records/s of 100 B) | trials (+ sustained) | wall s | load (1 min) |")
    print("|---|---|---|---|---|")
    for n, best, trials, wall, load in rows:
        print(f"| {n} | {best} | {trials} | {wall:.0f} | {load:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--brokers", type=int, default=1)
    parser.add_argument("--rate", type=int, default=400)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--start-rate", type=int, default=20_000)
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    with local_stack(brokers=args.brokers, progress=say) as stack:
        target = stack.target()
        say(f"machine: {os.cpu_count()} cores; uptime load {os.getloadavg()}")
        if not args.skip_latency:
            latency_agreement(target, args.rate, min(3, args.brokers))
        scaling(target, [int(n) for n in args.workers.split(",")], args.start_rate)


if __name__ == "__main__":
    main()
