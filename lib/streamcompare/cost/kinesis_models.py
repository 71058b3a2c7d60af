"""Kinesis Data Streams cost models: provisioned (shards) and on-demand Standard (per GB).

Kinesis bills the bytes the producer sends: it does not compress. `compression_ratio` counts here only when
`kinesis_client_compression` says the producers compress each record themselves.
"""

from __future__ import annotations

import math

from .estimate import CostEstimate, LineItem, gb_line, gb_note, ops_line, ops_note, priced_line
from .prices import PriceTable
from .scenario import Scenario
from .sizing import kinesis_shards

BASE_RETENTION_H = 24.0  # included in every stream; Kinesis cannot keep less
EXTENDED_RETENTION_MAX_H = 168.0  # 7 days; older data is long-term retention

COMMON_NOTES = (
    "Kinesis charges nothing for data transfer in and out within the region (FACTS.md, older pricing page); "
    "VPC interface endpoints (PrivateLink) would add charges not modelled here.",
    "Reads of data older than 7 days (replays) would add kinesis-long-term-retrieval per GB; not assumed.",
)


def units_note(scenario: Scenario) -> str:
    """The '1 KB' of record rounding and the record size the rounding is applied to."""
    kb = scenario.sizing.kinesis_kb_bytes
    kind = ("binary, as AWS's Kinesis pricing page defines it" if kb == 1024
            else "decimal; AWS's pricing page says 1 KB = 1,024 bytes")
    return (f"Billing rounding uses 1 KB = {kb:,} bytes ({kind}; sizing.kinesis_kb_bytes); records are assumed "
            f"to be all {scenario.kinesis_record_bytes:,} bytes as sent (rounding a mix of sizes costs more than "
            "rounding the average).")


def compression_note(scenario: Scenario) -> str:
    """What `compression_ratio` does (and does not do) to a Kinesis bill."""
    s = scenario
    if s.compression_ratio == 1:
        return ("No compression assumed (compression_ratio 1). Kinesis bills the bytes the producer sends; it "
                "does not compress.")
    if not s.kinesis_client_compression:
        return (f"compression_ratio {s.compression_ratio:g} is NOT applied: Kinesis bills the bytes the producer "
                "sends and does not compress; set kinesis_client_compression: true if your producers compress "
                "each record themselves.")
    return (f"Producers compress each record themselves ({s.avg_record_bytes:,} B -> {s.kinesis_record_bytes:,} "
            f"B, ratio {s.compression_ratio:g}); Kinesis bills the compressed bytes. A record that still rounds "
            "up to the same number of KB saves nothing on on-demand data in.")


def retention_notes(scenario: Scenario) -> list[str]:
    if scenario.retention_hours < BASE_RETENTION_H:
        return [f"Kinesis keeps at least 24 h; retention_hours={scenario.retention_hours:g} is priced as 24 h."]
    return []


def long_term_bytes(scenario: Scenario) -> float:
    """Average bytes stored beyond 7 days in steady state (bytes-month over a month)."""
    beyond_h = max(0.0, scenario.retention_hours - EXTENDED_RETENTION_MAX_H)
    return scenario.kinesis_bytes_per_s * beyond_h * 3600


def long_term_gb_month(scenario: Scenario) -> float:
    """Average GB (the scenario's GB) stored beyond 7 days in steady state (= GB-month over a month)."""
    return long_term_bytes(scenario) / scenario.sizing.gb_bytes


def on_demand_billed_in_bytes(scenario: Scenario) -> tuple[int, float]:
    """(KB billed per record, bytes billed per month): each record as sent, rounded up to whole KB."""
    s, kb = scenario, scenario.sizing.kinesis_kb_bytes
    billed_kb = math.ceil(s.kinesis_record_bytes / kb)
    return billed_kb, s.records_per_s * s.seconds_per_month * billed_kb * kb


def kinesis_provisioned(scenario: Scenario, prices: PriceTable) -> CostEstimate:
    """Shard-hours, PUT payload units (25 KB chunks), extended/long-term retention, enhanced fan-out."""
    s, kb, gbb = scenario, scenario.sizing.kinesis_kb_bytes, scenario.sizing.gb_bytes
    shards = kinesis_shards(s.kinesis_bytes_per_s, s.kinesis_record_bytes, s.consumers, s.efo, s.sizing.headroom)
    shard_hours = shards.shards * s.hours_per_month
    units_per_record = math.ceil(s.kinesis_record_bytes / (25 * kb))
    put_units_millions = s.records_per_s * s.seconds_per_month * units_per_record / 1e6
    items: list[LineItem | None] = [
        priced_line(prices, "kinesis-shard-hour", f"shard-hours ({shards.shards} shards x "
                    f"{s.hours_per_month:g} h)", shard_hours),
        priced_line(prices, "kinesis-put-payload-units",
                    f"PUT payload units ({units_per_record} per record of {s.kinesis_record_bytes} B, "
                    f"{s.records_per_s:,.0f} records/s)", put_units_millions,
                    note=f"one unit per {25 * kb:,}-byte chunk (25 KB, 1 KB = {kb:,} B), rounded up"),
    ]
    if s.retention_hours > BASE_RETENTION_H:
        items.append(priced_line(prices, "kinesis-extended-retention-shard-hour",
                                 "extended retention 24 h to 7 d (shard-hours)", shard_hours))
    if s.retention_hours > EXTENDED_RETENTION_MAX_H:
        items.append(gb_line(prices, "kinesis-long-term-retention", "long-term retention beyond 7 d",
                             long_term_bytes(s), gbb))
    efo_consumers = s.consumers if s.efo else 0
    if efo_consumers:
        items.append(priced_line(prices, "kinesis-efo-consumer-shard-hour",
                                 f"enhanced fan-out ({efo_consumers} consumers x {shards.shards} shards x "
                                 f"{s.hours_per_month:g} h)", efo_consumers * shard_hours))
        items.append(gb_line(prices, "kinesis-efo-retrieval", "enhanced fan-out data retrieved",
                             efo_consumers * s.kinesis_bytes_per_s * s.seconds_per_month, gbb))
    items.append(ops_line(s, "kinesis-provisioned"))
    notes = [*shards.notes, f"Shard count decided by: {shards.binding}.", units_note(s), compression_note(s),
             gb_note(gbb), *retention_notes(s), *COMMON_NOTES, ops_note(s)]
    return CostEstimate.from_items("kinesis-provisioned", items,
                                   {**shards.as_dict(), "put_units_per_record": units_per_record}, notes)


def kinesis_on_demand(scenario: Scenario, prices: PriceTable) -> CostEstimate:
    """Stream-hours, data in (each record rounded up to 1 KB), data out or EFO out, retention per GB."""
    s, gbb = scenario, scenario.sizing.gb_bytes
    billed_kb, billed_in_bytes = on_demand_billed_in_bytes(s)
    month_bytes = s.kinesis_bytes_per_s * s.seconds_per_month
    items: list[LineItem | None] = [
        priced_line(prices, "kinesis-on-demand-stream-hour", "stream-hours (1 stream)", s.hours_per_month),
        gb_line(prices, "kinesis-on-demand-data-in",
                f"data in ({billed_kb} KB billed per record of {s.kinesis_record_bytes} B)", billed_in_bytes, gbb,
                note=f"records/s x {billed_kb} x {s.sizing.kinesis_kb_bytes:,} B."),
    ]
    if s.consumers:
        key = "kinesis-on-demand-efo-data-out" if s.efo else "kinesis-on-demand-data-out"
        kind = "enhanced fan-out" if s.efo else "shared"
        items.append(gb_line(prices, key, f"data out ({s.consumers} {kind} consumers)",
                             s.consumers * month_bytes, gbb))
    extended_h = min(s.retention_hours, EXTENDED_RETENTION_MAX_H) - BASE_RETENTION_H
    if extended_h > 0:
        items.append(gb_line(prices, "kinesis-on-demand-extended-retention",
                             f"extended retention ({extended_h:g} h beyond 24 h)",
                             s.kinesis_bytes_per_s * extended_h * 3600, gbb))
    if s.retention_hours > EXTENDED_RETENTION_MAX_H:
        items.append(gb_line(prices, "kinesis-on-demand-long-term-retention",
                             "long-term retention beyond 7 d", long_term_bytes(s), gbb))
    items.append(ops_line(s, "kinesis-on-demand"))
    notes = [
        "On-demand: a new stream starts at 4 MB/s write / 8 MB/s read and adapts to about twice its 30-day "
        "peak; sudden bursts above that throttle. Per-stream maximums are not modelled.",
        "Data out is billed on bytes delivered to each consumer (not rounded); retention on bytes stored.",
        units_note(s), compression_note(s), gb_note(gbb), *retention_notes(s), *COMMON_NOTES, ops_note(s),
    ]
    sizing = {"streams": 1, "billed_kb_per_record": billed_kb, "records_per_s": s.records_per_s}
    return CostEstimate.from_items("kinesis-on-demand", items, sizing, notes)
