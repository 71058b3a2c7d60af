"""Client CPU per record, measured: produce N records through a driver and time this process's CPU."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

from streamcompare.drivers import DRIVERS
from streamcompare.drivers.base import DriverRegistry, StreamSpec
from streamcompare.target import Target


def client_cpu_per_record(target: Target, system: str, settings: Mapping[str, Any], *,
                          records: int = 2000, record_bytes: int = 1024, replication_factor: int = 3,
                          registry: DriverRegistry = DRIVERS) -> dict[str, Any]:
    """Client CPU (this process, user+system) per record to produce `records` and have them acknowledged."""
    driver = registry.create(system, target)
    admin = driver.admin()
    name = f"sc-cpu-{uuid.uuid4().hex[:8]}"
    replicas = replication_factor if system == "kafka" else 1  # capped at the broker count by the driver
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
