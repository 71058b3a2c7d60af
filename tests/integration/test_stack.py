"""The embedded stack against real processes: Kafka durability path, Kinesis round trip, lifecycle."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from streamcompare.drivers.kinesis import local_client
from streamcompare.stack import local, process

pytestmark = pytest.mark.integration

CLI = [sys.executable, "-m", "streamcompare"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)


def test_kafka_acks_all_rf3_min_isr2_loses_nothing(live_stack: local.LocalStack) -> None:
    replicas = min(3, live_stack.state.brokers)
    topic = f"durability-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": live_stack.kafka_bootstrap})
    new = NewTopic(topic, num_partitions=3, replication_factor=replicas,
                   config={"min.insync.replicas": str(min(2, replicas))})
    admin.create_topics([new])[topic].result(timeout=60)

    producer = Producer({"bootstrap.servers": live_stack.kafka_bootstrap, "acks": "all",
                         "enable.idempotence": True})
    failures: list[object] = []
    for i in range(1000):
        producer.produce(topic, key=str(i % 7), value=str(i).encode(),
                         on_delivery=lambda err, _msg: failures.append(err) if err else None)
        producer.poll(0)
    assert producer.flush(30) == 0
    assert failures == []

    described = admin.list_topics(topic, timeout=10).topics[topic]
    assert all(len(p.replicas) == replicas and len(p.isrs) == replicas for p in described.partitions.values())

    consumer = Consumer({"bootstrap.servers": live_stack.kafka_bootstrap, "group.id": f"g-{topic}",
                         "auto.offset.reset": "earliest"})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(3)])
    seen: list[int] = []
    for _ in range(60):
        seen += [int(m.value()) for m in consumer.consume(1000, timeout=1) if m.error() is None]
        if len(seen) >= 1000:
            break
    consumer.close()
    assert sorted(seen) == list(range(1000)), "every record produced with acks=all is consumed exactly once"


def test_kinesis_put_records_then_get_records_reads_everything(live_stack: local.LocalStack) -> None:
    client = local_client(live_stack.kinesis_endpoint)
    stream = f"roundtrip-{uuid.uuid4().hex[:8]}"
    client.create_stream(StreamName=stream, ShardCount=2)
    client.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1})
    for start in range(0, 1000, 500):
        response = client.put_records(StreamName=stream, Records=[
            {"Data": str(i).encode(), "PartitionKey": f"k{i}"} for i in range(start, start + 500)])
        assert response["FailedRecordCount"] == 0

    seen: list[int] = []
    shards = client.list_shards(StreamName=stream)["Shards"]
    assert len(shards) == 2
    for shard in shards:
        iterator = client.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = client.get_records(ShardIterator=iterator, Limit=10_000)
            seen += [int(r["Data"]) for r in page["Records"]]
            if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                break
            iterator = page.get("NextShardIterator")
    client.delete_stream(StreamName=stream)
    assert sorted(seen) == list(range(1000))


def test_up_twice_is_a_no_op(live_stack: local.LocalStack) -> None:
    before = [(r.pid, r.start_ticks) for r in live_stack.state.records()]
    state, started_now = local.up(Path(live_stack.state.run_dir), brokers=live_stack.state.brokers)
    assert started_now is False
    assert [(r.pid, r.start_ticks) for r in state.records()] == before

    result = run_cli("stack", "up", "--run-dir", live_stack.state.run_dir)
    assert result.returncode == 0
    assert "already up" in result.stdout


def test_status_reports_endpoints_and_memory(live_stack: local.LocalStack) -> None:
    result = run_cli("stack", "status", "--run-dir", live_stack.state.run_dir)
    assert result.returncode == 0, result.stderr
    assert live_stack.kafka_bootstrap in result.stdout
    assert live_stack.kinesis_endpoint in result.stdout
    assert "MiB in all" in result.stdout


def test_down_leaves_no_process_and_stale_state_is_recovered(tmp_path: Path) -> None:
    run_dir = tmp_path / "small"
    assert run_cli("stack", "up", "--brokers", "1", "--run-dir", str(run_dir)).returncode == 0
    try:
        state = local.StackState.load(run_dir)
        assert state is not None and state.is_up()
        records = state.records()
        # the default Kinesis backend (MiniStack, docs/kinesis-backends.md) and the fidelity layer too
        assert {r.name for r in records} == {"kafka-1", "ministack", "kinesis-limits"}

        # Kill one process behind the stack's back: status notices, `up` cleans the stale state and restarts.
        kinesis_record = next(r for r in records if r.name == "ministack")
        process.stop(kinesis_record)
        status = run_cli("stack", "status", "--run-dir", str(run_dir))
        assert status.returncode == 1 and "not running" in status.stdout
        again = run_cli("stack", "up", "--brokers", "1", "--run-dir", str(run_dir))
        assert again.returncode == 0, again.stderr
        assert "stale" in again.stdout
        restarted = local.StackState.load(run_dir)
        assert restarted is not None and restarted.is_up()
        restarted_records = restarted.records()  # read before down removes the pid files
        assert len(restarted_records) == len(records)

        down = run_cli("stack", "down", "--run-dir", str(run_dir))
        assert down.returncode == 0
        for record in [*records, *restarted_records]:
            assert not record.is_running(), f"{record.name} (pid {record.pid}) still runs after down"
        assert not (run_dir / local.STATE_FILE).exists()
        assert (run_dir / "kafka" / "node-1" / "kafka.log").exists(), "logs are kept after down"
    finally:  # a failed assertion must not leave the stack running
        if local.StackState.load(run_dir) is not None:
            run_cli("stack", "down", "--run-dir", str(run_dir))


def test_taken_port_gives_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        result = run_cli("stack", "up", "--no-kafka", "--kinesis-port", str(port), "--run-dir", str(tmp_path))
    assert result.returncode == 2
    assert f"port {port}" in result.stderr and "already in use" in result.stderr
    assert "--kinesis-port" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert local.StackState.load(tmp_path) is None


def test_stack_json_tells_clients_where_to_connect(live_stack: local.LocalStack) -> None:
    data = json.loads((Path(live_stack.state.run_dir) / local.STATE_FILE).read_text())
    assert data["kafka_bootstrap"] == live_stack.kafka_bootstrap
    assert data["kinesis_endpoint"].startswith("http://127.0.0.1:")
