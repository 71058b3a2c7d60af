"""Reliability under failure: the pure parts (reconciliation, gaps, phases, tables, settings, health)."""

from __future__ import annotations

import numpy as np
import pytest

from streamcompare.bench.clock import FakeClock
from streamcompare.bench.payload import SEQ_BITS
from streamcompare.bench.producer import ProducerPlan, ProducerWorker
from streamcompare.bench.timelog import AckLog
from streamcompare.errors import ConfigError
from streamcompare.probes import faultplans, reconcile
from streamcompare.probes.reconcile import ReadRecord
from streamcompare.probes.reliability import Timing
from streamcompare.probes.reliability_table import matrix_table, timeline_frame
from streamcompare.stack import faults

pytestmark = pytest.mark.unit


def rid(seq: int, producer: int = 0) -> int:
    return (producer << SEQ_BITS) | seq


def test_reconcile_counts_lost_duplicates_reordered_and_failed_but_written() -> None:
    read = [ReadRecord(0, 0, b"k1", rid(0)), ReadRecord(0, 1, b"k1", rid(2)), ReadRecord(0, 2, b"k1", rid(1)),
            ReadRecord(0, 3, b"k1", rid(2)), ReadRecord(1, 0, b"k2", rid(3)), ReadRecord(1, 1, b"k2", rid(6))]
    rec = reconcile.reconcile(acked_ids=[rid(0), rid(1), rid(2), rid(3), rid(4)], failed_ids=[rid(5), rid(6)],
                              read=read)
    assert rec.lost == 1 and rec.lost_ids == (rid(4),)          # acked 4, never found
    assert rec.duplicates == 1                                   # 2 twice
    assert rec.reordered == 1                                    # 1 after 2 for key k1
    assert rec.failed_but_written == 1                           # 6 failed yet in the log
    assert rec.unacked_written == 0 and rec.distinct_found == 5
    assert rec.partition_of[rid(3)] == 1


def test_reconcile_orders_per_key_and_partition_not_globally() -> None:
    read = [ReadRecord(0, 0, b"a", rid(5)), ReadRecord(0, 1, b"b", rid(1)), ReadRecord(1, 0, b"a", rid(2))]
    rec = reconcile.reconcile([rid(1), rid(2), rid(5)], [], read)
    assert rec.reordered == 0 and rec.lost == 0 and rec.duplicates == 0


def test_reconcile_nothing_acked_nothing_lost_and_unacked_records_counted() -> None:
    rec = reconcile.reconcile([], [], [ReadRecord(0, 0, b"", rid(1))])
    assert rec.lost == 0 and rec.unacked_written == 1


def test_longest_gaps_per_partition_include_the_edges() -> None:
    s = 1_000_000_000
    ack = np.array([1, 2, 6, 7, 3], dtype=np.int64) * s
    parts = np.array([0, 0, 0, 0, 1])
    gaps = reconcile.longest_gaps(ack, parts, start_ns=0, end_ns=10 * s)
    assert gaps[0] == pytest.approx(4.0)    # 2 -> 6
    assert gaps[1] == pytest.approx(7.0)    # 3 -> end (10)


def test_timeline_bins_events_per_100_ms() -> None:
    origin = 5_000_000_000
    events = np.array([origin + 10_000_000, origin + 50_000_000, origin + 250_000_000, origin - 1], dtype=np.int64)
    assert reconcile.timeline(events, origin, origin + 400_000_000) == [2, 0, 1, 0]
    assert reconcile.timeline(np.array([], dtype=np.int64), 0, 250_000_000) == [0, 0, 0]


def test_phase_latency_splits_by_intended_time() -> None:
    ms = 1_000_000
    intended = np.array([0, 10, 20, 30, 40], dtype=np.int64) * ms
    ack = intended + np.array([1, 2, 500, 400, 3], dtype=np.int64) * ms
    phases = reconcile.phase_latency(intended, ack, measure_start_ns=5 * ms, fault_ns=15 * ms,
                                     recovered_ns=35 * ms, end_ns=50 * ms)
    assert phases["before"]["n"] == 1 and phases["before"]["max_ms"] == 2.0
    assert phases["during"]["n"] == 2 and phases["during"]["max_ms"] == 500.0
    assert phases["after"]["p50_ms"] == 3.0
    empty = reconcile.phase_latency(intended, ack, 0, 100 * ms, 100 * ms, 100 * ms)["during"]
    assert empty == {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}


def test_spread_ignores_missing_values() -> None:
    assert reconcile.spread([3, None, 1, 2]) == {"median": 2.0, "min": 1.0, "max": 3.0, "runs": 4}
    assert reconcile.spread([None])["median"] is None


def _row(run: int, lost: int, gap: float, recovered: float | None = 9.5) -> dict[str, object]:
    return {"fault": "kill-leader", "setting_label": "acks=1", "run": run, "acked": 1000, "lost": lost,
            "duplicates": 0, "reordered": 0, "failed": 0, "unavailable_s": gap, "isr_recovery_s": recovered,
            "latency": {"during": {"p99_ms": 100.0}}, "healthy_after": True,
            "timeline": {"bin_ms": 100, "acked": [10, 0, 5], "failed": [0, 1, 0]}}


def test_matrix_table_shows_median_and_range_of_repeats() -> None:
    table = matrix_table([_row(1, 0, 1.0), _row(2, 12, 3.0), _row(3, 3, 2.0, None)])
    line = table.iloc[0]
    assert line["runs"] == 3 and line["lost acked"] == "3 (0-12)"
    assert line["longest gap without acks (s)"] == "2.0 (1.0-3.0)"
    assert line["ISR full again after (s)"] == "9.5"
    assert line["healthy after"] == "yes"
    assert "nan" not in table.to_string().lower() and "none" not in table.to_string().lower()


def test_timeline_frame_is_records_per_second() -> None:
    frame = timeline_frame(_row(1, 0, 1.0))
    assert frame["acked_per_s"].tolist() == [100.0, 0.0, 50.0]
    assert frame["failed_per_s"].tolist() == [0.0, 10.0, 0.0]
    assert frame["t_s"].tolist() == [0.0, 0.1, 0.2]


def test_settings_from_flags() -> None:
    assert faultplans.setting_for("all", None, False, False, "kill-leader") == "all-isr2"
    assert faultplans.setting_for("all", 2, True, False, "kill-leader") == "idempotent"
    assert faultplans.setting_for("1", None, False, False, "pause-leader") == "acks1"
    assert faultplans.setting_for("all", None, False, True, "two-down") == "unclean-on"
    assert faultplans.setting_for("all", 2, False, True, "two-down") == "unclean-on-isr2"
    for bad in (("2", None, False, False, "kill-leader"), ("1", None, True, False, "kill-leader"),
                ("all", 3, False, False, "kill-leader"), ("1", None, False, True, "two-down")):
        with pytest.raises(ConfigError):
            faultplans.setting_for(*bad)


def test_topic_and_producer_settings() -> None:
    s = faultplans.setting("unclean-on")
    assert s.topic_config() == {"min.insync.replicas": "1", "unclean.leader.election.enable": "true"}
    assert faultplans.setting("idempotent").producer(30_000)["idempotence"] is True
    assert faultplans.setting("acks0").producer(30_000)["extra"]["message.timeout.ms"] == 30_000


def test_unknown_fault_and_setting_name_the_field() -> None:
    with pytest.raises(ConfigError, match="kill-leader"):
        faultplans.fault("explode")
    with pytest.raises(ConfigError) as info:
        faultplans.setting("acks=2")
    assert info.value.field == "setting"


def test_matrix_covers_every_fault_and_setting_of_the_issue() -> None:
    from streamcompare.probes.reliability import PROFILES

    cells = set(PROFILES["standard"]["cells"])
    for f in ("kill-leader", "kill-follower", "pause-leader", "kill-controller"):
        assert {(f, s) for s in ("acks0", "acks1", "all-isr2", "idempotent")} <= cells
    assert {("two-down", "unclean-on"), ("two-down", "unclean-off")} <= cells
    assert PROFILES["standard"]["runs"] >= 3
    quick = PROFILES["quick"]
    assert quick["runs"] == 1 and len(quick["cells"]) <= 2 and quick["timing"].duration_s <= 30


def test_timing_refuses_a_fault_outside_the_run() -> None:
    with pytest.raises(ConfigError):
        Timing(duration_s=10, fault_at_s=12).check()
    with pytest.raises(ConfigError):
        Timing(rate=0).check()
    assert Timing().check().fault_at_s == 6.0


def test_health_evaluation() -> None:
    ok = faults.evaluate([1, 2, 3], [1, 2, 3], {"t/0": (1, [1, 2, 3], [1, 2, 3])})
    assert ok.healthy and "healthy" in ok.describe()
    urp = faults.evaluate([1, 2, 3], [1, 3], {"t/0": (1, [1, 2, 3], [1, 3]), "t/1": (-1, [2], [])})
    assert not urp.healthy
    assert urp.missing == (2,) and urp.under_replicated == ("t/0", "t/1") and urp.offline == ("t/1",)
    assert "broker(s) [2] not registered" in urp.describe()


def test_ack_log_keeps_records_when_asked() -> None:
    log = AckLog(0, keep=True)
    for i in range(3):
        log.intended.append(i)
        log.ack.append(i + 10)
        log.ident.append(i)
    log.fold()
    intended, ack, ident = log.records()
    assert intended.tolist() == [0, 1, 2] and ack.tolist() == [10, 11, 12] and ident.tolist() == [0, 1, 2]
    assert AckLog(0).kept is None


def test_producer_worker_reports_acked_and_failed_records() -> None:
    clock = FakeClock()
    plan = ProducerPlan(index=0, producers=1, rate=1000, start_ns=0, measure_start_ns=0, end_ns=0, record_bytes=32,
                        run_tag=7, keep_acks=True)
    worker = ProducerWorker(plan, clock)
    worker.schedule(clock.now_ns(), clock.now_ns(), clock.now_ns() + 5_000_000)

    class Half:
        def __init__(self) -> None:
            self.n = 0

        def send(self, key: bytes, value: bytes) -> None:
            self.n += 1
            worker.on_ack(value, None if self.n % 2 else RuntimeError("broker said no"))

        def poll(self, timeout_s: float) -> None:
            pass

        def flush(self, timeout_s: float) -> int:
            return 0

        def counters(self):  # type: ignore[no-untyped-def]
            from streamcompare.drivers.base import DriverCounters
            return DriverCounters()

    outcome = worker.run(Half())  # type: ignore[arg-type]
    assert outcome.ack_records is not None and outcome.failed_records is not None
    assert len(outcome.ack_records[2]) == 3 and [i for i, _ in outcome.failed_records] == [1, 3]
