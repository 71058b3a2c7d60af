"""The harness's producer+consumer pairs on Dask distributed workers (optional extra `distributed`).

    run_distributed(system, target, workload, workers=N | cluster="tcp://host:8786") -> RunResult

Each worker runs one whole pair set (the workload's producers and consumers, bench/runner.run_once)
on its own stream(s) at its share of the total rate, so end-to-end latency stays on one host's
clock. The driver merges what the workers send back: encoded HdrHistograms (V2, exact merge),
per-second window counts and counters (merge.py). `distributed` is imported only when a run asks
for workers (cluster.py), so the lean install works without it. docs/distributed.md explains use.
"""

from __future__ import annotations

from streamcompare.bench.workers.run import WorkerFailed, run_distributed

__all__ = ["WorkerFailed", "run_distributed"]
