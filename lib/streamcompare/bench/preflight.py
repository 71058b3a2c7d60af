"""Checks made before a run creates anything: records that fit the system, replication that fits the cluster.

Without them a 2 MB record for Kinesis ran for a minute, had every send rejected and reported zero
errors; a replication factor above the broker count failed after the stack had started.
- Kinesis: a record's data plus its partition key may be at most 1 MiB (AWS quotas; a stream can be
  raised to 10 MiB with UpdateMaxRecordSize since 2025-10-28, which the kit never does).
- Kafka: the producer refuses a record above its own `message.max.bytes` (librdkafka default
  1,000,000) and the broker one above its `message.max.bytes` (read from the cluster when it answers).
- Kafka: replication factor and min.insync.replicas above the broker count are capped (drivers/kafka.py
  KafkaAdmin.fit); the note saying so is returned here so the CLI can print it before the run.
"""

from __future__ import annotations

from typing import Any

from streamcompare.bench.workload import Workload
from streamcompare.drivers.base import StreamSpec
from streamcompare.errors import ConfigError

MIB = 1024 * 1024
KINESIS_MAX_RECORD_BYTES = MIB
KEY_BUDGET_BYTES = 32
"""The kit's keys are at most 16 hex characters or `key-N`; a missing key becomes a sequence number."""
KAFKA_CLIENT_MAX_MESSAGE_BYTES = 1_000_000
"""librdkafka's default `message.max.bytes`."""
KAFKA_RECORD_OVERHEAD_BYTES = 128
"""Record-batch header (61 B) plus per-record framing, rounded up."""


def record_size_problem(system: str, workload: Workload, broker_max: int | None = None) -> ConfigError | None:
    """Why `workload.record_bytes` cannot be sent to `system`, or None when it fits."""
    size = workload.record_bytes
    if "kinesis" in system and size + KEY_BUDGET_BYTES > KINESIS_MAX_RECORD_BYTES:
        return ConfigError(
            f"record_bytes {size:,} is too large for Kinesis: a record (data plus partition key) may be at "
            f"most 1 MiB ({KINESIS_MAX_RECORD_BYTES:,} bytes)", field="record_bytes",
            fix=f"use record_bytes <= {KINESIS_MAX_RECORD_BYTES - KEY_BUDGET_BYTES:,}, or --system kafka "
                "(10 MiB records need a stream raised with UpdateMaxRecordSize, which the kit does not do)")
    if "kafka" in system:
        extra = workload.driver_settings("kafka").get("extra") or {}
        client_max = int(extra.get("message.max.bytes", KAFKA_CLIENT_MAX_MESSAGE_BYTES))
        limits = [("the producer's message.max.bytes", client_max)]
        if broker_max is not None:
            limits.append(("the brokers' message.max.bytes", broker_max))
        for what, limit in limits:
            if size + KEY_BUDGET_BYTES + KAFKA_RECORD_OVERHEAD_BYTES > limit:
                return ConfigError(
                    f"record_bytes {size:,} is too large for Kafka: {what} is {limit:,} bytes",
                    field="record_bytes",
                    fix=f"use record_bytes <= {limit - KEY_BUDGET_BYTES - KAFKA_RECORD_OVERHEAD_BYTES:,}, "
                        "or raise message.max.bytes on the brokers (and the topic's max.message.bytes)")
    return None


def preflight(system: str, admin: Any, workload: Workload) -> list[str]:
    """Raise ConfigError for a record that cannot be sent; return notes on what the run will change.

    `admin` is the driver's admin client; its optional `max_message_bytes()` and `fit(spec)` are used
    when it has them (test fakes may not).
    """
    broker_max = None
    if hasattr(admin, "max_message_bytes"):
        broker_max = admin.max_message_bytes()
    problem = record_size_problem(system, workload, broker_max)
    if problem is not None:
        raise problem
    notes: list[str] = []
    if hasattr(admin, "fit"):
        before = len(getattr(admin, "notes", []))
        admin.fit(StreamSpec(name="preflight", partitions=workload.partitions,
                             replication_factor=workload.replication_factor,
                             config={"min.insync.replicas": str(workload.min_insync_replicas)}))
        notes = list(getattr(admin, "notes", [])[before:])
        if hasattr(admin, "notes"):
            del admin.notes[before:]  # the run's own create adds the note to the result again
    return notes
