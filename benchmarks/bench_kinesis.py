"""(b) The Kinesis batching producer against a plain sequential boto3 `put_record` loop.

Same endpoint (the local kinesis-mock, an emulator: its speed says nothing about AWS), same record
size, same number of records, random 16-hex-digit partition keys, a fresh stream each. Both are
closed loops timed from the first send to the last acknowledgement:
- batching: the driver's `put_records` producer (bench/drivers/kinesis_producer.py, its defaults:
  4 sender threads, up to 500 records per PutRecords call, 50 ms linger), all records handed to
  send() as fast as it takes them, then flush();
- put_record: one synchronous `client.put_record` per record, one after the other.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from bench_common import say
from botocore.exceptions import ClientError

from streamcompare.bench.workload import builtin_workload
from streamcompare.drivers.base import StreamSpec
from streamcompare.drivers.kinesis import KinesisDriver, make_client
from streamcompare.target import Target


class AckCounter:
    """Counts acknowledgements and failures from the producer's sender threads."""

    def __init__(self) -> None:
        self.acked = self.failed = 0
        self._lock = threading.Lock()

    def __call__(self, value: bytes, err: BaseException | None) -> None:
        with self._lock:
            if err is None:
                self.acked += 1
            else:
                self.failed += 1


def _records(count: int, record_bytes: int, seed: int) -> list[tuple[bytes, bytes]]:
    rng = random.Random(seed)
    return [(b"%016x" % rng.getrandbits(64), rng.randbytes(record_bytes)) for _ in range(count)]


def batching(driver: KinesisDriver, stream: str, records: list[tuple[bytes, bytes]],
             timeout_s: float = 300.0) -> dict[str, Any]:
    """The driver's PutRecords batching producer: send everything, flush, count acknowledgements."""
    settings = builtin_workload("quick").with_overrides(kinesis__producer_mode="put_records").driver_settings("kinesis")
    driver.client.describe_stream_summary(StreamName=stream)  # open the connection before timing
    acks = AckCounter()
    producer = driver.producer(stream, settings, acks)
    try:
        cpu0, t0 = time.process_time(), time.monotonic()
        for key, value in records:
            producer.send(key, value)
        pending = producer.flush(timeout_s)
        wall, cpu = time.monotonic() - t0, time.process_time() - cpu0
        counters = producer.counters().as_dict()
    finally:
        producer.close()
    return _figures(acks.acked, acks.failed, wall, cpu, pending=pending, calls=counters["requests"],
                    retries=counters["retries"])


def put_record_loop(target: Target, stream: str, records: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """A plain boto3 loop: one synchronous PutRecord per record."""
    client = make_client(target)
    client.describe_stream_summary(StreamName=stream)  # open the connection before timing
    acked = failed = 0
    cpu0, t0 = time.process_time(), time.monotonic()
    for key, value in records:
        try:
            client.put_record(StreamName=stream, Data=value, PartitionKey=key.decode())
            acked += 1
        except ClientError:
            failed += 1
    wall, cpu = time.monotonic() - t0, time.process_time() - cpu0
    return _figures(acked, failed, wall, cpu, pending=0, calls=len(records), retries=0)


def _figures(acked: int, failed: int, wall: float, cpu: float, **extra: Any) -> dict[str, Any]:
    return {"rate": acked / wall if wall > 0 else 0.0, "acked": acked, "failed": failed, "wall_s": round(wall, 3),
            "client_cpu_us_per_record": cpu / max(1, acked + failed) * 1e6, **extra}


def compare(target: Target, count: int, record_bytes: int, shards: int, token: str) -> dict[str, Any]:
    """Both producers on fresh streams of the same shape; streams are deleted afterwards."""
    driver = KinesisDriver(target)
    admin = driver.admin()
    names = {"batching": f"scb-{token}-kin-batch", "put_record": f"scb-{token}-kin-single"}
    records = _records(count, record_bytes, seed=1)
    created: list[str] = []
    try:
        for name in names.values():
            say(f"(b) creating stream {name} ({shards} shard(s))")
            created.append(name)
            admin.create(StreamSpec(name=name, partitions=shards))
        say(f"(b) batching producer (PutRecords): {count:,} records of {record_bytes} B")
        batch = batching(driver, names["batching"], records)
        say(f"  -> {batch['rate']:,.0f} records/s in {batch['calls']} PutRecords call(s)")
        say(f"(b) sequential boto3 put_record loop: {count:,} records of {record_bytes} B")
        single = put_record_loop(target, names["put_record"], records)
        say(f"  -> {single['rate']:,.0f} records/s")
    finally:
        for name in created:
            admin.delete(name)
    return {"records": count, "record_bytes": record_bytes, "shards": shards,
            "endpoint": target.kinesis.endpoint if target.kinesis else None, "emulator": target.emulated.of("kinesis"),
            "backend": ((target.kinesis.backend if target.kinesis else None) or "kinesis-mock"),
            "batching": batch, "put_record": single,
            "ratio": batch["rate"] / single["rate"] if single["rate"] else None}

