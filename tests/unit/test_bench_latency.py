"""Latency arithmetic on a fake clock: publish latency = ack - intended, delay = actual - intended."""

import pytest

from streamcompare.bench.clock import FakeClock
from streamcompare.bench.consumer import ReceiveTracker
from streamcompare.bench.payload import PayloadCodec, decode_header
from streamcompare.bench.producer import ProducerPlan, ProducerWorker
from streamcompare.drivers.base import DriverCounters

pytestmark = pytest.mark.unit

MS = 1_000_000
START = 1_000 * MS


class ClockedProducer:
    """A synchronous client on a fake clock: send returns after the ack, `ack_us` (or a stall) later."""

    def __init__(self, clock: FakeClock, ack_us: int = 100, stalls: dict[int, int] | None = None,
                 deferred: bool = False) -> None:
        self.on_ack = None
        self.clock, self.ack_us, self.stalls, self.deferred = clock, ack_us, stalls or {}, deferred
        self.values: list[bytes] = []
        self.sent_at: list[int] = []
        self.pending: list = []

    def send(self, key, value):
        self.sent_at.append(self.clock.now_ns())
        self.values.append(value)
        if self.deferred:
            self.pending.append(value)
            return
        self.clock.advance(self.stalls.get(len(self.values) - 1, self.ack_us) * 1000)
        self.on_ack(value, None)

    def poll(self, timeout_s):
        pass

    def flush(self, timeout_s):
        return len(self.pending)

    def counters(self):
        return DriverCounters(requests=len(self.values))

    def close(self):
        pass


def run(worker: ProducerWorker, producer: ClockedProducer):
    producer.on_ack = worker.on_ack
    return worker.run(producer)


def plan(n_ms: int, warmup_ms: int = 0, rate: int = 1000) -> ProducerPlan:
    return ProducerPlan(index=0, producers=1, rate=rate, start_ns=START,
                        measure_start_ns=START + warmup_ms * MS, end_ns=START + (warmup_ms + n_ms) * MS,
                        record_bytes=64, run_tag=42)


def test_on_schedule_latency_is_the_ack_time_and_delay_is_zero():
    clock = FakeClock(START - 5 * MS)
    out = run(ProducerWorker(plan(10), clock), ClockedProducer(clock, ack_us=250))
    assert out.totals["sent"] == out.totals["acked"] == 10
    lat, delay = out.publish_latency.quantiles(), out.publish_delay.quantiles()
    assert lat["p50"] == lat["max"] == 250 and lat["count"] == 10
    assert delay["max"] == 0
    assert clock.sleeps[1:] == [750_000] * 9  # open loop: waits for the next intended time


def test_a_stall_counts_against_every_record_that_waited_for_it():
    # 1000 records/s (1 ms apart); record 5 takes 10 ms to acknowledge, the rest 0.1 ms.
    # Records 6..15 were due during the stall: each is sent late and its latency counts from when
    # it was due: 9.1 ms, 8.2 ms, ... 1.0 ms. A closed-loop measurement would report 0.1 ms for them.
    clock = FakeClock(START)
    producer = ClockedProducer(clock, ack_us=100, stalls={5: 10_000})
    out = run(ProducerWorker(plan(20), clock), producer)
    lat, delay = out.publish_latency.quantiles(), out.publish_delay.quantiles()
    assert lat["count"] == 20
    assert lat["max"] == pytest.approx(10_000, rel=1e-3)
    assert lat["mean"] == pytest.approx(61_400 / 20, rel=5e-3)  # 5x0.1 + 10 + sum(14.5 - 0.9k) + 4x0.1
    assert delay["max"] == pytest.approx(9_000, rel=1e-3)  # record 6: due at 6 ms, sent at 15 ms
    assert delay["p50"] == 0
    # The payload carries the intended time, not the late actual send time.
    header = decode_header(producer.values[6])
    assert header.intended_ns == START + 6 * MS and producer.sent_at[6] == START + 15 * MS
    assert header.seq == 6


def test_warm_up_records_are_sent_but_not_measured():
    clock = FakeClock(START)
    producer = ClockedProducer(clock)
    out = run(ProducerWorker(plan(10, warmup_ms=5), clock), producer)
    assert len(producer.values) == 15 and out.totals["sent"] == 15
    assert out.totals["measured_sent"] == out.publish_latency.count == out.publish_delay.count == 10
    assert sum(row[0] for row in out.windows.counts.values()) == 10


def test_acks_from_another_thread_later_are_timed_when_they_arrive():
    clock = FakeClock(START)
    producer = ClockedProducer(clock, deferred=True)
    worker = ProducerWorker(plan(3), clock)
    out = run(worker, producer)
    assert out.totals["pending_after_flush"] == 3 and worker.acked == 0
    clock.advance(7 * MS)  # now START + 2 ms (last send) + 7 ms
    for value in producer.pending:
        worker.on_ack(value, None)
    late = worker.outcome()
    lat = late.publish_latency.quantiles()
    assert lat["count"] == 3 and late.totals["acked"] == late.totals["measured_acked"] == 3
    assert (lat["p50"], lat["max"]) == pytest.approx((8_000, 9_000), rel=1e-3)  # 9 ms - 1 ms, 9 ms - 0
    assert len(late.acked_seqs) == 3


def test_failed_acks_are_counted_not_timed():
    clock = FakeClock(START)
    worker, producer = ProducerWorker(plan(2), clock), ClockedProducer(clock, deferred=True)
    run(worker, producer)
    for value in producer.pending:
        worker.on_ack(value, RuntimeError("throttled"))
    out = worker.outcome()
    assert out.totals["failed"] == out.totals["measured_failed"] == 2 and out.publish_latency.count == 0
    assert worker.error_samples[0] == "RuntimeError: throttled"


def test_a_producer_that_falls_behind_stops_at_the_end_and_reports_unsent():
    clock = FakeClock(START)
    out = run(ProducerWorker(plan(10), clock), ClockedProducer(clock, ack_us=2_500))
    assert out.totals["scheduled"] == 10
    assert out.totals["sent"] == 4 and out.totals["unsent"] == 6  # sends at 0, 2.5, 5, 7.5 ms


def test_end_to_end_latency_is_receive_minus_intended_and_warm_up_is_excluded():
    codec = PayloadCodec(64, run_tag=9)
    tracker = ReceiveTracker(run_tag=9)
    early = codec.encode(START, 0, 0)  # warm-up record, arrives before the start is known
    tracker.handle([early], START + 2 * MS)
    tracker.set_measure_start(START + 1 * MS)
    a, b = codec.encode(START + 1 * MS, 0, 1), codec.encode(START + 2 * MS, 1, 0)
    tracker.handle([a, b], START + 5 * MS)
    tracker.handle([a, PayloadCodec(64, run_tag=8).encode(START, 0, 5), b"short"], START + 6 * MS)
    q = tracker.e2e.quantiles()
    assert q["count"] == 2  # HdrHistogram reports bucket tops: exact to 0.1%
    assert (q["p50"], q["max"]) == pytest.approx((3_000, 4_000), rel=1e-3)
    assert (tracker.unique, tracker.duplicates, tracker.foreign) == (3, 1, 2)
    assert tracker.measured_received == 2
    assert tracker.windows.counts == {0: [0, 0, 0, 2]}
