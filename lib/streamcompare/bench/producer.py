"""One producer's open-loop send loop and the timing of every record it sends.

Per record the loop knows three times: intended (from the schedule), actual (just before `send`) and
ack (read first thing in the acknowledgement callback, whichever thread calls it).
  publish latency = ack - intended   (no coordinated omission: a late send counts against the system)
  publish delay   = actual - intended (how far the client fell behind its schedule)
Records whose intended time is inside the warm-up are sent but left out of histograms and windows.
The loop stops sending at the end of the run even if it is behind (the shortfall is `unsent`).
The acknowledgement callback reads the intended time and the sequence number back from the record's
own header (bench/payload.py): nothing is kept per record between send and ack.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from streamcompare.bench.clock import Clock
from streamcompare.bench.payload import HEADER, SEQ_BITS, KeyDistribution, KeyGenerator, PayloadCodec
from streamcompare.bench.schedule import Arrivals, Bursts, RateSchedule
from streamcompare.bench.stats import LatencyHistogram
from streamcompare.bench.tally import FAILED, SeqSet, Windows
from streamcompare.bench.timelog import CHUNK, AckLog, SendLog
from streamcompare.drivers.base import Producer

MAX_ERROR_SAMPLES = 5
SPIN_SHARE = 0.1
"""The rate limiter spins (burning CPU for precise send times) at most this share of the mean gap
between two sends: at 2,000 records/s 50 us per send instead of the clock's 200 us (a whole core
from 5,000/s up, taken from the system under test on a small machine)."""

TICK_NS = 1_000_000
"""When records are due more often than this, the limiter wakes once per tick (boundaries start + n * tick)
and sends every record due by then, without spinning: at 2,000 records/s one wake per two records
instead of a wake plus a 50 us spin per record. Intended send times stay exact (open loop); the wait
for the tick shows as publish delay (at most one tick) and is inside end-to-end latency."""

STOP_CHECK_MASK = 255
"""The send loop checks for a stop request (and a full send log) every 256 records, and when it waits."""


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
    bursts: Bursts | None = None
    hot_key_share: float = 0.0
    keep_acks: bool = False
    """Keep every acknowledgement (intended, ack time, record id) and every failure: the log a
    verification read reconciles against (probes/reliability.py). Off for benchmarks."""


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
    ack_records: tuple[Any, Any, Any] | None = None
    """keep_acks: (intended ns, ack ns, record id) arrays of every acknowledged record."""
    failed_records: list[tuple[int, int]] | None = None
    """keep_acks: (record id, time ns) of every record the client reported as failed."""


class ProducerWorker:
    """Runs one producer's schedule; counts are readable from other threads while it runs.

    The driver's producer is built with `on_ack` as its acknowledgement callback, then handed to
    `run`. Times go to flat arrays (bench/timelog.py), folded in bulk: the per-record cost is a
    few appends, so the harness keeps up with clients that do hundreds of thousands of records/s.
    """

    def __init__(self, plan: ProducerPlan, clock: Clock) -> None:
        self.plan = plan
        self.clock = clock
        self._now = clock.now_ns
        self._lock = threading.Lock()
        self.schedule(plan.start_ns, plan.measure_start_ns, plan.end_ns)
        self.sent = self.failed = self.measured_failed = 0
        self.error_samples: list[str] = []
        self.stop_requested = threading.Event()
        self._totals: dict[str, int] = {}
        self._counters: dict[str, int] = {}

    def schedule(self, start_ns: int, measure_start_ns: int, end_ns: int) -> None:
        """Set the run's times, before run(): the runner knows them only once the clients exist."""
        self.plan = replace(self.plan, start_ns=start_ns, measure_start_ns=measure_start_ns, end_ns=end_ns)
        self._sends = SendLog(measure_start_ns)
        self._acks = AckLog(measure_start_ns, keep=self.plan.keep_acks)
        self._failed_records: list[tuple[int, int]] | None = [] if self.plan.keep_acks else None
        self._bind_ack_arrays()
        self._failures = Windows(measure_start_ns)

    @property
    def acked(self) -> int:
        return len(self._acks)

    def _bind_ack_arrays(self) -> None:
        acks = self._acks
        self._ack_intended, self._ack_time, self._ack_ident = (
            acks.intended.append, acks.ack.append, acks.ident.append)

    def on_ack(self, value: bytes, error: BaseException | None) -> None:
        """The acknowledgement callback: called once per record, from whichever thread the client uses."""
        ack = self._now()
        intended, ident, _tag = HEADER.unpack_from(value)
        if error is not None:
            with self._lock:
                self._fail(error, intended >= self.plan.measure_start_ns, ack)
                if self._failed_records is not None:
                    self._failed_records.append((ident, ack))
            return
        with self._lock:
            self._ack_intended(intended)
            self._ack_time(ack)
            self._ack_ident(ident)
            if len(self._acks.ident) >= CHUNK:
                self._acks.fold()
                self._bind_ack_arrays()

    def _fail(self, err: BaseException, measured: bool, t_ns: int) -> None:
        self.failed += 1
        if measured:
            self.measured_failed += 1
            self._failures.add(FAILED, t_ns)
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(f"{type(err).__name__}: {err}")

    def run(self, producer: Producer) -> ProducerOutcome:
        """Send on schedule until the end of the run, flush, and report.

        Only this thread touches the send log; acknowledgements (possibly from other threads, as
        with the Kinesis sender pool) go through on_ack and its lock.
        """
        plan, clock, sends = self.plan, self.clock, self._sends
        codec = PayloadCodec(plan.record_bytes, plan.run_tag, seed=plan.seed)
        keys = KeyGenerator(plan.key_distribution, plan.partitions, seed=plan.seed + plan.index,
                            hot_key_share=plan.hot_key_share)
        schedule = RateSchedule(plan.start_ns, plan.rate, producers=plan.producers, index=plan.index,
                                arrivals=plan.arrivals, seed=plan.seed + 7919 * plan.index, bursts=plan.bursts)
        now, sleep_until, poll, send = clock.now_ns, clock.sleep_until_ns, producer.poll, producer.send
        pack, padding, run_tag = HEADER.pack, codec.padding, codec.run_tag
        next_key = keys.next if plan.key_distribution != "none" or plan.hot_key_share else (lambda: b"")
        stopping = self.stop_requested.is_set
        log_intended, log_actual = sends.intended.append, sends.actual.append
        end_ns, measure_start_ns = plan.end_ns, plan.measure_start_ns
        ident = plan.index << SEQ_BITS
        spin_ns = int(SPIN_SHARE * 1e9 * plan.producers / plan.rate)
        tick = TICK_NS if 1e9 * plan.producers / plan.rate < TICK_NS else 0
        start_ns = plan.start_ns
        counters_start: dict[str, int] | None = None
        for seq, intended in enumerate(schedule):
            if intended >= end_ns:
                break
            if counters_start is None and intended >= measure_start_ns:
                counters_start = producer.counters().as_dict()
            actual = now()
            if actual < intended:
                if tick:  # batch the sends due in the same tick: wake at its end, no spin
                    sleep_until(start_ns - (start_ns - intended) // tick * tick, idle=poll, spin_ns=0)
                else:
                    sleep_until(intended, idle=poll, spin_ns=spin_ns)
                actual = now()
                if stopping():
                    break
            if actual >= end_ns:
                break  # what the schedule still asked for is counted below, without walking it
            log_intended(intended)
            log_actual(actual)
            self.sent = seq + 1
            try:  # the payload layout of bench/payload.py, inlined: this line runs for every record
                send(next_key(), pack(intended, ident | seq, run_tag) + padding)
            except Exception as exc:  # a send that raises gets no callback: count it as failed here
                with self._lock:
                    self._fail(exc, intended >= measure_start_ns, now())
                    if self._failed_records is not None:
                        self._failed_records.append((ident | seq, now()))
            if seq & STOP_CHECK_MASK == STOP_CHECK_MASK:
                if stopping():
                    break
                if len(sends.intended) >= CHUNK:
                    sends.fold()
                    log_intended, log_actual = sends.intended.append, sends.actual.append
            poll(0)
        scheduled = schedule.count_before(end_ns)
        if counters_start is None:
            counters_start = producer.counters().as_dict()
        pending = producer.flush(1.0 if stopping() else plan.flush_timeout_s)  # a stop request waits little
        sends.fold()
        self._counters = _delta(counters_start, producer.counters().as_dict())
        self._totals = {"scheduled": scheduled,
                        "measured_scheduled": scheduled - min(scheduled, schedule.count_before(measure_start_ns)),
                        "pending_after_flush": int(pending)}
        return self.outcome()

    def outcome(self) -> ProducerOutcome:
        """What this producer measured so far (folds what is pending; callable again after late acks)."""
        with self._lock:
            acks = self._acks
            acks.fold()
            self._bind_ack_arrays()
            windows = Windows(self.plan.measure_start_ns)
            windows.merge(self._sends.windows).merge(acks.windows).merge(self._failures)
            totals = {
                **self._totals, "sent": self.sent, "acked": acks.folded, "failed": self.failed,
                "measured_sent": self._sends.measured, "measured_acked": acks.measured,
                "measured_failed": self.measured_failed,
                "unsent": self._totals.get("scheduled", self.sent) - self.sent,
            }
            return ProducerOutcome(
                index=self.plan.index, publish_latency=acks.latency, publish_delay=self._sends.delay,
                windows=windows, acked_seqs=acks.seqs, totals=totals,
                counters_measured=dict(self._counters), error_samples=list(self.error_samples),
                ack_records=acks.records() if acks.kept is not None else None,
                failed_records=list(self._failed_records) if self._failed_records is not None else None,
            )


def _delta(start: Mapping[str, Any], end: Mapping[str, Any]) -> dict[str, int]:
    return {k: int(end.get(k, 0)) - int(start.get(k, 0)) for k in end}
