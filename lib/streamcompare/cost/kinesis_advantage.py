"""Kinesis Data Streams On-demand Advantage (launched 2025-11-03): per-GB prices and a commitment floor.

Prices (AWS Big Data Blog, 2026-03-09, us-east-1; FACTS.md): no stream-hour charge; data in and data
retrieval (shared or enhanced fan-out) per GB; retention beyond 24 h per GB-month. The account commits to at
least 25 MiB/s of ingest and 25 MiB/s of retrieval for at least 24 hours: the shortfall below that floor is
billed at the normal per-GB rates and shown as its own line item, so a small stream shows why it costs more.
"""

from __future__ import annotations

from .estimate import CostEstimate, LineItem, gb_line, gb_note, ops_line, ops_note
from .kinesis_models import (
    BASE_RETENTION_H,
    COMMON_NOTES,
    compression_note,
    on_demand_billed_in_bytes,
    retention_notes,
    units_note,
)
from .prices import PriceTable
from .scenario import Scenario

NAME = "kinesis-on-demand-advantage"
COMMIT_BYTES_PER_S = 25 * 2**20
"""The commitment floor: 25 MiB/s of ingest and 25 MiB/s of retrieval (FACTS.md, AWS Big Data Blog)."""
COMMIT_MIN_HOURS = 24.0
"""The commitment lasts at least 24 hours (FACTS.md)."""
MAX_EFO_CONSUMERS_ADVANTAGE = 50

DATA_IN, DATA_OUT, EFO_OUT, RETENTION = ("kinesis-advantage-data-in", "kinesis-advantage-data-out",
                                         "kinesis-advantage-efo-data-out", "kinesis-advantage-retention")


def _mib_s(bytes_per_s: float) -> str:
    return f"{bytes_per_s / 2**20:,.2f} MiB/s"


def commitment_lines(scenario: Scenario, prices: PriceTable, billed_in_bytes: float,
                     retrieved_bytes: float) -> list[LineItem]:
    """The floor's shortfall for ingest and retrieval over the scenario's hours, then the 24-hour minimum.

    Shortfall = max(0, 25 MiB/s x hours x 3,600 - bytes billed); a zero line is kept so the floor is visible.
    If the scenario covers less than 24 h, the rest of the 24 hours is billed at the floor as its own lines.
    """
    s, gbb = scenario, scenario.sizing.gb_bytes
    floor = COMMIT_BYTES_PER_S * s.seconds_per_month
    out_key = EFO_OUT if s.efo and s.consumers else DATA_OUT
    in_rate, out_rate = billed_in_bytes / s.seconds_per_month, retrieved_bytes / s.seconds_per_month
    items = [
        gb_line(prices, DATA_IN, f"commitment floor, ingest (25 MiB/s committed, the stream bills "
                f"{_mib_s(in_rate)})", max(0.0, floor - billed_in_bytes), gbb,
                note="Billed ingest below 25 MiB/s is charged up to the floor."),
        gb_line(prices, out_key, f"commitment floor, retrieval (25 MiB/s committed, consumers read "
                f"{_mib_s(out_rate)})", max(0.0, floor - retrieved_bytes), gbb,
                note="Retrieval (shared and enhanced fan-out) below 25 MiB/s is charged up to the floor."),
    ]
    short_h = COMMIT_MIN_HOURS - s.hours_per_month
    if short_h > 0:
        rest = COMMIT_BYTES_PER_S * short_h * 3600
        items += [
            gb_line(prices, DATA_IN, f"24-hour minimum, ingest ({short_h:g} h at 25 MiB/s beyond the "
                    f"scenario's {s.hours_per_month:g} h)", rest, gbb),
            gb_line(prices, out_key, f"24-hour minimum, retrieval ({short_h:g} h at 25 MiB/s beyond the "
                    f"scenario's {s.hours_per_month:g} h)", rest, gbb),
        ]
    return items


def kinesis_on_demand_advantage(scenario: Scenario, prices: PriceTable) -> CostEstimate:
    """Data in (records rounded up to 1 KB), data out or EFO out, retention beyond 24 h, the commitment floor."""
    s, gbb = scenario, scenario.sizing.gb_bytes
    billed_kb, billed_in_bytes = on_demand_billed_in_bytes(s)
    retrieved_bytes = s.consumers * s.kinesis_bytes_per_s * s.seconds_per_month
    items: list[LineItem | None] = [
        gb_line(prices, DATA_IN, f"data in ({billed_kb} KB billed per record of {s.kinesis_record_bytes} B)",
                billed_in_bytes, gbb, note=f"records/s x {billed_kb} x {s.sizing.kinesis_kb_bytes:,} B."),
    ]
    if s.consumers:
        kind = "enhanced fan-out" if s.efo else "shared"
        items.append(gb_line(prices, EFO_OUT if s.efo else DATA_OUT, f"data out ({s.consumers} {kind} consumers)",
                             retrieved_bytes, gbb))
    items += commitment_lines(s, prices, billed_in_bytes, retrieved_bytes)
    extra_h = s.retention_hours - BASE_RETENTION_H
    if extra_h > 0:
        items.append(gb_line(prices, RETENTION, f"retention ({extra_h:g} h beyond 24 h)",
                             s.kinesis_bytes_per_s * extra_h * 3600, gbb))
    items.append(ops_line(s, NAME))
    floor_in = billed_in_bytes >= COMMIT_BYTES_PER_S * s.seconds_per_month
    floor_out = retrieved_bytes >= COMMIT_BYTES_PER_S * s.seconds_per_month
    notes = [
        "On-demand Advantage (launched 2025-11-03): no stream-hour charge; prices from AWS's Big Data Blog "
        "(2026-03-09, us-east-1) as quoted in FACTS.md, marked unverified until read from the Price List API.",
        f"Commitment: the account is billed for at least 25 MiB/s of ingest and 25 MiB/s of retrieval for at "
        f"least 24 h (AWS: 'about $100 a day'); here ingest is {'above' if floor_in else 'BELOW'} the floor and "
        f"retrieval is {'above' if floor_out else 'BELOW'} it. The commitment is per account and Region: other "
        "streams count toward it; modelled as if this stream were the only one.",
        "Advantage is an account-level mode: every on-demand stream in the account switches to it.",
        "Records are assumed to round up to 1 KB as in on-demand Standard (AWS's blog does not say otherwise).",
        f"Up to {MAX_EFO_CONSUMERS_ADVANTAGE} enhanced fan-out consumers per stream under Advantage; the scenario "
        "keeps the Standard limit of 20 because the other Kinesis options share it.",
        units_note(s), compression_note(s), gb_note(gbb), *retention_notes(s), *COMMON_NOTES, ops_note(s),
    ]
    sizing = {"streams": 1, "billed_kb_per_record": billed_kb, "records_per_s": s.records_per_s,
              "commit_mib_per_s": 25, "ingest_above_floor": floor_in, "retrieval_above_floor": floor_out}
    return CostEstimate.from_items(NAME, items, sizing, notes)
