"""Kinesis client behaviour under failure, through the stack's fidelity layer (emulated).

The local emulator cannot lose an acknowledged record (it is one process with its state in memory and no
replicas to lose), so nothing here says anything about Kinesis durability, which AWS documents
(synchronous replication across three availability zones). What this measures is what the
*clients* do when the service misbehaves: the fidelity layer drops responses after the write
(the client retries: duplicates), answers 500/503 (retries: reordering within a shard when several
PutRecords are in flight), or resets connections. Same shape as the Kafka experiment: the harness's
open-loop send loop, a fault window injected from a thread on the same clock, a verification read of
every shard from TRIM_HORIZON (straight from the emulator, past the layer), reconciled against the
acknowledgement log by producer id and sequence number.
"""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from streamcompare.bench.clock import Clock, MonotonicClock
from streamcompare.bench.payload import PayloadCodec
from streamcompare.bench.producer import ProducerPlan, ProducerWorker
from streamcompare.drivers.base import StreamSpec
from streamcompare.drivers.kinesis import KinesisDriver
from streamcompare.errors import StackError, one_of
from streamcompare.probes import reconcile
from streamcompare.stack.kinesis_limits import control
from streamcompare.target import Target

START_LEAD_NS = 200_000_000

KINESIS_FAULTS: dict[str, dict[str, float]] = {
    "none": {},
    "drop-response": {"drop_response": 0.05},
    "server-errors": {"internal_failure": 0.025, "service_unavailable": 0.025},
    "connection-reset": {"connection_reset": 0.05},
}
"""Fault name -> the fidelity layer's fault fractions while the fault window is open."""

KINESIS_SETTINGS: dict[str, dict[str, Any]] = {
    "put_records": {"label": "PutRecords, batching producer (4 senders)", "producer_mode": "put_records",
                    "linger_ms": 50, "sender_threads": 4},
    "put_record_ordered": {"label": "PutRecord with SequenceNumberForOrdering", "producer_mode": "put_record",
                           "sequence_for_ordering": True},
}


@dataclass(frozen=True)
class KinesisTiming:
    duration_s: float = 20.0
    fault_at_s: float = 5.0
    fault_window_s: float = 10.0
    warmup_s: float = 2.0
    rate: int = 200
    shards: int = 2
    keys: int = 8
    record_bytes: int = 100


def run_one(target: Target, fault: str, setting: str, timing: KinesisTiming | None = None, *,
            clock: Clock | None = None, seed: int | None = None, run: int = 1) -> dict[str, Any]:
    """One run: steady PutRecord(s) load, the fault window, the verification read, the row."""
    one_of(KINESIS_FAULTS, fault, what="Kinesis fault", field="fault")
    one_of(KINESIS_SETTINGS, setting, what="Kinesis setting", field="setting")
    layer = ((target.kinesis.limits if target.kinesis else None) or {}).get("endpoint")
    if not layer:
        raise StackError("the Kinesis fidelity layer is not running",
                         fix="`streamcompare stack up --kinesis-limits on`")
    timing = timing or KinesisTiming()
    clock = clock or MonotonicClock()
    seed = random.randrange(2**32) if seed is None else seed
    driver = KinesisDriver(target)
    reader = KinesisDriver(target.with_kinesis(endpoint=target.kinesis.emulator_endpoint if target.kinesis else None))
    stream = f"sc-rel-{fault}-{uuid.uuid4().hex[:8]}"
    driver.admin().create(StreamSpec(stream, partitions=timing.shards))
    run_tag = random.Random(seed).getrandbits(64)
    worker = ProducerWorker(ProducerPlan(
        index=0, producers=1, rate=timing.rate, start_ns=0, measure_start_ns=0, end_ns=0,
        record_bytes=timing.record_bytes, run_tag=run_tag, partitions=timing.keys, key_distribution="round-robin",
        seed=seed, flush_timeout_s=60, keep_acks=True), clock)
    spec = KINESIS_SETTINGS[setting]
    producer: Any = driver.producer(stream, {k: v for k, v in spec.items() if k != "label"}, worker.on_ack)
    start = clock.now_ns() + START_LEAD_NS
    measure_start, end = start + int(timing.warmup_s * 1e9), start + int(timing.duration_s * 1e9)
    worker.schedule(start, measure_start, end)
    fault_ns = start + int(timing.fault_at_s * 1e9)
    close_ns = fault_ns + int(timing.fault_window_s * 1e9)
    events: list[dict[str, Any]] = []
    injected: dict[str, Any] = {}

    def window() -> None:
        clock.sleep_until_ns(fault_ns)
        before = control.stats(layer)
        with control.injected(layer, seed=seed, **KINESIS_FAULTS[fault]):
            events.append({"t_s": round((clock.now_ns() - start) / 1e9, 3), "event": f"{fault} on"})
            clock.sleep_until_ns(close_ns)
        events.append({"t_s": round((clock.now_ns() - start) / 1e9, 3), "event": f"{fault} off"})
        injected.update(_injected(before, control.stats(layer)))

    thread = threading.Thread(target=window, name="sc-kinesis-fault", daemon=True)
    try:
        thread.start()
        outcome = worker.run(producer)
        producer.close()
        thread.join(timeout=timing.duration_s + 30)
    finally:
        control.set_faults(layer)  # off, also when the run failed
    codec = PayloadCodec(timing.record_bytes, run_tag, seed=seed)
    read = []
    for shard, sequence, key, value in reader.admin().read_back(stream):
        header = codec.header(value)
        if header is not None:
            read.append(reconcile.ReadRecord(shard, sequence, key, header.record_id))
    driver.admin().delete(stream)
    assert outcome.ack_records is not None  # keep_acks=True
    intended, ack, ident = outcome.ack_records
    failed = outcome.failed_records or []
    rec = reconcile.reconcile(ident.tolist(), [i for i, _ in failed], read)
    parts = np.array([rec.partition_of.get(int(i), -1) for i in ident.tolist()], dtype=np.int64)
    gaps = reconcile.longest_gaps(ack[parts >= 0], parts[parts >= 0], start, end)
    horizon = max([end, *(ack.tolist()[-1:])]) + 1_000_000_000
    counters = producer.counters().as_dict()
    return {
        "system": "kinesis", "evidence": "emulated", "fault": fault, "setting": setting,
        "setting_label": spec["label"], "run": run, "rate": timing.rate, "fault_fractions": KINESIS_FAULTS[fault],
        "events": events, "faults_injected": injected,
        "sent": int(outcome.totals["sent"]), "acked": int(outcome.totals["acked"]),
        "failed": int(outcome.totals["failed"]), "unsent": int(outcome.totals["unsent"]),
        **rec.as_row(), "retries": counters.get("retries", 0),
        "unavailable_s": round(max(gaps.values()), 3) if gaps else None, "isr_recovery_s": None,
        "healthy_after": True,
        "latency": reconcile.phase_latency(intended, ack, measure_start, fault_ns, close_ns, end),
        "timeline": {"bin_ms": reconcile.BIN_NS // 1_000_000, "fault_s": timing.fault_at_s,
                     "recovered_s": timing.fault_at_s + timing.fault_window_s,
                     "acked": reconcile.timeline(ack, start, horizon),
                     "failed": reconcile.timeline(np.array([t for _, t in failed], dtype=np.int64), start, horizon)},
        "error_samples": list(outcome.error_samples), "timing": asdict(timing),
    }


def _injected(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    """Faults the layer injected during the window (its counters after minus before)."""
    b, a = before.get("counters") or {}, after.get("counters") or {}
    return {k.removeprefix("faults."): int(v) - int(b.get(k, 0)) for k, v in a.items()
            if k.startswith(("faults.", "requests.Put"))}


def run_matrix(target: Target, runs: int = 1, timing: KinesisTiming | None = None,
               progress: Any = lambda _m: None) -> list[dict[str, Any]]:
    rows = []
    for r in range(1, runs + 1):
        for fault in KINESIS_FAULTS:
            for setting in KINESIS_SETTINGS:
                row = run_one(target, fault, setting, timing, run=r)
                progress(f"run {r}/{runs} kinesis {fault:<16} {row['setting_label']:<44} lost {row['lost']:>4} "
                         f"dup {row['duplicates']:>4} reordered {row['reordered']:>4} failed {row['failed']:>4}")
                rows.append(row)
    return rows
