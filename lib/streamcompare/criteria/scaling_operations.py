"""07_scaling_operations: resharding and partition addition timed on the target, and what the team must run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from streamcompare.criteria.contract import OPTIONS, Context, Markdown, Score, Table, View, clamp, experiment, knob
from streamcompare.headlines import headline
from streamcompare.probes import scaling
from streamcompare.reference import comparison

NAME = "operations"
TITLE = "Scaling and operations"
EXPERIMENT = "scaling"


@dataclass(frozen=True)
class Knobs:
    scaling_events_per_day: int = knob(2, "capacity changes a day", low=0, high=48)
    has_kafka_team: bool = knob(False, "the team already runs Kafka")


@dataclass(frozen=True)
class Evidence:
    scaling: pd.DataFrame
    documented: pd.DataFrame
    documented_scores: dict[str, float]
    as_of: str


def collect(ctx: Context) -> Evidence:
    """Live: time Kinesis UpdateShardCount 2 -> 4 and Kafka CreatePartitions 3 -> 6; replay: that run's rows."""
    def measure() -> list[dict[str, Any]]:
        rf = ctx.workload.replication_factor
        return [scaling.kinesis_reshard(ctx.target, 2, 4).as_dict(),
                scaling.kafka_add_partitions(ctx.target, 3, 6, replication_factor=rf).as_dict()]

    rows = experiment(ctx, EXPERIMENT, measure)
    return Evidence(pd.DataFrame(rows), comparison.table("operations"), comparison.documented_scores("operations"),
                    comparison.as_of())


def seconds(evidence: Evidence, system: str) -> float | None:
    frame = evidence.scaling
    if frame.empty or system not in set(frame.system):
        return None
    return float(frame.loc[frame.system == system, "seconds"].iloc[0])


def scaling_table(evidence: Evidence) -> pd.DataFrame:
    frame = evidence.scaling
    if frame.empty:
        return frame
    return pd.DataFrame({"system": frame.system, "operation": frame.operation,
                         "from": frame.from_units, "to": frame.to_units, "time (s)": frame.seconds.round(2),
                         "server": ["emulator" if e else "real" for e in frame.emulator], "note": frame.note})


def view(evidence: Evidence, knobs: Knobs) -> View:
    table = scaling_table(evidence)
    blocks: list[Any] = [Markdown("## Scaling operations timed on the target"),
                         Table(table, "Time until the new capacity is usable") if not table.empty else
                         Markdown("No scaling measurement in this run."),
                         Markdown("## Documented operations"),
                         Table(evidence.documented, f"Documented comparison (as of {evidence.as_of})")]
    return View(tuple(blocks), verdict(evidence, knobs))


def verdict(evidence: Evidence, knobs: Knobs) -> str:
    text = ["**Verdict (scaling and operations).** Kinesis and MSK leave the servers to AWS; self-managed Kafka "
            "needs a team for upgrades, broker replacement and partition reassignment."]
    if knobs.scaling_events_per_day > 10:
        text.append(f"{knobs.scaling_events_per_day} capacity changes a day exceed Kinesis's 10 UpdateShardCount "
                    "calls per rolling 24 h: use on-demand mode, or Kafka with headroom.")
    return " ".join(text)


def scores(evidence: Evidence, knobs: Knobs) -> dict[str, Score]:
    """Documented judgement; +2 for self-managed Kafka when the team already runs Kafka; -2 for Kinesis
    provisioned when capacity changes exceed 10 a day (its UpdateShardCount limit)."""
    out = {}
    for option in OPTIONS:
        value = evidence.documented_scores[option]
        why = [f"documented judgement {value:g}"]
        if option == "kafka-self-managed" and knobs.has_kafka_team:
            value += 2
            why.append("team runs Kafka already (+2)")
        if option == "kinesis" and knobs.scaling_events_per_day > 10:
            value -= 2
            why.append("more than 10 reshards a day (-2)")
        out[option] = Score(clamp(value), "documented", "; ".join(why))
    return out


def headlines(evidence: Evidence, knobs: Knobs) -> dict[str, dict[str, Any]]:
    kafka, kinesis = seconds(evidence, "kafka"), seconds(evidence, "kinesis")
    return {"kafka_add_partitions_s": headline(None if kafka is None else round(kafka, 2), "s", "measured",
                                               "Kafka: add partitions (3 to 6)"),
            "kinesis_reshard_s": headline(None if kinesis is None else round(kinesis, 2), "s", "emulated",
                                          "Kinesis UpdateShardCount 2 to 4 (emulator locally)")}
