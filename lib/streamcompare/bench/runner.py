"""The one measurement loop every driver shares: `run_benchmark`.

A run: create the stream (or `streams` of them); start the consumers and wait until each has built its client; the
producers follow an open-loop schedule (bench/schedule.py) through warm-up and the measured
duration; flush; drain the consumers until every acknowledged record arrived or `drain_timeout_s`
passed; stop; delete the stream unless keep=True. Timing rules: bench/producer.py, bench/consumer.py.
`rate: max` runs the search of bench/maxrate.py, one fresh stream per trial.

Placement (decided by measurement, PLACEMENT below):
- Consumers run, by default, each in a spawned child process that rebuilds the driver from its name
  and the target dict (bench/driverref.py) and sends back encoded histograms and counts. Consuming
  is CPU work in Python (decode, time, de-duplicate every record, plus the client's own parsing); in
  the producers' process it competes for the GIL and shows up as publish delay and latency that are
  the benchmark's, not the system's. consumer_in_subprocess=None picks the child whenever the driver
  can be rebuilt there (a name in the global registry, or a "module:callable" factory) and the clock
  is the real one; otherwise a thread, with a note in the result.
- Producers are threads of this process: the send loop mostly waits (sleeping, or in the client's
  poll(), both outside the GIL), clients do their I/O outside the GIL (librdkafka's threads,
  sockets), and one process keeps all producers on one schedule and one clock. Threads add no CPU:
  a client that burns Python CPU per send (boto3 PutRecord, ~0.6 ms) caps the whole process; that
  shows as publish delay, `unsent` records and a lower achieved rate in the result, never hidden.
  Measured (benchmarks/README.md, 2026-11-24): one producer thread pushes 203,000-234,000 records/s
  of 100 B into the local 3-broker Kafka, against 153,000-170,000/s for Kafka's own Java
  ProducerPerformance on the same 2 cores, so producer processes would add start-up and merging
  for nothing here; the per-record work is a few array appends (bench/timelog.py).
"""

from __future__ import annotations

import functools
import gc
import random
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from streamcompare import interrupt
from streamcompare.bench import maxrate, settle
from streamcompare.bench.clock import Clock, MonotonicClock
from streamcompare.bench.consumer import DRAIN_IDLE_S, ConsumerGroup, ConsumerPlan
from streamcompare.bench.driverref import DriverRef
from streamcompare.bench.errors import BenchmarkError
from streamcompare.bench.measurement import Measurement, merge
from streamcompare.bench.metadata import describe_target, run_metadata, utc_now
from streamcompare.bench.preflight import record_size_problem
from streamcompare.bench.producer import ProducerOutcome, ProducerPlan, ProducerWorker
from streamcompare.bench.results import RunResult
from streamcompare.bench.workload import Workload
from streamcompare.drivers.base import DRIVERS, DriverRegistry, Producer, StreamSpec
from streamcompare.errors import ConfigError
from streamcompare.stack.ledger import ledger_for
from streamcompare.target import Target

__all__ = ["BenchmarkError", "Progress", "run_benchmark", "run_once", "PLACEMENT"]

PLACEMENT = """\
Measured 2026-11-24 on the 2-core dev machine (load ~1.5 from other work), fake driver with a file-backed
log (tests/unit/fakes.py), 1 KiB records, 1 producer, 1 consumer, 5 s measured after 1 s warm-up,
5 us of Python CPU per send, 50 us per record consumed, acks served by poll() after 1 ms.
Two repetitions (a / b); publish delay p99, publish latency p99, e2e p99 in ms:

  rate/s  consumer thread (a)    consumer thread (b)      child process (a)   child process (b)
   2,000  1.2 / 3.0 / 2.3        0.5 / 2.0 / 1.2          0.8 / 2.7 / 1.8     3.5 / 5.0 / 5.0
   6,000  0.8 / 2.5 / 2.0        87 / 90 / 113            2.7 / 5.4 / 5.9     4.5 / 7.3 / 19
  12,000  18 / 23 / 39           361 / 366 / 389 (94%)    5.1 / 8.7 / 13      4.4 / 7.3 / 25

At low load the two are alike (noise of a shared machine); as the consumer's CPU grows the
in-process consumer stalls the producer for tens to hundreds of ms and even costs throughput (94%
achieved), the child process never does. Same fake, 100 us of CPU per send, target 12,000/s:
1 producer thread 6,599/s, 2 threads 7,307/s, 4 threads 6,590/s (the GIL: threads add no CPU).
"""

START_LEAD_NS = 50_000_000
"""Gap between the end of setup and the first intended send, so setup never eats into the schedule."""


@dataclass(frozen=True)
class Progress:
    phase: str  # create | consumers | run | drain | trial | done
    elapsed_s: float = 0.0
    target_rate: float | None = None
    sent: int = 0
    acked: int = 0
    failed: int = 0
    received: int = 0
    message: str = ""


ProgressCallback = Callable[[Progress], None]


def _emit(progress: ProgressCallback | None, event: Progress) -> None:
    if progress is not None:
        progress(event)


def _run_producers(workers: list[ProducerWorker], producers: list[Producer], group: ConsumerGroup | None,
                   rate: int, progress: ProgressCallback | None) -> list[ProducerOutcome]:
    outcomes: dict[int, ProducerOutcome] = {}
    failures: list[str] = []

    def run(worker: ProducerWorker, producer: Producer) -> None:
        try:
            outcomes[worker.plan.index] = worker.run(producer)
        except BaseException:
            failures.append(traceback.format_exc())

    threads = [threading.Thread(target=run, args=(w, p), name=f"sc-producer-{w.plan.index}", daemon=True)
               for w, p in zip(workers, producers, strict=True)]
    started = time.monotonic()
    for t in threads:
        t.start()
    next_report = started + 1.0
    try:
        while any(t.is_alive() for t in threads) and not failures:
            if group is not None:
                group.pump(0.2)
            else:
                threads[0].join(0.2)
            if time.monotonic() >= next_report:
                next_report += 1.0
                _emit(progress, Progress(
                    "run", time.monotonic() - started, rate, sum(w.sent for w in workers),
                    sum(w.acked for w in workers), sum(w.failed for w in workers),
                    sum(group.unique) if group else 0))
    except BaseException:
        failures.append("stopped")
        raise
    finally:
        if failures:
            for w in workers:
                w.stop_requested.set()
        for t in threads:
            t.join()
    if failures:
        raise BenchmarkError(f"a producer failed:\n{failures[0].rstrip()}")
    return [outcomes[i] for i in sorted(outcomes)]


def run_once(ref: DriverRef, workload: Workload, rate: int, *, registry: DriverRegistry = DRIVERS,
             clock: Clock | None = None, progress: ProgressCallback | None = None,
             consumer_in_subprocess: bool = False, keep: bool = False, stream: str,
             seed: int = 0) -> Measurement:
    """One open-loop run at a fixed target rate on new streams (`stream`, or stream-1.. for several)."""
    clock = clock or MonotonicClock()
    driver = ref.build(registry)
    admin = driver.admin()
    versions = {str(k): str(v) for k, v in admin.versions().items()}
    notes: list[str] = []
    run_tag = random.Random(seed).getrandbits(64)
    system = getattr(driver, "name", ref.name)
    settings = workload.driver_settings(system)
    names = workload.stream_names(stream)
    # a polling client (Kinesis GetRecords: 5 calls/s per shard) must not be polled faster than asked
    poll_s = min(1.0, max(0.1, float(settings.get("poll_interval_ms", 0)) / 1000))
    group: ConsumerGroup | None = None
    producers: list[Any] = []
    created: list[str] = []
    frozen = False
    try:
        for name in names:
            _emit(progress, Progress("create", target_rate=rate, message=f"creating {name}"))
            created.append(name)  # before the call: a stop during the create still deletes it
            admin.create(StreamSpec(name=name, partitions=workload.partitions,
                                    replication_factor=workload.replication_factor,
                                    config={"min.insync.replicas": str(workload.min_insync_replicas)},
                                    on_demand=workload.kinesis.on_demand))
        if workload.consumers:
            _emit(progress, Progress("consumers", target_rate=rate, message="starting consumers"))
            group = ConsumerGroup(ref, _consumer_plans(workload, names, settings, run_tag, poll_s),
                                  registry, clock, consumer_in_subprocess, ledger=ledger_for(ref.target))
            group.start()
        start = clock.now_ns() + START_LEAD_NS  # moved below once the clients exist
        workers = [ProducerWorker(ProducerPlan(
            index=j, producers=workload.producers, rate=rate, start_ns=start, measure_start_ns=start,
            end_ns=start, record_bytes=workload.record_bytes, run_tag=run_tag, partitions=workload.partitions,
            key_distribution=workload.key_distribution, arrivals=workload.arrivals, seed=seed,
            flush_timeout_s=max(5.0, workload.drain_timeout_s),
            bursts=workload.shape.bursts(), hot_key_share=workload.shape.hot_key_share,
        ), clock) for j in range(workload.producers)]
        for j, worker in enumerate(workers):
            producers.append(driver.producer(names[j % len(names)], {
                **settings, "producer_index": j, "producers": workload.producers}, worker.on_ack))
        frozen = _freeze_heap()
        start = clock.now_ns() + START_LEAD_NS
        measure_start = start + int(workload.warmup_s * 1e9)
        end = measure_start + int(workload.duration_s * 1e9)
        if group is not None:
            group.begin(measure_start)
        for worker in workers:
            worker.schedule(start, measure_start, end)
        outcomes = _run_producers(workers, producers, group, rate, progress)
        acked = sum(o.totals["acked"] for o in outcomes)
        consumer_results: list[dict[str, Any]] = []
        drained = True
        if group is not None:
            _emit(progress, Progress("drain", target_rate=rate, sent=sum(o.totals["sent"] for o in outcomes),
                                     acked=acked, received=sum(group.unique),
                                     message="waiting for every acknowledged record to arrive"))
            drained = group.drain(acked, workload.drain_timeout_s,
                                  idle_s=min(DRAIN_IDLE_S, workload.drain_timeout_s))
            if not drained:
                notes.append(f"drain stopped before every acknowledged record arrived "
                             f"(limit {workload.drain_timeout_s:g} s, or {DRAIN_IDLE_S:g} s without progress)")
            consumer_results = group.stop()
    finally:
        with interrupt.shielded():  # a second signal must not cut the clean-up short
            _clean_up(system, producers, group, admin, created, keep, notes, frozen)
    m = merge(rate, stream, system, versions, workload, measure_start,
              outcomes, consumer_results, drained)
    m.streams = names
    m.notes.extend([*getattr(admin, "notes", []), *notes])
    return m


def _clean_up(system: str, producers: list[Any], group: ConsumerGroup | None, admin: Any, created: list[str],
              keep: bool, notes: list[str], frozen: bool) -> None:
    """Close producers, stop and reap consumers, delete the streams; a stopped run reports each step."""
    stopped = interrupt.stopping()
    if frozen:
        gc.unfreeze()
    for p in producers:
        _quietly(p.close)
    if producers and stopped:
        interrupt.cleaned(f"stopped {len(producers)} {system} producer(s)")
    if group is not None:
        pids = group.close()
        if stopped and group.workers:
            where = f" (pids {', '.join(map(str, pids))})" if pids else ""
            interrupt.cleaned(f"stopped {len(group.workers)} {system} consumer(s){where}")
    kind = "topic" if system == "kafka" else "stream"
    for name in created:
        if keep:
            notes.append(f"stream {name} kept")
        elif err := _quietly(functools.partial(admin.delete, name)):
            notes.append(f"could not delete stream {name}: {err}")
            if stopped:
                interrupt.cleaned(f"could NOT delete {system} {kind} {name} ({err}): run "
                                  "`streamcompare cleanup --local`")
        elif stopped:
            interrupt.cleaned(f"deleted {system} {kind} {name}")


def _consumer_plans(workload: Workload, names: list[str], settings: dict[str, Any], run_tag: int,
                    poll_s: float) -> list[ConsumerPlan]:
    """Consumer i reads stream i % streams, as member i // streams of that stream's group."""
    plans = []
    for i in range(workload.consumers):
        name = names[i % len(names)]
        members = len(range(i % len(names), workload.consumers, len(names)))
        own = dict(settings)
        if members > 1:
            own["group"] = f"sc-{name}"  # one group sharing the partitions (one consumer reads all)
        plans.append(ConsumerPlan(i, members, name, own, run_tag, poll_timeout_s=poll_s, member=i // len(names)))
    return plans


def _freeze_heap() -> bool:
    """Keep the objects that exist before the run out of the garbage collector's scans during it.

    A full collection walks every tracked object of the process (modules, clients, a notebook's
    data): tens of milliseconds with the send loop stopped, which shows up as publish delay. The
    run's own short-lived objects (callbacks of records in flight) are still collected as usual.
    """
    gc.collect()
    gc.freeze()
    return True


def _quietly(fn: Callable[[], Any]) -> str | None:
    try:
        fn()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _placement(ref: DriverRef, registry: DriverRegistry, requested: bool | None,
               clock: Clock) -> tuple[bool, str | None]:
    if ref.name == "null":  # the floor hands records over in process (drivers/null.py)
        if requested is True:
            raise ConfigError("the null driver delivers in process: its consumer cannot run in a child",
                              field="consumer_in_subprocess", fix="pass consumer_in_subprocess=False or None")
        return False, None
    portable = ref.portable(registry)
    real_clock = isinstance(clock, MonotonicClock)
    if requested is True:
        if not portable:
            raise ConfigError(
                f"driver {ref.name!r} lives in a private registry a child process cannot see",
                field="consumer_in_subprocess",
                fix="register it in the global DRIVERS, name it as 'module:callable', "
                    "or pass consumer_in_subprocess=False")
        if not real_clock:
            raise ConfigError("a child process can only use the real monotonic clock",
                              field="consumer_in_subprocess", fix="pass consumer_in_subprocess=False")
        return True, None
    if requested is False:
        return False, None
    if portable and real_clock:
        return True, None
    return False, "consumer ran in the producers' process (driver or clock not usable in a child)"


def run_benchmark(driver_name: str, target: Target, workload: Workload, *,
                  registry: DriverRegistry = DRIVERS, clock: Clock | None = None,
                  progress: ProgressCallback | None = None, consumer_in_subprocess: bool | None = None,
                  keep: bool = False, seed: int | None = None,
                  labels: Mapping[str, str] | None = None) -> RunResult:
    """Measure one system against one target with one workload; returns the (unwritten) result.

    driver_name: a name in `registry`, or "package.module:factory" (a DriverFactory).
    target: where to measure (streamcompare.target.Target); secrets are redacted in the result.
    consumer_in_subprocess: None = child process when possible (see the module docstring).
    keep: leave the stream(s) in place. seed: fixes keys, padding, Poisson gaps and the run tag.
    labels: free-form strings stored with the result (e.g. the report run id).
    """
    clock = clock or MonotonicClock()
    if problem := record_size_problem(driver_name, workload):  # before anything is created
        raise problem
    ref = DriverRef(driver_name, target)
    in_subprocess, note = _placement(ref, registry, consumer_in_subprocess, clock)
    run_id = RunResult.new_run_id()
    started = utc_now()
    seed = random.randrange(2**32) if seed is None else seed
    base = f"sc-{workload.name}-{run_id[:8]}"
    common: dict[str, Any] = dict(registry=registry, clock=clock, progress=progress,
                                  consumer_in_subprocess=in_subprocess, keep=keep, seed=seed)
    trials: list[maxrate.Trial] = []
    if workload.is_max_rate:
        m, trials = _max_rate(ref, workload, base, common)
        mode = "max-rate"
    else:
        settled = _settle(ref, workload, base, common)
        m = run_once(ref, workload, int(workload.rate), stream=base, **common)
        if settled:
            m.notes.append(settled)
        mode = "fixed-rate"
    c = m.counts
    received = 0 if c["lost"] is None else c["acked"] - c["lost"] + c["unacked_received"]
    _emit(progress, Progress("done", target_rate=m.rate, sent=c["sent"], acked=c["acked"], failed=c["failed"],
                             received=received))
    return measured_result(
        run_id, started, mode, workload, target, m, trials,
        placement={"producers": "threads", "consumer_in_subprocess": in_subprocess, "seed": seed,
                   "stream": m.stream, "streams": m.streams},
        notes=[*([note] if note else []), *m.notes], labels={str(k): str(v) for k, v in (labels or {}).items()})


def measured_result(run_id: str, started: str, mode: str, workload: Workload, target: Target, m: Measurement,
                    trials: list[maxrate.Trial], *, placement: dict[str, Any], notes: list[str],
                    labels: dict[str, str]) -> RunResult:
    """The RunResult of one measurement: the one place its histograms, windows and metadata are laid out."""
    environment = run_metadata(m.versions)
    environment.pop("versions")
    environment["finished_utc"] = environment.pop("utc")
    return RunResult(
        run_id=run_id, utc=started, system=m.system, mode=mode,
        workload=workload.model_dump(mode="json"), target=describe_target(m.system, target),
        driver_settings=workload.driver_settings(m.system), versions=m.versions, environment=environment,
        placement=placement, throughput=m.throughput, counts=m.counts,
        quantiles={"publish_latency": m.publish_latency.quantiles(),
                   "publish_delay": m.publish_delay.quantiles(), "e2e_latency": m.e2e.quantiles()},
        histograms={"publish_latency": m.publish_latency.encode(),
                    "publish_delay": m.publish_delay.encode(), "e2e_latency": m.e2e.encode()},
        windows=[{**w, "tail": int(w["t_s"] or 0) + 1 > workload.duration_s} for w in m.windows.rows(m.rate)],
        trials=[t.to_dict() for t in trials], notes=notes, labels=labels)


def _settle(ref: DriverRef, workload: Workload, base: str, common: dict[str, Any]) -> str | None:
    """Short passes of the same loop until latency is steady (bench/settle.py); the note, or None when off."""
    rules = workload.settle
    if not rules.max_passes:
        return None
    short = workload.with_overrides(duration_s=rules.pass_s, warmup_s=0.0)
    key = "e2e" if workload.consumers else "publish_latency"

    def run_pass(i: int) -> float | None:
        m = run_once(ref, short, int(workload.rate), stream=f"{base}-w{i}", **common)
        value = getattr(m, key).quantiles()["p50"]
        _emit(common["progress"], Progress("trial", target_rate=m.rate, message=f"warm-up pass {i}: p50 "
                                           f"{'-' if value is None else f'{float(value) / 1000:.1f} ms'}"))
        return None if value is None else float(value)

    return settle.settle(run_pass, rules).note(rules)


def _max_rate(ref: DriverRef, workload: Workload, base: str,
              common: dict[str, Any]) -> tuple[Measurement, list[maxrate.Trial]]:
    """Search (short trials), then confirm the answer at full length (bench/maxrate.py)."""
    rules = workload.max_rate
    trial_workload = workload.with_overrides(duration_s=rules.trial_s, warmup_s=rules.trial_warmup_s)
    measured: dict[tuple[str, int], Measurement] = {}

    def run_judged(phase: str, run_workload: Workload, rate: int) -> maxrate.Trial:
        m = run_once(ref, run_workload, rate, stream=f"{base}-{phase[0]}{len(measured) + 1}", **common)
        verdict = maxrate.judge(rate, m.throughput, m.publish_delay.quantiles(), m.windows.rows(rate),
                                workload.consumers, rules)
        verdict = replace(verdict, phase=phase, details={
            "stream": m.stream, "publish_latency": m.publish_latency.quantiles(),
            "e2e_latency": m.e2e.quantiles(), "lost": m.counts["lost"], "throttles": m.counts["throttles"],
            "measured_s": run_workload.duration_s})
        measured[(phase, rate)] = m
        label = "confirmation " if phase == "confirm" else ""
        _emit(common["progress"], Progress(
            "trial", target_rate=rate, acked=m.throughput["acked"],
            message=f"{label}{rate}/s {'sustained' if verdict.sustainable else 'not sustained'}"
                    f"{'' if verdict.sustainable else ': ' + '; '.join(verdict.reasons)}"))
        return verdict

    found, trials = maxrate.search(lambda rate: run_judged("search", trial_workload, rate), rules)
    best, confirmations = maxrate.confirm(lambda rate: run_judged("confirm", workload, rate), found, rules)
    trials = [*trials, *confirmations]
    if best is not None:
        m = measured[("confirm", best) if confirmations else ("search", best)]
    elif found is not None:
        m = measured[("confirm", confirmations[-1].rate)]
        m.notes.append(f"the search found {found}/s, but no full-length confirmation run was sustained "
                       f"(tried {', '.join(str(t.rate) for t in confirmations)}/s): no sustainable rate")
    else:
        m = measured[("search", min(r for _, r in measured))]
        m.notes.append("no sustainable rate found; figures are from the lowest trial")
    m.throughput["sustainable_rate"] = best
    return m, trials
