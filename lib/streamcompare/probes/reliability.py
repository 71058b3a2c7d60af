"""Reliability under failure, measured on the local Kafka cluster.

One experiment: a fresh topic; the harness's open-loop send loop (bench/producer.py, one producer,
keyed records carrying producer id and sequence number) runs at a steady rate; at a fixed time a
fault (probes/faultplans.py) is injected from a thread on the same clock; the run continues through
recovery; the cluster is restored and checked whole again; then a verification read consumes every
partition from the beginning and is reconciled against the producer's acknowledgement log
(probes/reconcile.py). Kafka's own replication test does the same ("validate that every acked message
was consumed" after a hard kill of the leader).
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from streamcompare.bench.clock import Clock, MonotonicClock
from streamcompare.bench.payload import SEQ_BITS, PayloadCodec
from streamcompare.bench.producer import ProducerPlan, ProducerWorker
from streamcompare.drivers.base import StreamSpec
from streamcompare.drivers.kafka import KafkaDriver
from streamcompare.errors import ConfigError, StackError, one_of
from streamcompare.probes import faultplans, reconcile
from streamcompare.stack import faults
from streamcompare.stack.local import StackState

START_LEAD_NS = 200_000_000
HEALTH_POLL_S = 0.25


@dataclass(frozen=True)
class Timing:
    """How long an experiment runs and when things happen (seconds from the first send)."""

    duration_s: float = 25.0
    fault_at_s: float = 6.0
    warmup_s: float = 2.0
    down_s: float = 5.0
    pause_s: float = 10.0
    rate: int = 1000
    record_bytes: int = 100
    partitions: int = 3
    keys: int = 12
    message_timeout_s: float = 30.0
    recovery_timeout_s: float = 90.0

    def check(self) -> Timing:
        if not 0 < self.warmup_s <= self.fault_at_s < self.duration_s:
            raise ConfigError("the fault must come after the warm-up and before the end of the run",
                              field="fault_at_s", fix="use warmup_s <= fault_at_s < duration_s")
        if self.rate <= 0 or self.rate > 20_000:
            raise ConfigError(f"rate {self.rate}/s is outside 1..20000", field="rate",
                              fix="a steady modest rate (1000/s) is enough to see every loss")
        return self


PROFILES: dict[str, dict[str, Any]] = {
    "quick": {"cells": [("kill-leader", "acks1"), ("kill-leader", "all-isr2")], "runs": 1,
              "timing": Timing(duration_s=18.0, fault_at_s=5.0, down_s=4.0)},
    "standard": {"cells": [(f, s) for f in faultplans.MATRIX_FAULTS for s in faultplans.fault(f).settings],
                 "runs": 3, "timing": Timing(duration_s=20.0, fault_at_s=5.0, down_s=4.0)},
}


def _pinned_nodes(state: StackState) -> dict[str, int]:
    controller = faults.active_controller(state.kafka_bootstrap or "")
    others = [n for n in faults.node_ids(state) if n != controller]
    if len(others) < 2:
        raise StackError("the two-down fault needs three Kafka nodes", fix="start the stack with --brokers 3")
    return {"leader": others[0], "follower": others[1], "controller": controller}


def run_one(state: StackState, fault_name: str, setting_key: str, timing: Timing | None = None, *,
            clock: Clock | None = None, seed: int | None = None, run: int = 1) -> dict[str, Any]:
    """One experiment; returns its row (counts, gaps, recovery, latency by phase, timeline)."""
    fault = faultplans.fault(fault_name)
    setting = faultplans.setting(setting_key)
    timing = (timing or Timing()).check()
    if fault.min_duration_s > timing.duration_s:
        timing = replace(timing, duration_s=fault.min_duration_s)
    clock = clock or MonotonicClock()
    seed = random.randrange(2**32) if seed is None else seed
    expected = faults.node_ids(state)
    bootstrap = state.kafka_bootstrap or ""
    before = faults.wait_healthy(bootstrap, expected, timeout_s=timing.recovery_timeout_s)
    if not before.healthy:
        raise StackError(f"the cluster is not healthy before the experiment: {before.describe()}",
                         fix="`streamcompare stack status`; restart the stack")
    driver = KafkaDriver(state.target())
    admin = driver.admin()
    topic = f"sc-rel-{fault_name}-{uuid.uuid4().hex[:8]}"
    pinned: dict[str, int] = {}
    if fault.pinned:
        pinned = _pinned_nodes(state)
        admin.create_pinned(topic, [[pinned["leader"], pinned["follower"]]] * timing.partitions,
                            setting.topic_config())
    else:
        admin.create(StreamSpec(topic, partitions=timing.partitions, replication_factor=3,
                                config=setting.topic_config()))
    run_tag = random.Random(seed).getrandbits(64)
    worker = ProducerWorker(ProducerPlan(
        index=0, producers=1, rate=timing.rate, start_ns=0, measure_start_ns=0, end_ns=0,
        record_bytes=timing.record_bytes, run_tag=run_tag, partitions=timing.keys,
        key_distribution="round-robin", seed=seed, flush_timeout_s=timing.message_timeout_s + 15,
        keep_acks=True), clock)
    producer: Any = driver.producer(topic, setting.producer(int(timing.message_timeout_s * 1000)), worker.on_ack)
    start = clock.now_ns() + START_LEAD_NS
    measure_start = start + int(timing.warmup_s * 1e9)
    end = start + int(timing.duration_s * 1e9)
    worker.schedule(start, measure_start, end)
    fault_run = faultplans.FaultRun(state, topic, clock, fault_ns=start + int(timing.fault_at_s * 1e9),
                                    origin_ns=start, down_s=timing.down_s, pause_s=timing.pause_s, pinned=pinned)
    recovery: dict[str, Any] = {}
    thread = threading.Thread(target=_fault_thread, args=(fault, fault_run, expected, topic, end, timing, recovery),
                              name="sc-fault", daemon=True)
    health = None
    try:
        thread.start()
        outcome = worker.run(producer)
        producer.close()
        thread.join(timeout=timing.recovery_timeout_s + timing.duration_s)
    finally:
        restarted = faults.restore(state)
        if restarted:
            fault_run.mark(f"restore: restarted node(s) {restarted}")
        health = faults.wait_healthy(bootstrap, expected, timeout_s=timing.recovery_timeout_s)
    read = driver_read(driver, topic, timing.partitions, run_tag, timing.record_bytes, seed)
    try:
        admin.delete(topic)
    except Exception:  # a leftover topic costs nothing but disk; the row says so
        fault_run.events.append({"t_s": None, "event": f"topic {topic} could not be deleted"})
    return _row(fault, setting, timing, run, outcome, read, fault_run, recovery, health, start, measure_start, end)


def driver_read(driver: KafkaDriver, topic: str, partitions: int, run_tag: int, record_bytes: int,
                seed: int) -> list[reconcile.ReadRecord]:
    """The verification read: every record of the run in every partition, decoded to (producer, seq)."""
    codec = PayloadCodec(record_bytes, run_tag, seed=seed)
    out = []
    for partition, offset, key, value in driver.admin().read_back(topic):
        header = codec.header(value)
        if header is not None:
            out.append(reconcile.ReadRecord(partition, offset, key, header.record_id))
    return out


def _fault_thread(fault: faultplans.Fault, run: faultplans.FaultRun, expected: Sequence[int], topic: str,
                  end_ns: int, timing: Timing, out: dict[str, Any]) -> None:
    """Inject at the fault time, then watch until every restarted node logged its start (a new
    incarnation, registered and unfenced) and the topic is fully in sync with every broker registered."""
    try:
        run.clock.sleep_until_ns(run.fault_ns)
        fault.inject(run)
        deadline = max(end_ns, run.clock.now_ns()) + int(timing.recovery_timeout_s * 1e9)
        bootstrap = run.bootstrap
        while run.clock.now_ns() < deadline:
            if run.restarted_nodes_started() and faults.health(bootstrap, expected, [topic]).healthy:
                out["recovered_ns"] = run.clock.now_ns()
                run.mark("ISR full again, every broker registered")
                return
            time.sleep(HEALTH_POLL_S)
        out["error"] = f"not recovered within {timing.recovery_timeout_s:.0f} s after the run"
    except BaseException as exc:  # reported in the row; the experiment's finally restores the stack
        out["error"] = f"{type(exc).__name__}: {exc}"


def _row(fault: faultplans.Fault, setting: faultplans.Setting, timing: Timing, run: int, outcome: Any,
         read: list[reconcile.ReadRecord], fault_run: faultplans.FaultRun, recovery: dict[str, Any],
         health: faults.Health | None, start: int, measure_start: int, end: int) -> dict[str, Any]:
    intended, ack, ident = outcome.ack_records
    failed = outcome.failed_records or []
    rec = reconcile.reconcile(ident.tolist(), [i for i, _ in failed], read)
    partition_of = rec.partition_of
    parts = np.array([partition_of.get(int(i), -1) for i in ident.tolist()], dtype=np.int64)
    found = parts >= 0
    gaps = reconcile.longest_gaps(ack[found], parts[found], start, end)
    for p in range(timing.partitions):
        gaps.setdefault(p, (end - start) / 1e9)
    recovered = recovery.get("recovered_ns")
    fault_ns = fault_run.fault_ns
    horizon = max([end, *(ack.tolist()[-1:]), *([recovered] if recovered else [])]) + 1_000_000_000
    totals = outcome.totals
    return {
        "system": "kafka", "fault": fault.name, "setting": setting.key, "setting_label": setting.label,
        "run": run, "acks": setting.acks, "min_insync_replicas": setting.min_isr,
        "idempotence": setting.idempotence, "unclean_election": setting.unclean,
        "rate": timing.rate, "duration_s": timing.duration_s, "fault_at_s": timing.fault_at_s,
        "targets": dict(fault_run.targets), "events": fault_run.events,
        "sent": int(totals["sent"]), "acked": int(totals["acked"]), "failed": int(totals["failed"]),
        "unsent": int(totals["unsent"]), "pending_after_flush": int(totals.get("pending_after_flush", 0)),
        **rec.as_row(),
        "lost_sample": [f"{i >> SEQ_BITS}:{i & ((1 << SEQ_BITS) - 1)}" for i in rec.lost_ids[:10]],
        "unavailable_s": round(max(gaps.values()), 3),
        "gap_s_by_partition": {str(p): round(g, 3) for p, g in sorted(gaps.items())},
        "isr_recovery_s": round((recovered - fault_ns) / 1e9, 3) if recovered else None,
        "recovery_error": recovery.get("error"),
        "healthy_after": bool(health and health.healthy),
        "health_after": health.describe() if health else "unknown",
        "latency": reconcile.phase_latency(intended, ack, measure_start, fault_ns, recovered or end, end),
        "timeline": {"bin_ms": reconcile.BIN_NS // 1_000_000,
                     "fault_s": round((fault_ns - start) / 1e9, 3),
                     "recovered_s": round((recovered - start) / 1e9, 3) if recovered else None,
                     "acked": reconcile.timeline(ack, start, horizon),
                     "failed": reconcile.timeline(np.array([t for _, t in failed], dtype=np.int64), start, horizon)},
        "error_samples": list(outcome.error_samples),
        "timing": asdict(timing),
    }


Progress = Callable[[str], None]


def run_cells(state: StackState, cells: Sequence[tuple[str, str]], runs: int, timing: Timing | None = None, *,
              progress: Progress = lambda _m: None,
              on_row: Callable[[dict[str, Any]], None] = lambda _r: None) -> list[dict[str, Any]]:
    """Every (fault, setting) cell `runs` times, in an interleaved order (run 1 of all, then run 2...);
    on_row sees each row as soon as it exists (a long matrix keeps what it measured if stopped)."""
    if runs < 1:
        raise ConfigError(f"runs must be at least 1, got {runs}", field="runs", fix="use --runs 3")
    rows = []
    for r in range(1, runs + 1):
        for fault_name, setting_key in cells:
            t0 = time.monotonic()
            try:
                row = run_one(state, fault_name, setting_key, timing, run=r)
            except (KeyboardInterrupt, ConfigError):
                raise
            except Exception as exc:  # one broken cell must not lose the matrix: the row says what failed
                progress(f"run {r}/{runs} {fault_name} {setting_key}: FAILED {type(exc).__name__}: {exc}")
                row = {"system": "kafka", "fault": fault_name, "setting": setting_key,
                       "setting_label": faultplans.setting(setting_key).label, "run": r,
                       "error": f"{type(exc).__name__}: {exc}", "healthy_after": False,
                       "wall_s": round(time.monotonic() - t0, 1)}
                rows.append(row)
                on_row(row)
                continue
            row["wall_s"] = round(time.monotonic() - t0, 1)
            progress(f"run {r}/{runs} {fault_name:<15} {row['setting_label']:<48} lost {row['lost']:>5} "
                     f"dup {row['duplicates']:>5} reordered {row['reordered']:>5} "
                     f"unavailable {row['unavailable_s']:5.1f} s ({row['wall_s']:.0f} s)")
            rows.append(row)
            on_row(row)
    return rows


def run_profile(state: StackState, profile: str, *, progress: Progress = lambda _m: None,
                on_row: Callable[[dict[str, Any]], None] = lambda _r: None) -> list[dict[str, Any]]:
    spec = one_of(PROFILES, profile, what="profile", field="profile")
    return run_cells(state, spec["cells"], spec["runs"], spec["timing"], progress=progress, on_row=on_row)
