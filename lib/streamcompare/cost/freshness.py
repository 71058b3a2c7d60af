"""How old a price table is, and the warning every cost output shows when it is too old to trust.

Pure functions for the CLI, the cost page and the report index:

    price_table_age_days(table, today) -> int
    stale_prices_warning(table, today) -> str | None   # None while the table is at most 180 days old
    price_table_caption(table, today) -> str           # "Prices of 2024-07-01 (882 days old) ..." for any output
"""

from __future__ import annotations

from datetime import date

from .prices import PriceTable

STALE_AFTER_DAYS = 180
"""A price table older than this (by its prices_date) gets a warning with the refresh command."""


def refresh_command(region: str) -> str:
    """The command that writes a newer dated price file from the AWS Price List API."""
    return f"streamcompare prices refresh --region {region}"


def price_table_age_days(table: PriceTable, today: date) -> int:
    """Whole days from the table's date (its `prices_date`, the date of the bulk of its prices) to `today`."""
    return (today - table.prices_date).days


def _oldest_priced(table: PriceTable) -> date | None:
    dated = [p.as_of for p in table.prices.values() if p.priced]
    return min(dated) if dated else None


def stale_prices_warning(table: PriceTable, today: date, *, after_days: int = STALE_AFTER_DAYS) -> str | None:
    """A sentence naming the table's age and the refresh command when it is older than `after_days`, else None."""
    age = price_table_age_days(table, today)
    if age <= after_days:
        return None
    months = age * 12 // 365
    oldest = _oldest_priced(table)
    older = (f" Some entries are older still (oldest {oldest.isoformat()})."
             if oldest and oldest < table.prices_date else "")
    return (f"Prices are from {table.prices_date.isoformat()}, {age:,} days (about {months} months) old, more than "
            f"{after_days} days: AWS may have changed them.{older} Refresh with `{refresh_command(table.region)}` "
            "(needs AWS credentials allowed pricing:GetProducts), or check them in the AWS Pricing Calculator.")


def price_table_caption(table: PriceTable, today: date) -> str:
    """One line for any cost output: which prices, of which date, how old, and when they were last checked."""
    name = table.path.name if table.path else f"{table.region} price table"
    checked = f", last checked {table.last_checked.isoformat()}" if table.last_checked else ""
    return (f"Prices: {name}, prices of {table.prices_date.isoformat()} "
            f"({price_table_age_days(table, today):,} days old{checked}).")
