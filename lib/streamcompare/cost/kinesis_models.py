"""Kinesis Data Streams cost models: provisioned (shards) and on-demand (per GB)."""

from __future__ import annotations

import math

from .estimate import CostEstimate, LineItem, gb, ops_line, ops_note, priced_line
from .prices import PriceTable
from .scenario import Scenario
from .sizing import kinesis_shards

BASE_RETENTION_H = 24.0  # included in every stream; Kinesis cannot keep less
EXTENDED_RETENTION_MAX_H = 168.0  # 7 days; older data is long-term retention

_COMMON_NOTES = (
    "Kinesis charges nothing for data transfer in and out within the region (FACTS.md, older pricing page); "
    "VPC interface endpoints (PrivateLink) would add charges not modelled here.",
    "Reads of data older than 7 days (replays) would add kinesis-long-term-retrieval per GB; not assumed.",
)


def _units_note(scenario: Scenario) -> str:
    kb = scenario.sizing.kinesis_kb_bytes
    kind = "decimal, as AWS's '1 MB record = 40 PUT payload units' implies" if kb == 1000 else "binary KiB"
    return (f"Billing rounding uses 1 KB = {kb} bytes ({kind}); records are assumed to be all "
            f"{scenario.avg_record_bytes} bytes (rounding a mix of sizes costs more than rounding the average).")


def _retention_notes(scenario: Scenario) -> list[str]:
    if scenario.retention_hours < BASE_RETENTION_H:
        return [f"Kinesis keeps at least 24 h; retention_hours={scenario.retention_hours:g} is priced as 24 h."]
    return []


def long_term_gb_month(scenario: Scenario) -> float:
    """Average GB stored beyond 7 days in steady state (= GB-month over a month)."""
    beyond_h = max(0.0, scenario.retention_hours - EXTENDED_RETENTION_MAX_H)
    return gb(scenario.write_bytes_per_s * beyond_h * 3600)


def kinesis_provisioned(scenario: Scenario, prices: PriceTable) -> CostEstimate:
    """Shard-hours, PUT payload units (25 KB chunks), extended/long-term retention, enhanced fan-out."""
    s, kb = scenario, scenario.sizing.kinesis_kb_bytes
    shards = kinesis_shards(s.write_bytes_per_s, s.avg_record_bytes, s.consumers, s.efo, s.sizing.headroom)
    shard_hours = shards.shards * s.hours_per_month
    units_per_record = math.ceil(s.avg_record_bytes / (25 * kb))
    put_units_millions = s.records_per_s * s.seconds_per_month * units_per_record / 1e6
    items: list[LineItem | None] = [
        priced_line(prices, "kinesis-shard-hour", f"shard-hours ({shards.shards} shards x "
                    f"{s.hours_per_month:g} h)", shard_hours),
        priced_line(prices, "kinesis-put-payload-units",
                    f"PUT payload units ({units_per_record} per record of {s.avg_record_bytes} B, "
                    f"{s.records_per_s:,.0f} records/s)", put_units_millions),
    ]
    if s.retention_hours > BASE_RETENTION_H:
        items.append(priced_line(prices, "kinesis-extended-retention-shard-hour",
                                 "extended retention 24 h to 7 d (shard-hours)", shard_hours))
    if s.retention_hours > EXTENDED_RETENTION_MAX_H:
        items.append(priced_line(prices, "kinesis-long-term-retention", "long-term retention beyond 7 d",
                                 long_term_gb_month(s)))
    efo_consumers = s.consumers if s.efo else 0
    if efo_consumers:
        items.append(priced_line(prices, "kinesis-efo-consumer-shard-hour",
                                 f"enhanced fan-out ({efo_consumers} consumers x {shards.shards} shards x "
                                 f"{s.hours_per_month:g} h)", efo_consumers * shard_hours))
        items.append(priced_line(prices, "kinesis-efo-retrieval", "enhanced fan-out data retrieved",
                                 efo_consumers * gb(s.write_bytes_per_s * s.seconds_per_month)))
    items.append(ops_line(s, "kinesis-provisioned"))
    notes = [*shards.notes, f"Shard count decided by: {shards.binding}.", _units_note(s),
             *_retention_notes(s), *_COMMON_NOTES, ops_note(s)]
    return CostEstimate.from_items("kinesis-provisioned", items,
                                   {**shards.as_dict(), "put_units_per_record": units_per_record}, notes)


def kinesis_on_demand(scenario: Scenario, prices: PriceTable) -> CostEstimate:
    """Stream-hours, data in (each record rounded up to 1 KB), data out or EFO out, retention per GB."""
    s, kb = scenario, scenario.sizing.kinesis_kb_bytes
    billed_kb = math.ceil(s.avg_record_bytes / kb)
    month_bytes = s.write_bytes_per_s * s.seconds_per_month
    billed_in_gb = gb(s.records_per_s * s.seconds_per_month * billed_kb * kb)
    items: list[LineItem | None] = [
        priced_line(prices, "kinesis-on-demand-stream-hour", "stream-hours (1 stream)", s.hours_per_month),
        priced_line(prices, "kinesis-on-demand-data-in",
                    f"data in ({billed_kb} KB billed per record of {s.avg_record_bytes} B)", billed_in_gb),
    ]
    if s.consumers:
        key = "kinesis-on-demand-efo-data-out" if s.efo else "kinesis-on-demand-data-out"
        kind = "enhanced fan-out" if s.efo else "shared"
        items.append(priced_line(prices, key, f"data out ({s.consumers} {kind} consumers)",
                                 s.consumers * gb(month_bytes)))
    extended_h = min(s.retention_hours, 168.0) - BASE_RETENTION_H
    if extended_h > 0:
        items.append(priced_line(prices, "kinesis-on-demand-extended-retention",
                                 f"extended retention ({extended_h:g} h beyond 24 h)",
                                 gb(s.write_bytes_per_s * extended_h * 3600)))
    if s.retention_hours > EXTENDED_RETENTION_MAX_H:
        items.append(priced_line(prices, "kinesis-on-demand-long-term-retention",
                                 "long-term retention beyond 7 d", long_term_gb_month(s)))
    items.append(ops_line(s, "kinesis-on-demand"))
    notes = [
        "On-demand: a new stream starts at 4 MB/s write / 8 MB/s read and adapts to about twice its 30-day "
        "peak; sudden bursts above that throttle. Per-stream maximums are not modelled.",
        "Data out is billed on bytes delivered to each consumer (not rounded); retention on bytes stored.",
        _units_note(s), *_retention_notes(s), *_COMMON_NOTES, ops_note(s),
    ]
    sizing = {"streams": 1, "billed_kb_per_record": billed_kb, "records_per_s": s.records_per_s}
    return CostEstimate.from_items("kinesis-on-demand", items, sizing, notes)
