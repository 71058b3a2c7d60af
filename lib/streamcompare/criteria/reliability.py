"""03_reliability: behaviour under failure (measured), a delivery check, and the documented guarantees.

Under failure (probes/reliability.py): on the local 3-node Kafka cluster, brokers are killed, paused
and stopped by pid under a steady load, and a verification read reconciles the log against the
producer's acknowledgements: lost, duplicated, reordered records and unavailability per producer
setting. The report runs the `quick` profile (one fault, the two settings that matter most) unless
the notebook's `reliability_profile` option says `standard` (the full matrix, 3 repeats) or `off`.
The Kafka options score by the best setting that lost nothing, minus its unavailability and latency
cost. Kinesis durability (3-AZ synchronous replication) cannot be measured on an emulator, which
cannot lose data; it stays documented. The delivery check counts records when nothing goes wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from streamcompare import charts
from streamcompare.criteria.contract import (
    OPTIONS,
    Chart,
    Context,
    Markdown,
    Score,
    Table,
    View,
    clamp,
    experiment,
    knob,
)
from streamcompare.headlines import headline
from streamcompare.probes.delivery import delivery_check
from streamcompare.probes.reliability_table import matrix_table, timeline_frame
from streamcompare.reference import comparison

NAME = "reliability"
TITLE = "Reliability"
NOTEBOOK = "03_reliability"
EXPERIMENT = "delivery"
FAULTS = "reliability"
KAFKA_OPTIONS = ("kafka-self-managed", "msk")
UNCLEAN_FAULT = "two-down"
TIMELINES = (("kill-leader", "acks1"), ("kill-leader", "all-isr2"), (UNCLEAN_FAULT, "unclean-on"))
"""The runs whose timelines the page shows (run 1 of each)."""


@dataclass(frozen=True)
class Knobs:
    loss_penalty: float = knob(3.0, "score penalty for a measured loss", unit="points", low=0, high=10, step=0.5)
    points_per_unavailable_s: float = knob(0.25, "score cost of each second without acknowledgements after a fault",
                                           unit="points/s", low=0, high=2, step=0.05)
    points_per_p99_s: float = knob(0.05, "score cost of each second of p99 publish latency during a fault",
                                   unit="points/s", low=0, high=1, step=0.01)


@dataclass(frozen=True)
class Evidence:
    delivery: pd.DataFrame
    documented: pd.DataFrame
    documented_scores: dict[str, float]
    as_of: str
    faults: tuple[dict[str, Any], ...] = ()
    faults_note: str = ""


def collect(ctx: Context) -> Evidence:
    labels = {"report_run": ctx.run_id, "notebook": NOTEBOOK}
    rows = experiment(ctx, EXPERIMENT, lambda: delivery_check(ctx.target, ctx.workload, labels, ctx.store))
    if ctx.live:
        fault_rows, note = _measure_faults(ctx)
    else:
        fault_rows = ctx.store.rows(ctx.run_id, FAULTS)
        note = "" if fault_rows else "No fault experiments were stored for this run."
    return Evidence(pd.DataFrame(rows), comparison.table("reliability"),
                    comparison.documented_scores("reliability"), comparison.as_of(), tuple(fault_rows), note)


def _measure_faults(ctx: Context) -> tuple[list[dict[str, Any]], str]:
    """Run the fault profile on the local stack (faults are injected by pid, so only there)."""
    from streamcompare.probes import reliability
    from streamcompare.stack.local import StackState

    profile = str(ctx.options.get("reliability_profile", "quick"))
    if profile == "off":
        return [], "Fault experiments were switched off (reliability_profile='off')."
    state = StackState.load()
    bootstrap = ctx.target.kafka.bootstrap if ctx.target.kafka else None
    if state is None or not state.is_up() or state.kafka_bootstrap != bootstrap:
        return [], ("Fault experiments need the local stack (brokers are killed by the pids it started); "
                    "the target is not it.")
    if state.brokers < 3:
        return [], f"Fault experiments need 3 Kafka nodes (replication factor 3); the stack has {state.brokers}."
    rows = reliability.run_profile(state, profile)
    if profile == "standard" and ((ctx.target.kinesis.limits if ctx.target.kinesis else None) or {}).get("endpoint"):
        from streamcompare.probes import reliability_kinesis

        rows += reliability_kinesis.run_matrix(ctx.target)
    ctx.store.write_rows(ctx.run_id, FAULTS, rows, evidence="measured", settings={"profile": profile},
                         target=ctx.target)
    return rows, ""


def lost(evidence: Evidence, system: str) -> int | None:
    frame = evidence.delivery
    if frame.empty or system not in set(frame.system):
        return None
    return int(frame.loc[frame.system == system, "lost"].fillna(0).sum())


def delivery_table(evidence: Evidence) -> pd.DataFrame:
    frame = evidence.delivery
    if frame.empty:
        return frame
    columns = {"system": "system", "settings": "client settings", "sent": "sent", "acknowledged": "acknowledged",
               "received_distinct": "received (distinct)", "lost": "acknowledged but lost",
               "duplicates": "duplicates", "retries": "retries", "emulator": "emulator"}
    return frame[[c for c in columns if c in frame.columns]].rename(columns=columns)


def _main_rows(evidence: Evidence) -> list[dict[str, Any]]:
    return [r for r in evidence.faults if r.get("fault") != UNCLEAN_FAULT and r.get("system", "kafka") == "kafka"]


def best_setting(evidence: Evidence, knobs: Knobs) -> dict[str, Any] | None:
    """Among the settings that lost no acknowledged record in any run of any fault (unclean case
    apart), the one with the lowest cost = unavailability (median over runs, worst fault) x points/s
    + p99 during the fault in s (median, worst fault) x points/s. None when every setting lost."""
    rows = _main_rows(evidence)
    candidates = []
    for key in dict.fromkeys(str(r["setting"]) for r in rows):
        mine = [r for r in rows if r["setting"] == key]
        if any(int(r.get("lost") or 0) > 0 for r in mine):
            continue
        worst_gap = worst_p99 = 0.0
        for fault in {str(r["fault"]) for r in mine}:
            cell = [r for r in mine if r["fault"] == fault]
            worst_gap = max(worst_gap, float(pd.Series([r.get("unavailable_s") for r in cell]).median()))
            p99 = pd.Series([(r.get("latency") or {}).get("during", {}).get("p99_ms") for r in cell]).dropna()
            worst_p99 = max(worst_p99, float(p99.median()) if not p99.empty else 0.0)
        cost = worst_gap * knobs.points_per_unavailable_s + worst_p99 / 1000 * knobs.points_per_p99_s
        candidates.append({"setting": key, "label": mine[0]["setting_label"], "unavailable_s": worst_gap,
                           "p99_ms": worst_p99, "cost": cost, "faults": sorted({str(r["fault"]) for r in mine}),
                           "runs": len(mine)})
    return min(candidates, key=lambda c: c["cost"]) if candidates else None


def lost_with(evidence: Evidence, setting: str) -> int | None:
    rows = [r for r in evidence.faults if r.get("setting") == setting]
    return sum(int(r.get("lost") or 0) for r in rows) if rows else None


def timeline_chart(row: dict[str, Any]) -> Any:
    frame = timeline_frame(row)
    long = pd.concat([frame.assign(series="acknowledged", value=frame.acked_per_s),
                      frame.assign(series="failed", value=frame.failed_per_s)])[["t_s", "series", "value"]]
    events = pd.DataFrame([{"t_s": e["t_s"], "event": e["event"]} for e in row.get("events", [])
                           if e.get("t_s") is not None])
    if events.empty:
        events = pd.DataFrame({"t_s": [row["timeline"]["fault_s"]], "event": ["fault"]})
    return charts.fault_timeline(long, events, title=f"{row['fault']}: {row['setting_label']}",
                                 subtitle=f"lost {row['lost']}, duplicates {row['duplicates']}, longest gap "
                                          f"{row['unavailable_s']:.1f} s (run {row['run']}, per 100 ms)")


def _fault_blocks(evidence: Evidence, knobs: Knobs) -> list[Any]:
    blocks: list[Any] = [Markdown("## Under failure (measured on the local 3-node Kafka cluster)")]
    if not evidence.faults:
        return [*blocks, Markdown(evidence.faults_note or "No fault experiments in this run.")]
    blocks.append(Table(matrix_table([r for r in evidence.faults if r.get("system", "kafka") == "kafka"]),
                        "Median (min-max over repeats) per fault and producer setting; lost = acknowledged "
                        "but not in the log; the gap is the longest time without an acknowledgement on a partition"))
    shown = [r for cell in TIMELINES for r in evidence.faults
             if (r.get("fault"), r.get("setting")) == cell and r.get("run") == 1]
    for row in shown:
        blocks.append(Chart(timeline_chart(row), f"Acknowledgements per 100 ms, {row['fault']}, "
                                                  f"{row['setting_label']}"))
    best = best_setting(evidence, knobs)
    blocks.append(Markdown(
        f"Best Kafka setting that lost nothing: **{best['label']}** (worst median gap {best['unavailable_s']:.1f} s, "
        f"p99 during a fault {best['p99_ms']:,.0f} ms)." if best else
        "**Every setting lost acknowledged records in some run**: see the table."))
    blocks.append(Markdown(
        "Kinesis: the emulator cannot lose data, so nothing here measures Kinesis durability; "
        "AWS documents synchronous replication across three availability zones. What is measured (emulated, "
        "through the kit's fidelity layer) is client behaviour under dropped responses, 500/503 answers and "
        "connection resets: retries duplicate and, with several requests in flight, reorder."))
    kinesis = [r for r in evidence.faults if r.get("system") == "kinesis"]
    if kinesis:
        blocks.append(Table(matrix_table(kinesis).drop(columns=["ISR full again after (s)"]),
                            "Kinesis client behaviour under injected faults (emulated: the local emulator behind the "
                            "fidelity layer), median (min-max) over repeats"))
    return blocks


def view(evidence: Evidence, knobs: Knobs) -> View:
    table = delivery_table(evidence)
    blocks: list[Any] = [*_fault_blocks(evidence, knobs), Markdown("## Delivery check (measured on the target)"),
                         Table(table, "Records sent, acknowledged and received when nothing goes wrong")
                         if not table.empty else Markdown("No delivery check in this run."),
                         Markdown("## Documented guarantees"),
                         Table(evidence.documented, f"Documented comparison (as of {evidence.as_of})")]
    return View(tuple(blocks), verdict(evidence, knobs))


def verdict(evidence: Evidence, knobs: Knobs) -> str:
    parts = ["**Verdict (reliability).**"]
    if _main_rows(evidence):
        lost_by = {key: lost_with(evidence, key) for key in ("acks0", "acks1", "all-isr2", "idempotent",
                                                             "unclean-on", "unclean-off")}
        said = [f"{label}: {lost_by[key]:,} acknowledged record(s) lost" for key, label in (
            ("acks0", "acks=0"), ("acks1", "acks=1"), ("all-isr2", "acks=all + min.insync.replicas=2"),
            ("idempotent", "idempotent"), ("unclean-on", "two replicas down with unclean election on"),
            ("unclean-off", "the same with it off")) if lost_by[key] is not None]
        parts.append("Under broker kills and pauses on the local cluster (summed over every run), "
                     + "; ".join(said) + ".")
        if (lost_by.get("acks1") or 0) == 0 and lost_by.get("acks1") is not None:
            parts.append("acks=1 lost nothing here because followers on loopback lag by milliseconds; it loses "
                         "whatever the followers had not fetched when the leader dies, a window that grows with "
                         "cross-AZ latency.")
    for system in ("kafka", "kinesis"):
        count = lost(evidence, system)
        if count is not None:
            parts.append(f"Delivery check, {system}: {count} acknowledged record(s) lost.")
    parts.append("Kinesis replicates to three availability zones (documented; the emulator cannot lose data). "
                 "Retried PutRecords entries can duplicate and reorder.")
    return " ".join(parts)


def scores(evidence: Evidence, knobs: Knobs) -> dict[str, Score]:
    """Kafka options: measured, 10 minus the cost of the best setting that lost nothing under failure
    (documented minus the loss penalty when every setting lost). Kinesis, and Kafka without fault
    experiments: documented judgement, lowered by the penalty for a loss in the delivery check."""
    out = documented_or_delivery(evidence, knobs)
    if _main_rows(evidence):
        best = best_setting(evidence, knobs)
        for option in KAFKA_OPTIONS:
            if best is not None:
                out[option] = Score(clamp(10 - best["cost"]), "measured",
                                    f"10 - {best['unavailable_s']:.1f} s x {knobs.points_per_unavailable_s:g} - "
                                    f"{best['p99_ms'] / 1000:.1f} s p99 x {knobs.points_per_p99_s:g}: "
                                    f"{best['label']} lost nothing ({', '.join(best['faults'])}, local Kafka)")
            else:
                base = evidence.documented_scores[option]
                out[option] = Score(clamp(base - knobs.loss_penalty), "measured",
                                    f"documented {base:g} minus {knobs.loss_penalty:g}: every setting lost "
                                    "acknowledged records under some fault")
    return out


def documented_or_delivery(evidence: Evidence, knobs: Knobs) -> dict[str, Score]:
    """Documented judgement, lowered by the penalty for a system that lost acknowledged records here."""
    out = {}
    for option in OPTIONS:
        system = "kinesis" if option == "kinesis" else "kafka"
        base = evidence.documented_scores[option]
        count = lost(evidence, system)
        if count:
            out[option] = Score(clamp(base - knobs.loss_penalty), "measured",
                                f"documented {base:g}, minus {knobs.loss_penalty:g}: {count} acknowledged records lost")
        else:
            checked = "no loss in the delivery check; " if count == 0 else ""
            out[option] = Score(base, "documented", f"{checked}documented judgement {base:g}")
    return out


def headlines(evidence: Evidence, knobs: Knobs) -> dict[str, dict[str, Any]]:
    frame = evidence.delivery
    return {"lost_records": headline(int(frame.lost.fillna(0).sum()) if not frame.empty else None, "records",
                                     "measured", "acknowledged records lost (all systems)"),
            "duplicates": headline(int(frame.duplicates.fillna(0).sum()) if not frame.empty else None, "records",
                                   "measured", "duplicates received (all systems)"),
            "lost_acks_all_isr2": headline(lost_with(evidence, "all-isr2"), "records", "measured",
                                           "acknowledged records lost under faults, acks=all + min.insync.replicas=2"),
            "lost_acks1": headline(lost_with(evidence, "acks1"), "records", "measured",
                                   "acknowledged records lost under faults, acks=1"),
            "leader_kill_gap_s": headline(_worst(evidence, "kill-leader", "unavailable_s"), "s", "measured",
                                          "longest gap without acks after a leader kill (worst run)"),
            "leader_kill_isr_s": headline(_worst(evidence, "kill-leader", "isr_recovery_s"), "s", "measured",
                                          "ISR full again after a leader kill (worst run)")}


def _worst(evidence: Evidence, fault: str, key: str) -> float | None:
    values = [float(r[key]) for r in evidence.faults if r.get("fault") == fault and r.get(key) is not None]
    return round(max(values), 2) if values else None
