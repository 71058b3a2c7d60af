"""Line items and cost estimates: every figure is quantity x unit price, and every price names its source."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from .prices import PriceTable
from .scenario import Scenario


@dataclass(frozen=True)
class LineItem:
    """One priced quantity. `verified` is None when the unit price is an assumption, not a price."""

    item: str
    quantity: float
    unit: str
    unit_usd: float
    source: str
    as_of: date | None = None
    verified: bool | None = None
    price_key: str | None = None
    note: str = ""
    monthly_usd: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "monthly_usd", self.quantity * self.unit_usd)

    def as_dict(self) -> dict[str, Any]:
        return {"item": self.item, "quantity": self.quantity, "unit": self.unit, "unit_usd": self.unit_usd,
                "monthly_usd": self.monthly_usd, "source": self.source,
                "as_of": self.as_of.isoformat() if self.as_of else None, "verified": self.verified,
                "price_key": self.price_key, "note": self.note}


def priced_line(prices: PriceTable, key: str, item: str, quantity: float, note: str = "") -> LineItem:
    """A line item whose unit and unit price come from the price table."""
    price = prices.get(key)
    return LineItem(item, quantity, price.unit, prices.usd(key), price.source, price.as_of, price.verified, key,
                    note)


def gb_text(gb_bytes: int) -> str:
    return "2^30 B" if gb_bytes == 2**30 else "10^9 B" if gb_bytes == 10**9 else f"{gb_bytes:,} B"


def gb_note(gb_bytes: int) -> str:
    """The GB assumption, stated on every line billed per GB (or GB-month)."""
    other = ("10^9 would make this line 7.4% higher" if gb_bytes == 2**30
             else "2^30 would make this line 6.9% lower")
    return (f"GB = {gb_text(gb_bytes)} (sizing.gb_bytes; AWS does not say which, its bills fit 2^30 better; "
            f"{other}).")


def gb_priced_line(prices: PriceTable, key: str, item: str, quantity_gb: float, gb_bytes: int,
                   note: str = "") -> LineItem:
    """A per-GB line whose quantity is already in the scenario's GB; its unit and note say which GB."""
    line = priced_line(prices, key, item, quantity_gb, " ".join(filter(None, (note, gb_note(gb_bytes)))))
    return replace(line, unit=f"{line.unit} [GB = {gb_text(gb_bytes)}]")


def gb_line(prices: PriceTable, key: str, item: str, bytes_: float, gb_bytes: int, note: str = "") -> LineItem:
    """A per-GB (or per-GB-month) line: `bytes_` converted with the scenario's GB, which its unit and note state."""
    return gb_priced_line(prices, key, item, bytes_ / gb_bytes, gb_bytes, note)


@dataclass(frozen=True)
class CostEstimate:
    """One deployment option's monthly cost: itemised, with sizing, assumptions and price caveats.

    `monthly_usd` is None when a price it needs is listed but not priced (see `unpriced`).
    """

    name: str
    monthly_usd: float | None
    sizing: Mapping[str, Any]
    line_items: tuple[LineItem, ...]
    notes: tuple[str, ...] = ()
    unverified_prices: tuple[str, ...] = ()
    unpriced: tuple[str, ...] = ()
    prices_date: date | None = None
    """The date of the price table used (the registry fills it in), so every output can show it."""

    @property
    def priced(self) -> bool:
        return self.monthly_usd is not None

    @property
    def uses_unverified_prices(self) -> bool:
        return bool(self.unverified_prices)

    @classmethod
    def from_items(cls, name: str, items: Iterable[LineItem | None], sizing: Mapping[str, Any],
                   notes: Iterable[str] = ()) -> CostEstimate:
        """Total = the exact sum of the line items; unverified price keys are collected from them."""
        kept = tuple(i for i in items if i is not None)
        unverified = tuple(sorted({i.price_key for i in kept if i.price_key and i.verified is False}))
        notes = tuple(notes)
        if unverified:
            notes += (f"Uses unverified prices: {', '.join(unverified)}.",)
        return cls(name, math.fsum(i.monthly_usd for i in kept), dict(sizing), kept, notes, unverified)

    @classmethod
    def not_priced(cls, name: str, missing: Iterable[str], sizing: Mapping[str, Any],
                   notes: Iterable[str] = ()) -> CostEstimate:
        missing = tuple(missing)
        why = f"Not priced: no verified price for {', '.join(missing)} in this price table."
        return cls(name, None, dict(sizing), (), (why, *notes), (), missing)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "monthly_usd": self.monthly_usd, "priced": self.priced,
                "sizing": dict(self.sizing), "line_items": [i.as_dict() for i in self.line_items],
                "notes": list(self.notes), "unverified_prices": list(self.unverified_prices),
                "unpriced": list(self.unpriced),
                "prices_date": self.prices_date.isoformat() if self.prices_date else None}


def ops_line(scenario: Scenario, option: str) -> LineItem | None:
    """Operational effort: engineer-hours per month x rate, both scenario assumptions; None if switched off."""
    ops = scenario.ops
    if not ops.include:
        return None
    hours = ops.hours_per_month.get(option, 0.0)
    return LineItem(f"operations effort ({hours:g} engineer-hours)", hours, "engineer-hour", ops.usd_per_hour,
                    "assumption: scenario ops.hours_per_month and ops.usd_per_hour (not a price)")


def ops_note(scenario: Scenario) -> str:
    if not scenario.ops.include:
        return "Operations effort excluded (ops.include = false)."
    return (f"Operations effort is an assumption (engineer-hours per month at ${scenario.ops.usd_per_hour:g}/h), "
            "not a measurement; set ops.hours_per_month or switch it off with ops.include = false.")


def gb(bytes_: float) -> float:
    """Decimal gigabytes (10^9 bytes). The models use `gb_line` with the scenario's `sizing.gb_bytes` instead."""
    return bytes_ / 1e9


def gib(bytes_: float) -> float:
    """Binary gibibytes (2^30 bytes), for prices quoted per GiB."""
    return bytes_ / 2**30
