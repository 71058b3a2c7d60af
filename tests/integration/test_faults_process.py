"""The pid-based fault operations on a harmless sleeper standing in for a Kafka node (no stack needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from streamcompare.errors import StackError
from streamcompare.stack import faults, process
from streamcompare.stack.local import StackState

pytestmark = pytest.mark.integration  # starts processes (a sleeper), not the stack


# --- pid-based fault operations on a sleeper standing in for a node ------------------------------

def _fake_state(tmp_path: Path) -> StackState:
    home = tmp_path / "node-1"
    home.mkdir()
    process.start("kafka-1", [sys.executable, "-c", "import time; time.sleep(60)"], log=home / "kafka.log",
                  pid_file=home / "kafka.pid")
    return StackState(run_dir=str(tmp_path), started_utc="now", kafka_bootstrap="127.0.0.1:1",
                      kafka_nodes=[{"node_id": 1, "broker_port": 1, "controller_port": 2,
                                    "log": str(home / "kafka.log")}], pid_files=[str(home / "kafka.pid")])


def test_pause_resume_kill_and_restart_by_pid(tmp_path: Path) -> None:
    state = _fake_state(tmp_path)
    first = faults.record(state, 1)
    try:
        with faults.paused(state, 1):
            assert first.is_paused()
        assert not first.is_paused() and first.is_running()
        faults.kill(state, 1)
        assert not first.is_running() and faults.down_nodes(state) == [1]
        with pytest.raises(StackError):
            faults.kill(state, 1)
        again = faults.restart(state, 1, wait=False)
        assert again.pid != first.pid and again.is_running()
        assert faults.record(state, 1).pid == again.pid           # the pid file the state lists
        assert faults.down_nodes(state) == []
        faults.kill(state, 1)
        assert faults.restore(state) == [1] and faults.down_nodes(state) == []
    finally:
        process.stop(faults.record(state, 1), timeout_s=5)


def test_unknown_node_names_the_nodes(tmp_path: Path) -> None:
    state = _fake_state(tmp_path)
    try:
        with pytest.raises(StackError, match="use one of: 1"):
            faults.kill(state, 7)
    finally:
        process.stop(faults.record(state, 1), timeout_s=5)


def test_started_since_reads_only_what_the_new_process_wrote(tmp_path: Path) -> None:
    state = _fake_state(tmp_path)
    try:
        log = Path(str(state.kafka_nodes[0]["log"]))
        log.write_bytes(b"[KafkaRaftServer nodeId=1] Kafka Server started\n")
        offset = faults.log_size(state, 1)
        assert not faults.started_since(state, 1, offset)       # the old incarnation's line does not count
        with open(log, "ab") as out:
            out.write(b"... Kafka Server started (kafka.server.KafkaRaftServer)\n")
        assert faults.started_since(state, 1, offset)
    finally:
        process.stop(faults.record(state, 1), timeout_s=5)
