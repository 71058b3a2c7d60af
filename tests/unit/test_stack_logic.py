"""Pure or process-local logic of the stack: prerequisites, KRaft configs, pid records."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from streamcompare.errors import PrerequisiteError, StackError
from streamcompare.stack import kafka, prereqs, process

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("output", "major"), [
    ('openjdk version "17.0.15" 2025-04-15', 17),
    ('java version "1.8.0_392"', 8),
    ('openjdk version "21" 2023-09-19', 21),
    ("v20.20.2", 20),
])
def test_major_version_parsing(output: str, major: int) -> None:
    assert prereqs._major_version(output) == major


def test_missing_tool_names_it_and_how_to_get_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrerequisiteError) as info:
        prereqs.executable("mvn")
    assert "`mvn` was not found" in str(info.value)
    assert "apt-get install maven" in str(info.value)


def test_old_java_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "java"
    fake.write_text('#!/bin/sh\necho \'openjdk version "11.0.2"\' >&2\n')
    fake.chmod(0o755)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrerequisiteError, match="Java 17"):
        prereqs.java()


def test_server_properties_for_three_nodes(tmp_path: Path) -> None:
    nodes = [kafka.KafkaNode(i, 9000 + i, 9100 + i, tmp_path / f"n{i}") for i in (1, 2, 3)]
    props = dict(line.split("=", 1) for line in kafka.server_properties(nodes[1], nodes).splitlines() if line)
    assert props["node.id"] == "2"
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9101,2@127.0.0.1:9102,3@127.0.0.1:9103"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:9002,CONTROLLER://127.0.0.1:9102"
    assert props["offsets.topic.replication.factor"] == "3"
    assert props["transaction.state.log.min.isr"] == "2"


def test_single_node_replication_defaults_shrink(tmp_path: Path) -> None:
    node = kafka.KafkaNode(1, 9001, 9101, tmp_path)
    props = kafka.server_properties(node, [node])
    assert "offsets.topic.replication.factor=1" in props
    assert "transaction.state.log.min.isr=1" in props


def test_pinned_versions_are_read_from_shipped_resources() -> None:
    assert kafka.pinned_version().startswith("4.")
    from streamcompare.stack import kinesis

    assert kinesis.pinned_version() == "0.6.2"


def test_pid_record_tracks_exactly_the_process_it_started(tmp_path: Path) -> None:
    record = process.start("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"],
                           log=tmp_path / "s.log", pid_file=tmp_path / "s.pid")
    try:
        loaded = process.ProcessRecord.load(tmp_path / "s.pid")
        assert loaded == record and loaded.is_running()
        impostor = process.ProcessRecord("x", record.pid, record.start_ticks + 1, "", ())
        assert not impostor.is_running(), "a different start time means a recycled pid, not ours"
        assert loaded.rss_mib() is not None
    finally:
        outcome = process.stop(record, timeout_s=5)
    assert outcome == "stopped"
    assert not record.is_running()


def test_stop_kills_after_timeout_when_sigterm_is_ignored(tmp_path: Path) -> None:
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ok', flush=True); time.sleep(60)"
    record = process.start("stubborn", [sys.executable, "-c", code], log=tmp_path / "s.log",
                           pid_file=tmp_path / "s.pid")
    process.wait_ready(record, lambda: "ok" in (tmp_path / "s.log").read_text(), timeout_s=10, what="stubborn")
    assert process.stop(record, timeout_s=0.5) == "killed after timeout"
    assert not record.is_running()


def test_wait_ready_reports_a_dying_process_with_its_log(tmp_path: Path) -> None:
    record = process.start("crasher", [sys.executable, "-c", "print('boom: bad config'); raise SystemExit(3)"],
                           log=tmp_path / "c.log", pid_file=tmp_path / "c.pid")
    with pytest.raises(StackError) as info:
        process.wait_ready(record, lambda: False, timeout_s=10, what="crasher")
    assert "exited during start-up" in str(info.value) and "boom: bad config" in str(info.value)


def test_require_free_names_the_port_and_the_flag() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert not process.port_is_free(port)
        with pytest.raises(StackError) as info:
            process.require_free(port, "Kafka", "--kafka-port")
    assert f"port {port}" in str(info.value) and "--kafka-port" in str(info.value)


def test_free_ports_are_distinct() -> None:
    ports = process.free_ports(6)
    assert len(set(ports)) == 6


def test_install_once_builds_once_and_a_failure_leaves_nothing(tmp_path: Path) -> None:
    from streamcompare.stack.cache import install_once

    calls: list[Path] = []

    def build(work: Path) -> Path:
        calls.append(work)
        (work / "out").mkdir()
        (work / "out" / "lib.jar").write_text("x")
        return work / "out"

    target = tmp_path / "kafka-9.9" / "libs"
    target.parent.mkdir()
    assert install_once(target, build, "9.9") == target
    assert install_once(target, build, "9.9") == target
    assert len(calls) == 1 and (target / "lib.jar").exists()

    def broken(work: Path) -> Path:
        raise StackError("download failed", fix="retry")

    other = tmp_path / "kafka-9.9" / "other"
    with pytest.raises(StackError):
        install_once(other, broken, "9.9")
    assert sorted(p.name for p in (tmp_path / "kafka-9.9").iterdir()) == [".libs.complete", "libs"]
