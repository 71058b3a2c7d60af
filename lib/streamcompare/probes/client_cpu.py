"""Programming interfaces: the drivers' own producer/consumer code side by side, and client CPU per record."""

from __future__ import annotations

import inspect
import textwrap
import time
import uuid
from collections.abc import Mapping
from typing import Any

import pandas as pd

from streamcompare.drivers import DRIVERS
from streamcompare.drivers.base import DriverRegistry, StreamSpec
from streamcompare.drivers.kafka import KafkaConsumer, KafkaProducer
from streamcompare.drivers.kinesis import PollingConsumer
from streamcompare.drivers.kinesis_producer import BatchingProducer, PutRecordProducer

SAMPLES = {
    ("kafka", "produce"): KafkaProducer.send,
    ("kafka", "consume"): KafkaConsumer.poll,
    ("kinesis", "produce (PutRecord)"): PutRecordProducer.send,
    ("kinesis", "produce (PutRecords batch)"): BatchingProducer._put,
    ("kinesis", "consume (GetRecords)"): PollingConsumer.poll,
}


def code_samples() -> pd.DataFrame:
    """The code the kit itself runs for each system, taken from the drivers (so it cannot drift)."""
    rows = [{"system": system, "operation": op, "code": textwrap.dedent(inspect.getsource(fn))}
            for (system, op), fn in SAMPLES.items()]
    return pd.DataFrame(rows)


def client_cpu_per_record(target: Mapping[str, Any], system: str, settings: Mapping[str, Any], *,
                          records: int = 2000, record_bytes: int = 1024,
                          registry: DriverRegistry = DRIVERS) -> dict[str, Any]:
    """Client CPU (this process, user+system) per record to produce `records` and have them acknowledged."""
    driver = registry.create(system, target)
    admin = driver.admin()
    name = f"sc-cpu-{uuid.uuid4().hex[:8]}"
    replicas = int(target.get("replication_factor", 1)) if system == "kafka" else 1
    admin.create(StreamSpec(name=name, partitions=2, replication_factor=replicas))
    acked = 0

    def on_ack(_value: bytes, error: BaseException | None) -> None:
        nonlocal acked
        acked += error is None

    try:
        producer = driver.producer(name, settings, on_ack)
        value = b"x" * record_bytes
        cpu_start, wall_start = time.process_time(), time.monotonic()
        for i in range(records):
            producer.send(str(i).encode(), value)
            producer.poll(0)
        producer.flush(120)
        cpu, wall = time.process_time() - cpu_start, time.monotonic() - wall_start
        producer.close()
    finally:
        admin.delete(name)
    mode = settings.get("producer_mode") or f"acks={settings.get('acks', 'all')}"
    return {"system": system, "mode": mode, "records": records, "acked": acked,
            "cpu_us_per_record": cpu / records * 1e6, "wall_s": wall, "records_per_s": records / wall}
