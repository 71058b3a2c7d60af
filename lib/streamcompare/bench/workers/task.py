"""What one Dask worker runs: a whole producer+consumer pair set on its own stream(s), reported as data.

The task arguments carry the target without its secrets (targets.py); the worker reads them where
the single-process harness reads them. The report is plain data (encoded HdrHistograms, window
counts, counters) so the driver can merge it exactly (merge.py) and store what it got.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import time
from collections.abc import Mapping
from typing import Any

from streamcompare.bench.driverref import DriverRef
from streamcompare.bench.runner import run_once
from streamcompare.bench.workers.targets import restore_secrets
from streamcompare.bench.workload import validate_workload


def worker_identity() -> dict[str, Any]:
    """Host, pid and wall clock of the process this runs in (the driver estimates the offset from it)."""
    return {"host": socket.gethostname(), "pid": os.getpid(), "wall_ns": time.time_ns()}


def run_pair(system: str, public_target: Mapping[str, Any], workload: Mapping[str, Any], rate: int, stream: str,
             seed: int, index: int) -> dict[str, Any]:
    """Run `workload` at `rate` on a fresh stream named `stream` and return the plain-data report."""
    target = restore_secrets(public_target)
    chosen = validate_workload(workload, source=f"workload sent to worker {index}")
    in_subprocess = not multiprocessing.current_process().daemon  # a daemonic process may not have children
    started = time.time_ns()
    m = run_once(DriverRef(system, target), chosen, rate, stream=stream, seed=seed,
                 consumer_in_subprocess=in_subprocess)
    notes = list(m.notes)
    if not in_subprocess:
        notes.append("consumer ran in the worker's process (the Dask worker is daemonic)")
    return {
        "worker": {"index": index, **worker_identity(), "started_wall_ns": started},
        "system": m.system, "versions": m.versions, "rate": rate, "stream": m.stream, "streams": m.streams,
        "histograms": {"publish_latency": m.publish_latency.encode(), "publish_delay": m.publish_delay.encode(),
                       "e2e_latency": m.e2e.encode()},
        "clamped": {"publish_latency": m.publish_latency.clamped, "publish_delay": m.publish_delay.clamped,
                    "e2e_latency": m.e2e.clamped},
        "windows": {int(k): list(v) for k, v in m.windows.counts.items()},
        "throughput": dict(m.throughput), "counts": dict(m.counts), "notes": notes,
        "consumer_in_subprocess": in_subprocess,
    }
