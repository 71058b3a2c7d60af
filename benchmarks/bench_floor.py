"""The harness's floor: the null driver (drivers/null.py) through the same open-loop loop.

Prints publish and end-to-end p50/p99/p99.9 (ms) and the harness's CPU per record at each rate,
with the load average at the time. Run under the machine lock:
  PYTHONPATH=lib .venv/bin/python benchmarks/bench_floor.py [--rates 200,2000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import time

from streamcompare.bench.runner import run_benchmark
from streamcompare.bench.workload import builtin_workload
from streamcompare.target import Target


def floor(rate: int, seconds: float) -> dict[str, float]:
    workload = builtin_workload("quick").with_overrides(rate=rate, duration_s=seconds, warmup_s=1.0,
                                                        **{"settle.max_passes": 0})
    cpu0, t0 = time.process_time(), time.monotonic()
    result = run_benchmark("null", Target(), workload, seed=1)
    cpu = time.process_time() - cpu0
    q = result.quantiles
    figures = {f"{name}_{k}_ms": (q[key][k] or 0) / 1000 for name, key in (("publish", "publish_latency"),
                                                                          ("e2e", "e2e_latency"))
               for k in ("p50", "p99", "p99.9")}
    figures["cpu_us_per_record"] = cpu / max(1, result.counts["sent"]) * 1e6
    figures["wall_s"] = time.monotonic() - t0
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="200,2000")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    for rate in (int(r) for r in args.rates.split(",")):
        f = floor(rate, args.seconds)
        print(f"floor at {rate}/s: e2e p50 {f['e2e_p50_ms']:.3f} p99 {f['e2e_p99_ms']:.3f} "
              f"p99.9 {f['e2e_p99.9_ms']:.3f} ms; publish p50 {f['publish_p50_ms']:.3f} p99 {f['publish_p99_ms']:.3f} "
              f"p99.9 {f['publish_p99.9_ms']:.3f} ms; harness CPU {f['cpu_us_per_record']:.1f} us/record "
              f"(whole process incl. setup); load average {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
