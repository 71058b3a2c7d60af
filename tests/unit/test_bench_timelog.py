"""Bulk (numpy) recording gives exactly what recording record by record gives."""

import random

import numpy as np
import pytest

from streamcompare.bench import producer as producer_module
from streamcompare.bench.clock import FakeClock
from streamcompare.bench.producer import ProducerPlan, ProducerWorker
from streamcompare.bench.stats import HIGHEST_US, LatencyHistogram
from streamcompare.bench.tally import ACKED, SeqSet, Windows
from streamcompare.drivers.base import DriverCounters

pytestmark = pytest.mark.unit

MS = 1_000_000
START = 1_000 * MS


def test_record_many_equals_recording_one_by_one_including_clamped_values():
    rng = random.Random(3)
    values = [rng.choice([rng.randrange(-5_000, 2_000_000), rng.randrange(10**6, 10**12),
                          rng.randrange(HIGHEST_US * 1000, HIGHEST_US * 2000)]) for _ in range(20_000)]
    one, bulk = LatencyHistogram(), LatencyHistogram()
    for v in values:
        one.record_ns(v)
    bulk.record_many_ns(np.array(values[:7_000], dtype=np.int64))
    bulk.record_many_ns(np.array(values[7_000:], dtype=np.int64))
    bulk.record_many_ns(np.empty(0, dtype=np.int64))
    assert one.clamped == bulk.clamped > 0
    assert one.quantiles() == bulk.quantiles()
    assert one.encode() == bulk.encode()


def test_windows_add_many_equals_add():
    rng = random.Random(4)
    times = [START + rng.randrange(-2 * 10**9, 20 * 10**9) for _ in range(5_000)]
    one, bulk = Windows(START), Windows(START)
    for t in times:
        one.add(ACKED, t)
    bulk.add_many(ACKED, np.array(times, dtype=np.int64))
    assert one.counts == bulk.counts and -2 in bulk.counts


def test_seqset_add_many_equals_add_across_calls_and_offsets():
    rng = random.Random(5)
    one, bulk = SeqSet(), SeqSet()
    for low in (1_000, 0, 50_003, 7):
        seqs = [low + rng.randrange(3_000) for _ in range(2_000)]
        for s in seqs:
            one.add(s)
        bulk.add_many(np.array(seqs, dtype=np.int64))
    assert len(one) == len(bulk) > 0
    assert one.missing_from(bulk) == bulk.missing_from(one) == 0


class SyncProducer:
    """Acknowledges every record inside send, `ack_us` after it was sent (fake clock)."""

    def __init__(self, clock: FakeClock, worker: ProducerWorker, ack_us: int) -> None:
        self.clock, self.worker, self.ack_us, self.n = clock, worker, ack_us, 0

    def send(self, key, value):
        self.n += 1
        if self.n % 7 == 0:  # every 7th record is slow: latencies spread over many buckets
            self.clock.advance(self.ack_us * 30 * 1000)
        self.worker.on_ack(value, RuntimeError("rejected") if self.n % 50 == 0 else None)

    def poll(self, timeout_s):
        pass

    def flush(self, timeout_s):
        return 0

    def counters(self):
        return DriverCounters(requests=self.n)


def measure(records: int) -> dict:
    clock = FakeClock(START)
    plan = ProducerPlan(index=2, producers=3, rate=3_000, start_ns=START, measure_start_ns=START + 100 * MS,
                        end_ns=START + records * MS, record_bytes=40, run_tag=11)
    worker = ProducerWorker(plan, clock)
    out = worker.run(SyncProducer(clock, worker, ack_us=40))
    return {"totals": out.totals, "latency": out.publish_latency.encode(), "delay": out.publish_delay.encode(),
            "windows": out.windows.counts, "acked": bytes(out.acked_seqs.bits).rstrip(b"\0"),
            "errors": out.error_samples}


def test_folding_in_small_chunks_changes_nothing(monkeypatch):
    whole = measure(1_500)
    monkeypatch.setattr(producer_module, "CHUNK", 8)
    monkeypatch.setattr(producer_module, "STOP_CHECK_MASK", 3)
    chunked = measure(1_500)
    assert whole == chunked
    totals = whole["totals"]
    assert totals["sent"] == totals["acked"] + totals["failed"] and totals["failed"] > 0
    assert 0 < totals["measured_acked"] < totals["acked"]  # warm-up acks are counted, not timed
    assert LatencyHistogram.decode(whole["latency"]).count == totals["measured_acked"]
