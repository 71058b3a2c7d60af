"""03_reliability: a measured delivery check beside the documented durability guarantees.

Live experiments with faults (broker kills and pauses; dropped responses and server errors for Kinesis)
add to this page in `probes/` (see the reliability probe); the delivery check counts what was sent,
acknowledged and received on the target when nothing goes wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from streamcompare.criteria.contract import OPTIONS, Context, Markdown, Score, Table, View, clamp, knob
from streamcompare.headlines import headline
from streamcompare.probes.delivery import delivery_check
from streamcompare.reference import comparison

NAME = "reliability"
TITLE = "Reliability"
NOTEBOOK = "03_reliability"
EXPERIMENT = "delivery"


@dataclass(frozen=True)
class Knobs:
    loss_penalty: float = knob(3.0, "score penalty for a measured loss", unit="points", low=0, high=10, step=0.5)


@dataclass(frozen=True)
class Evidence:
    delivery: pd.DataFrame
    documented: pd.DataFrame
    documented_scores: dict[str, float]
    as_of: str


def collect(ctx: Context) -> Evidence:
    if ctx.live:
        rows = delivery_check(ctx.target, ctx.workload, {"report_run": ctx.run_id, "notebook": NOTEBOOK}, ctx.store)
        ctx.store.write_rows(ctx.run_id, EXPERIMENT, rows, evidence="measured", target=ctx.target)
    else:
        rows = ctx.store.rows(ctx.run_id, EXPERIMENT)
    return Evidence(pd.DataFrame(rows), comparison.table("reliability"),
                    comparison.documented_scores("reliability"), comparison.as_of())


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


def view(evidence: Evidence, knobs: Knobs) -> View:
    table = delivery_table(evidence)
    blocks: list[Any] = [Markdown("## Delivery check (measured on the target)"),
                         Table(table, "Records sent, acknowledged and received when nothing goes wrong")
                         if not table.empty else Markdown("No delivery check in this run."),
                         Markdown("## Documented guarantees"),
                         Table(evidence.documented, f"Documented comparison (as of {evidence.as_of})")]
    return View(tuple(blocks), verdict(evidence, knobs))


def verdict(evidence: Evidence, knobs: Knobs) -> str:
    parts = ["**Verdict (reliability).**"]
    for system in ("kafka", "kinesis"):
        count = lost(evidence, system)
        if count is not None:
            parts.append(f"{system}: {count} acknowledged record(s) lost in the delivery check.")
    parts.append("Kafka with acks=all and min.insync.replicas=2 survives one broker loss; Kinesis replicates to three "
                 "availability zones (documented). Retried PutRecords entries can duplicate and reorder.")
    return " ".join(parts)


def scores(evidence: Evidence, knobs: Knobs) -> dict[str, Score]:
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
                                   "measured", "duplicates received (all systems)")}
