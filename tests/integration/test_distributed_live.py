"""The harness on two local Dask workers against the live stack: merged result, and a killed worker's loud failure."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from streamcompare.bench.runner import Progress
from streamcompare.bench.workers import WorkerFailed, run_distributed
from streamcompare.bench.workload import builtin_workload

pytestmark = pytest.mark.distributed
distributed = pytest.importorskip("distributed", reason="needs streamcompare[distributed]")


def _workload(live_stack, **overrides):
    replicas = min(3, live_stack.state.brokers)
    settings = {"rate": 200, "duration_s": 4, "warmup_s": 1, "replication_factor": replicas,
                "min_insync_replicas": min(2, replicas), "drain_timeout_s": 10, **overrides}
    return builtin_workload("quick").with_overrides(**settings)


def test_two_local_workers_merge_into_one_result(live_stack, tmp_path: Path) -> None:
    result = run_distributed("kafka", live_stack.target(), _workload(live_stack), workers=2)
    achieved = result.throughput["ack_rate"]
    assert abs(achieved - 200) / 200 <= 0.05, f"achieved {achieved:.1f}/s of 200/s over two workers"
    assert result.counts["lost"] == 0 and result.counts["failed"] == 0
    workers = result.placement["workers"]
    assert [w["rate"] for w in workers] == [100, 100] and result.placement["complete"] is True
    assert all(w["status"] == "ok" and w["host"] and w["clock_offset_ms"] is not None for w in workers)
    assert sum(w["acked"] for w in workers) == result.throughput["acked"]
    assert result.quantiles["e2e_latency"]["count"] == result.throughput["received"]
    path = result.write(tmp_path)
    assert json.loads(path.read_text())["placement"]["engine"] == "dask"


def test_a_killed_worker_fails_the_run_by_name_and_keeps_the_rest(live_stack, tmp_path: Path) -> None:
    import dask

    from streamcompare.bench.workers.cluster import LOCAL_CONFIG

    with dask.config.set(LOCAL_CONFIG), distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0",
            silence_logs=40) as cluster:
        with distributed.Client(cluster) as client:
            pids = client.run(os.getpid)
        victim = sorted(pids)[1]
        killed: list[int] = []

        def kill_once(event: Progress) -> None:  # the run starts its pairs, then reports every 0.5 s
            if event.phase == "run" and event.elapsed_s >= 3.0 and not killed:
                killed.append(pids[victim])
                os.kill(pids[victim], signal.SIGKILL)

        with pytest.raises(WorkerFailed) as err:
            run_distributed("kafka", live_stack.target(), _workload(live_stack, duration_s=6),
                            cluster=cluster.scheduler_address, progress=kill_once, partial_dir=tmp_path)
    assert killed, "the worker was killed during the run"
    message = str(err.value)
    assert f"worker 1 ({victim}, host " in message and "died" in message
    files = list(tmp_path.glob("*.json"))
    assert len(files) == 1 and str(files[0]) in message
    stored = json.loads(files[0].read_text())
    assert stored["placement"]["complete"] is False and stored["labels"]["incomplete"] == "true"
    rows = stored["placement"]["workers"]
    assert rows[0]["status"] == "ok" and rows[0]["acked"] > 0 and rows[1]["status"] == "failed"
    assert stored["throughput"]["acked"] == rows[0]["acked"], "the surviving worker's measurement is kept"
    assert stored["notes"][0].startswith("INCOMPLETE: worker 1")
