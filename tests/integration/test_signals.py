"""SIGTERM and SIGKILL sent to a live `streamcompare bench`: nothing may be left behind (issue 15).

SIGTERM: the run stops within seconds, deletes its topic or stream, stops and reaps its consumer
child, writes no result and exits 143 saying what it cleaned. SIGKILL: no `finally` runs, but the
consumer child exits on its own (it watches its parent) and `streamcompare cleanup --local` deletes
the topic or stream the run's ledger names.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from streamcompare.drivers.kinesis import local_client
from streamcompare.stack.ledger import Owned, read_ledgers
from streamcompare.stack.local import LocalStack

pytestmark = pytest.mark.integration
CLI = [sys.executable, "-c", "from streamcompare.cli import main; main()"]


def kit_streams(stack: LocalStack, system: str) -> list[str]:
    if system == "kafka":
        from confluent_kafka.admin import AdminClient

        topics = AdminClient({"bootstrap.servers": stack.kafka_bootstrap}).list_topics(timeout=10).topics
        return sorted(t for t in topics if t.startswith("sc-sigtest"))
    names = local_client(stack.kinesis_endpoint).list_streams()["StreamNames"]
    return sorted(n for n in names if n.startswith("sc-sigtest"))


def start_bench(stack: LocalStack, system: str, tmp_path: Path) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    workload = tmp_path / "sigtest.yaml"
    workload.write_text(yaml.safe_dump({"name": "sigtest", "rate": 100, "duration_s": 120, "warmup_s": 0,
                                        "record_bytes": 200, "consumers": 1, "partitions": 1}))
    env = {**os.environ, "STREAMCOMPARE_RUN_DIR": stack.state.run_dir}
    proc = subprocess.Popen([*CLI, "bench", "--workload", str(workload), "--system", system,
                             "--results-dir", str(tmp_path / "results")], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # running: its stream exists and its consumer child is recorded
        ledgers = [le for le in read_ledgers(Path(stack.state.run_dir)) if le.owner.pid == proc.pid]
        if ledgers and ledgers[0].streams and ledgers[0].processes and kit_streams(stack, system):
            time.sleep(2.0)  # into the measured run
            return proc, {"streams": kit_streams(stack, system), "processes": ledgers[0].processes}
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"bench did not start: {proc.communicate()}")


def alive(processes: list[Owned]) -> list[int]:
    return [p.pid for p in processes if p.is_running()]


@pytest.mark.parametrize("system", ["kafka", "kinesis"])
def test_sigterm_stops_cleanly_and_leaves_nothing(live_stack: LocalStack, system: str, tmp_path: Path) -> None:
    proc, running = start_bench(live_stack, system, tmp_path)
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    print(f"{system} SIGTERM: exit {proc.returncode} after {took:.1f} s; stderr:\n{err}")
    assert proc.returncode == 143, err
    assert took < 15, f"took {took:.1f} s"
    assert "Traceback" not in err and "interrupted by SIGTERM" in err
    assert f"deleted {system}" in err and "consumer(s)" in err
    assert kit_streams(live_stack, system) == [], running
    assert alive(running["processes"]) == []
    assert not list((tmp_path / "results").glob("*.json"))
    assert not [le for le in read_ledgers(Path(live_stack.state.run_dir)) if le.owner.pid == proc.pid]


@pytest.mark.parametrize("system", ["kafka", "kinesis"])
def test_sigkill_children_exit_and_cleanup_local_removes_the_rest(live_stack: LocalStack, system: str,
                                                                  tmp_path: Path) -> None:
    proc, running = start_bench(live_stack, system, tmp_path)
    proc.kill()
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 5
    while alive(running["processes"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    left_before = {"streams": kit_streams(live_stack, system), "processes": alive(running["processes"])}
    print(f"{system} SIGKILL: left before cleanup --local: {json.dumps(left_before)}")
    assert left_before["processes"] == [], "a child outlived the killed kit"
    assert left_before["streams"] == running["streams"]  # what only cleanup can remove
    env = {**os.environ, "STREAMCOMPARE_RUN_DIR": live_stack.state.run_dir}
    done = subprocess.run([*CLI, "cleanup", "--local"], env=env, text=True, capture_output=True, timeout=120)
    print(f"cleanup --local: exit {done.returncode}\n{done.stdout}{done.stderr}")
    assert done.returncode == 0, done.stderr
    for name in running["streams"]:
        assert f"deleted {'Kafka topic' if system == 'kafka' else 'Kinesis stream'} {name}" in done.stdout
    left_after = {"streams": kit_streams(live_stack, system), "processes": alive(running["processes"])}
    print(f"{system} SIGKILL: left after cleanup --local: {json.dumps(left_after)}")
    assert left_after == {"streams": [], "processes": []}
    assert not [le for le in read_ledgers(Path(live_stack.state.run_dir)) if le.owner.pid == proc.pid]


def test_replication_above_the_broker_count_is_capped_with_a_note_before_the_run(live_stack: LocalStack,
                                                                                  tmp_path: Path) -> None:
    brokers = live_stack.state.brokers
    workload = tmp_path / "rf.yaml"
    workload.write_text(yaml.safe_dump({"name": "sigtest-rf", "rate": 50, "duration_s": 1, "warmup_s": 0,
                                        "replication_factor": brokers + 2, "min_insync_replicas": brokers + 1,
                                        "consumers": 1}))
    env = {**os.environ, "STREAMCOMPARE_RUN_DIR": live_stack.state.run_dir}
    done = subprocess.run([*CLI, "bench", "--workload", str(workload), "--system", "kafka",
                           "--results-dir", str(tmp_path / "results")], env=env, text=True, capture_output=True,
                          timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 0 and "Traceback" not in out, out
    note = out.index(f"note: replication factor {brokers + 2} and min.insync.replicas {brokers + 1} capped")
    assert note < out.index("result written to"), out
    (result,) = (tmp_path / "results").glob("*.json")
    assert any("capped" in n for n in json.loads(result.read_text())["notes"])
    assert kit_streams(live_stack, "kafka") == []
