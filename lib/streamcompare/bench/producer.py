"""One producer's open-loop send loop and the timing of every record it sends.

Per record the loop knows three times: intended (from the schedule), actual (just before `send`) and
ack (read first thing in the acknowledgement callback, whichever thread calls it).
  publish latency = ack - intended   (no coordinated omission: a late send counts against the system)
  publish delay   = actual - intended (how far the client fell behind its schedule)
Records whose intended time is inside the warm-up are sent but left out of histograms and windows.
The loop stops sending at the end of the run even if it is behind (the shortfall is `unsent`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from streamcompare.bench.clock import Clock
from streamcompare.bench.payload import KeyDistribution, KeyGenerator, PayloadCodec
from streamcompare.bench.schedule import Arrivals, RateSchedule
from streamcompare.bench.stats import LatencyHistogram
from streamcompare.bench.tally import ACKED, FAILED, SENT, SeqSet, Windows
from streamcompare.drivers.base import AckCallback, Producer

MAX_ERROR_SAMPLES = 5
SPIN_SHARE = 0.1
"""The rate limiter spins (burning CPU for precise send times) at most this share of the mean gap
between two sends: at 2,000 records/s 50 us per send instead of the clock's 200 us (a whole core
from 5,000/s up, taken from the system under test on a small machine)."""


@dataclass(frozen=True)
class ProducerPlan:
    """Everything one producer needs (plain values, picklable)."""

    index: int
    producers: int
    rate: float
    start_ns: int
    measure_start_ns: int
    end_ns: int
    record_bytes: int
    run_tag: int
    partitions: int = 1
    key_distribution: KeyDistribution = "random"
    arrivals: Arrivals = "uniform"
    seed: int = 0
    flush_timeout_s: float = 30.0


@dataclass
class ProducerOutcome:
    index: int
    publish_latency: LatencyHistogram
    publish_delay: LatencyHistogram
    windows: Windows
    acked_seqs: SeqSet
    totals: dict[str, int]
    counters_measured: dict[str, int]
    error_samples: list[str] = field(default_factory=list)


class ProducerWorker:
    """Runs one producer's schedule; counts are readable from other threads while it runs."""

    def __init__(self, plan: ProducerPlan, producer: Producer, clock: Clock) -> None:
        self.plan = plan
        self.producer = producer
        self.clock = clock
        self._lock = threading.Lock()
        self.latency = LatencyHistogram()
        self.delay = LatencyHistogram()
        self.windows = Windows(plan.measure_start_ns)
        self.acked_seqs = SeqSet()
        self.sent = self.acked = self.failed = 0
        self.measured_sent = self.measured_acked = self.measured_failed = 0
        self.error_samples: list[str] = []
        self.stop_requested = threading.Event()

    def _on_ack_for(self, seq: int, intended: int) -> AckCallback:
        now = self.clock.now_ns
        measured = intended >= self.plan.measure_start_ns

        def on_ack(err: BaseException | None) -> None:
            ack = now()
            with self._lock:
                if err is None:
                    self.acked += 1
                    self.acked_seqs.add(seq)
                    if measured:
                        self.measured_acked += 1
                        self.latency.record_ns(ack - intended)
                        self.windows.add(ACKED, ack)
                else:
                    self._fail(err, measured, ack)

        return on_ack

    def _fail(self, err: BaseException, measured: bool, t_ns: int) -> None:
        self.failed += 1
        if measured:
            self.measured_failed += 1
            self.windows.add(FAILED, t_ns)
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(f"{type(err).__name__}: {err}")

    def run(self) -> ProducerOutcome:
        """Send on schedule until the end of the run, flush, and report.

        The send path takes no lock: the sent counters, the delay histogram and the sent windows
        belong to this thread (other threads only read the plain int counters). Acknowledgements may
        come from other threads (the Kinesis sender pool), so on_ack keeps the lock.
        """
        plan, clock, producer = self.plan, self.clock, self.producer
        codec = PayloadCodec(plan.record_bytes, plan.run_tag, seed=plan.seed)
        keys = KeyGenerator(plan.key_distribution, plan.partitions, seed=plan.seed + plan.index)
        schedule = RateSchedule(plan.start_ns, plan.rate, producers=plan.producers, index=plan.index,
                                arrivals=plan.arrivals, seed=plan.seed + 7919 * plan.index)
        sent_windows = Windows(plan.measure_start_ns)
        now, sleep_until, poll, send = clock.now_ns, clock.sleep_until_ns, producer.poll, producer.send
        encode, next_key, on_ack_for = codec.encode, keys.next, self._on_ack_for
        record_delay, add_sent, stopping = self.delay.record_ns, sent_windows.add, self.stop_requested.is_set
        end_ns, measure_start_ns, index = plan.end_ns, plan.measure_start_ns, plan.index
        spin_ns = int(SPIN_SHARE * 1e9 * plan.producers / plan.rate)
        counters_start: dict[str, int] | None = None
        for seq, intended in enumerate(schedule):
            if intended >= end_ns:
                break
            measured = intended >= measure_start_ns
            if measured and counters_start is None:
                counters_start = producer.counters().as_dict()
            actual = now()
            if actual < intended:
                sleep_until(intended, idle=poll, spin_ns=spin_ns)
                actual = now()
            if actual >= end_ns or stopping():
                break  # what the schedule still asked for is counted below, without walking it
            value = encode(intended, index, seq)
            self.sent += 1
            if measured:
                self.measured_sent += 1
                record_delay(actual - intended)
                add_sent(SENT, actual)
            try:
                send(next_key(), value, on_ack_for(seq, intended))
            except Exception as exc:  # a send that raises gets no callback: count it as failed here
                with self._lock:
                    self._fail(exc, measured, now())
            poll(0)
        scheduled = schedule.count_before(end_ns)
        measured_scheduled = scheduled - min(scheduled, schedule.count_before(measure_start_ns))
        if counters_start is None:
            counters_start = producer.counters().as_dict()
        pending = producer.flush(plan.flush_timeout_s)
        counters_end = producer.counters().as_dict()
        with self._lock:
            self.windows.merge(sent_windows)
            totals = {
                "scheduled": scheduled, "sent": self.sent, "acked": self.acked, "failed": self.failed,
                "measured_scheduled": measured_scheduled, "measured_sent": self.measured_sent,
                "measured_acked": self.measured_acked, "measured_failed": self.measured_failed,
                "unsent": scheduled - self.sent, "pending_after_flush": int(pending),
            }
            return ProducerOutcome(
                index=plan.index, publish_latency=self.latency, publish_delay=self.delay,
                windows=self.windows, acked_seqs=self.acked_seqs, totals=totals,
                counters_measured=_delta(counters_start, counters_end),
                error_samples=list(self.error_samples),
            )


def _delta(start: Mapping[str, Any], end: Mapping[str, Any]) -> dict[str, int]:
    return {k: int(end.get(k, 0)) - int(start.get(k, 0)) for k in end}
