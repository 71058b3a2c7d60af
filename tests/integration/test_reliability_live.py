"""Reliability under failure on the live stack: pid-based faults, recovery, and the reconciled experiment."""

from __future__ import annotations

import time
import uuid

import pytest

from streamcompare.drivers.base import StreamSpec
from streamcompare.drivers.kafka import KafkaDriver
from streamcompare.probes import reliability, reliability_kinesis
from streamcompare.stack import faults
from streamcompare.stack.local import LocalStack

pytestmark = pytest.mark.integration


@pytest.fixture()
def kafka3(live_stack: LocalStack) -> LocalStack:
    if live_stack.state.brokers < 3:
        pytest.skip("fault experiments need 3 Kafka nodes")
    yield live_stack
    faults.restore(live_stack.state)  # whatever a failed test left down or paused
    assert faults.wait_healthy(live_stack.kafka_bootstrap, faults.node_ids(live_stack.state), timeout_s=120).healthy


def test_kill_restart_of_the_leader_by_pid_and_health(kafka3: LocalStack) -> None:
    state, bootstrap = kafka3.state, kafka3.kafka_bootstrap
    admin = KafkaDriver(state.target()).admin()
    topic = f"sc-test-faults-{uuid.uuid4().hex[:6]}"
    admin.create(StreamSpec(topic, partitions=1, replication_factor=3, config={"min.insync.replicas": "2"}))
    try:
        leader = faults.leader_of(bootstrap, topic, 0)
        old = faults.kill(state, leader)
        assert faults.down_nodes(state) == [leader]
        assert not state.is_up()                                   # what `stack status` reports as down
        # the metadata still shows the dead broker, in the ISR, until its session times out (9 s)
        deadline = time.monotonic() + 30
        hurt = faults.health(bootstrap, faults.node_ids(state), [topic])
        while hurt.healthy and time.monotonic() < deadline:
            time.sleep(0.25)
            hurt = faults.health(bootstrap, faults.node_ids(state), [topic])
        assert not hurt.healthy and (leader in hurt.missing or hurt.under_replicated), hurt.describe()
        assert faults.leader_of(bootstrap, topic, 0) != leader      # a new leader was elected
        new = faults.restart(state, leader)
        assert new.pid != old.pid and faults.record(state, leader).pid == new.pid and state.is_up()
        healed = faults.wait_healthy(bootstrap, faults.node_ids(state), timeout_s=120, topics=[topic])
        assert healed.healthy, healed.describe()
    finally:
        admin.delete(topic)


def test_pause_of_a_follower_and_the_active_controller_is_known(kafka3: LocalStack) -> None:
    state, bootstrap = kafka3.state, kafka3.kafka_bootstrap
    assert faults.active_controller(bootstrap) in faults.node_ids(state)
    node = faults.node_ids(state)[-1]
    with faults.paused(state, node) as rec:
        assert rec.is_paused()
    assert not rec.is_paused() and rec.is_running()
    assert faults.wait_healthy(bootstrap, faults.node_ids(state), timeout_s=60).healthy


def test_leader_kill_with_acks_all_and_min_isr_2_loses_nothing(kafka3: LocalStack) -> None:
    timing = reliability.Timing(duration_s=14, fault_at_s=4, down_s=3, rate=500)
    row = reliability.run_one(kafka3.state, "kill-leader", "all-isr2", timing)
    assert row["acked"] > 0.9 * row["sent"] > 0
    assert row["lost"] == 0, row["lost_sample"]
    assert row["healthy_after"], row["health_after"]
    assert row["isr_recovery_s"] is not None and row["isr_recovery_s"] > 0
    assert any("kill -9" in e["event"] for e in row["events"])
    assert sum(row["timeline"]["acked"]) == row["acked"]
    assert row["latency"]["during"]["n"] > 0 and row["unavailable_s"] > 0


def test_kinesis_dropped_responses_duplicate_but_lose_nothing(live_stack: LocalStack) -> None:
    target = live_stack.target()
    if not ((target.kinesis.limits if target.kinesis else None) or {}).get("endpoint"):
        pytest.skip("the stack runs without the Kinesis fidelity layer")
    timing = reliability_kinesis.KinesisTiming(duration_s=10, fault_at_s=2, fault_window_s=6, warmup_s=1)
    row = reliability_kinesis.run_one(target, "drop-response", "put_records", timing, seed=7)
    assert row["evidence"] == "emulated" and row["lost"] == 0
    assert row["faults_injected"].get("drop_response", 0) > 0
    assert row["duplicates"] > 0                                   # retried after the write: duplicates
