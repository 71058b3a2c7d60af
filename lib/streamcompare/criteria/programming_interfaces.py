"""02_programming_interfaces: the code each system needs, what each API offers, and client CPU per record.

The code shown is the kit's own driver code (so it cannot drift from what was measured); the API
comparison is documented; client CPU per record is measured in this process on the target (on the
local stack the Kinesis server is an emulator, but boto3's signing and HTTP cost on the client is real).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pandas as pd

from streamcompare.criteria.contract import (
    OPTIONS,
    Context,
    Markdown,
    Scenario,
    Score,
    Table,
    View,
    clamp,
    experiment,
    knob,
)
from streamcompare.headlines import headline
from streamcompare.probes.client_cpu import client_cpu_per_record
from streamcompare.reference import comparison
from streamcompare.reference.code_samples import code_samples

NAME = "interfaces"
TITLE = "Programming interfaces"
EXPERIMENT = "client-cpu"
CPU_VARIANTS = (("kafka", {"acks": "all"}), ("kinesis", {"producer_mode": "put_record"}),
                ("kinesis", {"producer_mode": "put_records"}), ("kinesis", {"producer_mode": "aggregated"}))


@dataclass(frozen=True)
class Knobs:
    write_records_per_s: float = knob(5000.0, "write rate", unit="records/s", low=10, high=1_000_000, log=True)
    needs_exactly_once: bool = knob(False, "needs exactly-once (transactions)")
    needs_plain_http: bool = knob(False, "clients can only speak HTTP")


@dataclass(frozen=True)
class Evidence:
    cpu: pd.DataFrame           # system, mode, records, acked, cpu_us_per_record, records_per_s, emulator
    documented: pd.DataFrame
    documented_scores: dict[str, float]
    as_of: str


def collect(ctx: Context) -> Evidence:
    """Live: client CPU per record for each producer variant, stored; replay: that run's stored rows."""
    records = int(ctx.options.get("cpu_records", 1000))

    def measure() -> list[dict[str, Any]]:
        rows = []
        for system, settings in CPU_VARIANTS:
            synchronous = settings.get("producer_mode") == "put_record"  # a round trip per record: keep it short
            count = max(100, records // 5) if synchronous else records
            row = client_cpu_per_record(ctx.target, system, settings, records=count,
                                        replication_factor=ctx.workload.replication_factor)
            rows.append({**row, "emulator": ctx.emulated(system)})
        return rows

    rows = experiment(ctx, EXPERIMENT, measure, settings={"records": records})
    return Evidence(pd.DataFrame(rows), comparison.table("interfaces"), comparison.documented_scores("interfaces"),
                    comparison.as_of())


def cpu_table(evidence: Evidence, knobs: Knobs) -> pd.DataFrame:
    """CPU per record and the client cores each variant would need at the chosen write rate."""
    if evidence.cpu.empty:
        return pd.DataFrame()
    frame = evidence.cpu
    return pd.DataFrame({
        "system": frame["system"], "producer": frame["mode"], "records": frame["records"],
        "client CPU per record (µs)": frame["cpu_us_per_record"].astype(float).round(1),
        "records/s in this test": frame["records_per_s"].astype(float).round(0),
        f"client cores at {knobs.write_records_per_s:,.0f} records/s":
            (frame["cpu_us_per_record"].astype(float) * knobs.write_records_per_s / 1e6).round(2),
        "server": ["emulator" if e else "real" for e in frame.get("emulator", [False] * len(frame))]})


def cpu_of(evidence: Evidence, system: str, mode_prefix: str) -> float | None:
    frame = evidence.cpu
    if frame.empty:
        return None
    match = frame[(frame.system == system) & frame["mode"].astype(str).str.startswith(mode_prefix)]
    return None if match.empty else float(match.cpu_us_per_record.iloc[0])


def view(evidence: Evidence, knobs: Knobs) -> View:
    blocks: list[Any] = [Markdown("## Producer and consumer code, side by side")]
    blocks += [Markdown(f"**{row.system}: {row.operation}**\n\n```python\n{row.code}```")
               for row in code_samples().itertuples()]
    blocks += [Markdown("## What each API offers"),
               Table(evidence.documented, f"Documented comparison (as of {evidence.as_of}); sources per row"),
               Markdown("## Client CPU per record (measured on the target)")]
    table = cpu_table(evidence, knobs)
    blocks.append(Table(table, "CPU time of this Python process per acknowledged record") if not table.empty else
                  Markdown("No client CPU measurement in this run."))
    return View(tuple(blocks), verdict(evidence, knobs))


def verdict(evidence: Evidence, knobs: Knobs) -> str:
    lines = ["**Verdict (interfaces).** Kafka's clients batch, order, deduplicate and coordinate consumers on their "
             "own; Kinesis needs PutRecords batching or the KPL and a lease table (KCL) for the same, and offers no "
             "transactions, but speaks plain HTTPS."]
    kafka, kinesis = cpu_of(evidence, "kafka", "acks"), cpu_of(evidence, "kinesis", "put_records")
    if kafka is not None and kinesis is not None:
        rate = knobs.write_records_per_s
        lines.append(f"At {rate:,.0f} records/s the measured clients need about {kafka * rate / 1e6:.2f} cores "
                     f"(Kafka) and {kinesis * rate / 1e6:.2f} cores (Kinesis PutRecords, boto3).")
    if knobs.needs_exactly_once:
        lines.append("Exactly-once is needed: only Kafka offers it (idempotent producer and transactions).")
    if knobs.needs_plain_http:
        lines.append("Clients that only speak HTTP reach Kinesis directly; Kafka needs an HTTP proxy to run.")
    return " ".join(lines)


def scores(evidence: Evidence, knobs: Knobs) -> dict[str, Score]:
    """Documented judgement, minus 3 for Kinesis when exactly-once is needed, minus 2 for Kafka when clients
    can only speak HTTP, minus 1 for an option whose measured client needs more than one core at the rate."""
    out = {}
    for option in OPTIONS:
        value = evidence.documented_scores[option]
        why = [f"documented judgement {value:g}"]
        kafka_like = option != "kinesis"
        if knobs.needs_exactly_once and not kafka_like:
            value -= 3
            why.append("no transactions (-3)")
        if knobs.needs_plain_http and kafka_like:
            value -= 2
            why.append("needs an HTTP proxy (-2)")
        cpu = cpu_of(evidence, "kafka", "acks") if kafka_like else cpu_of(evidence, "kinesis", "put_records")
        if cpu is not None and cpu * knobs.write_records_per_s / 1e6 > 1:
            value -= 1
            why.append(f"measured client needs {cpu * knobs.write_records_per_s / 1e6:.1f} cores (-1)")
        out[option] = Score(clamp(value), "documented", "; ".join(why))
    return out


def headlines(evidence: Evidence, knobs: Knobs) -> dict[str, dict[str, Any]]:
    kafka, kinesis = cpu_of(evidence, "kafka", "acks"), cpu_of(evidence, "kinesis", "put_records")
    return {"kafka_cpu_us_per_record": headline(None if kafka is None else round(kafka, 1), "µs", "measured",
                                                "Kafka client CPU per record"),
            "kinesis_batch_cpu_us_per_record": headline(None if kinesis is None else round(kinesis, 1), "µs",
                                                        "measured", "Kinesis PutRecords client CPU per record")}


def apply_scenario(knobs: Knobs, scenario: Scenario) -> Knobs:
    """The decision's scenario as this page's knobs, within their range (contract.TakesScenario)."""
    return dataclasses.replace(knobs, write_records_per_s=min(max(scenario.mean_records_per_s, 10.0), 1_000_000.0),
                               needs_exactly_once=scenario.exactly_once)
