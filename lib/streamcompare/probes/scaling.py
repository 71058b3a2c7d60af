"""Scaling operations, measured: Kinesis resharding (UpdateShardCount) and Kafka partition addition.

On the local stack the Kafka figure is real Kafka on loopback; the Kinesis figure comes from an
emulator that simulates resharding with a configured delay, so it shows the API flow, not AWS's time.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from streamcompare.drivers import DRIVERS
from streamcompare.drivers.base import DriverRegistry, StreamSpec
from streamcompare.target import Target


@dataclass(frozen=True)
class ScalingResult:
    system: str
    operation: str
    from_units: int
    to_units: int
    seconds: float
    target_kind: str
    emulator: bool
    note: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def kinesis_reshard(target: Target, from_shards: int = 2, to_shards: int = 4,
                    registry: DriverRegistry = DRIVERS, timeout_s: float = 600) -> ScalingResult:
    """Create a stream, UpdateShardCount (uniform scaling), and time until it is ACTIVE again."""
    driver = registry.create("kinesis", target)
    client = driver.client  # type: ignore[attr-defined]
    name = f"sc-reshard-{uuid.uuid4().hex[:8]}"
    admin = driver.admin()
    admin.create(StreamSpec(name=name, partitions=from_shards))
    try:
        started = time.monotonic()
        client.update_shard_count(StreamName=name, TargetShardCount=to_shards, ScalingType="UNIFORM_SCALING")
        while time.monotonic() - started < timeout_s:
            summary = client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            if summary["StreamStatus"] == "ACTIVE" and summary["OpenShardCount"] == to_shards:
                break
            time.sleep(0.05)
        seconds = time.monotonic() - started
    finally:
        admin.delete(name)
    emulator = target.local
    backend = (target.kinesis.backend if target.kinesis else None) or "kinesis-mock"
    return ScalingResult("kinesis", "UpdateShardCount", from_shards, to_shards, seconds, target.kind,
                         emulator, f"emulator ({backend}): its own state "
                                   "change (kinesis-mock: a configured delay; MiniStack: immediate, and it "
                                   "rebuilds the shards), not AWS's time" if emulator else
                         "measured against AWS; at most 10 scaling operations per rolling 24 h")


def kafka_add_partitions(target: Target, from_partitions: int = 3, to_partitions: int = 6,
                         registry: DriverRegistry = DRIVERS, timeout_s: float = 120,
                         replication_factor: int = 3) -> ScalingResult:
    """Create a topic, add partitions, and time until every new partition has a leader."""
    driver = registry.create("kafka", target)
    admin = driver.admin()
    name = f"sc-partitions-{uuid.uuid4().hex[:8]}"
    replicas = replication_factor
    admin.create(StreamSpec(name=name, partitions=from_partitions, replication_factor=replicas))
    try:
        started = time.monotonic()
        admin.add_partitions(name, to_partitions, timeout_s=timeout_s)  # type: ignore[attr-defined]
        while time.monotonic() - started < timeout_s:
            count, led = admin.led_partitions(name)  # type: ignore[attr-defined]
            if count == to_partitions and led == to_partitions:
                break
            time.sleep(0.05)
        seconds = time.monotonic() - started
    finally:
        admin.delete(name)
    return ScalingResult("kafka", "CreatePartitions", from_partitions, to_partitions, seconds,
                         target.kind, False,
                         "adding partitions moves no data but remaps keys; adding brokers needs a reassignment "
                         "that copies data (not measured here)")
