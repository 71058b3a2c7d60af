"""Dated price tables: one YAML file per region and date in data/pricing/ (`aws-<region>-<date>.yaml`).

Every price carries its unit, its source, the date it was read and whether it was verified, so each line
item of a cost estimate can be traced back to where its unit price came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from streamcompare.errors import ConfigError
from streamcompare.paths import data_dir
from streamcompare.validation import config_error
from streamcompare.yamlio import read_yaml

PRICE_FILE_PATTERN = re.compile(r"^aws-(?P<region>[a-z]{2}(?:-[a-z]+)+-\d)-(?P<date>\d{4}-\d{2}-\d{2})\.yaml$")
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Price:
    """One unit price: `usd` is None when the item is listed but not priced."""

    key: str
    usd: float | None
    unit: str
    source: str
    as_of: date
    verified: bool
    note: str = ""

    @property
    def priced(self) -> bool:
        return self.usd is not None


@dataclass(frozen=True)
class PriceTable:
    """All prices of one region as of one date, read from one file."""

    region: str
    prices_date: date
    path: Path | None
    captured_from: str
    last_checked: date | None
    prices: dict[str, Price]

    def get(self, key: str) -> Price:
        """The price for `key` (priced or not); a ConfigError names the missing key and the file."""
        try:
            return self.prices[key]
        except KeyError:
            where = self.path.name if self.path else f"the {self.region} price table"
            raise ConfigError(
                f"price {key!r} is missing from {where}", field="prices",
                fix=f"add an entry with key {key!r} (usd, unit, source, as_of, verified) to the price file, "
                    "or run `streamcompare prices refresh`",
            ) from None

    def usd(self, key: str) -> float:
        """The unit price in USD; a ConfigError if the item is listed but not priced."""
        price = self.get(key)
        if price.usd is None:
            raise ConfigError(f"price {key!r} is listed but not priced", field="prices",
                              fix="fill in its usd value with a source and date, or leave the option unpriced")
        return price.usd

    def unverified(self) -> list[str]:
        return sorted(k for k, p in self.prices.items() if not p.verified)


class _PriceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    key: str = Field(min_length=1)
    usd: float | None = Field(ge=0)
    unit: str = Field(min_length=1)
    source: str = Field(min_length=1)
    as_of: date
    verified: bool
    note: str = ""

    @field_validator("note", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value


class _PriceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = Field(ge=1, le=SCHEMA_VERSION)
    region: str
    prices_date: date
    captured_from: str
    last_checked: date | None = None
    last_checked_note: str = ""
    currency: str = "USD"
    prices: list[_PriceEntry] = Field(min_length=1)

    @field_validator("currency")
    @classmethod
    def _usd_only(cls, value: str) -> str:
        if value != "USD":
            raise ValueError("only USD price tables are supported")
        return value


def load_price_table(path: Path) -> PriceTable:
    """Read and validate one price file; errors name the file, the field and the fix."""
    raw = read_yaml(path, what="price file", field="prices", missing_fix="pass an existing file from data/pricing/")
    try:
        parsed = _PriceFile.model_validate(raw)
    except ValidationError as exc:
        error = config_error(exc, _PriceFile, default_field="prices", source=path.name,
                             default_fix="each entry needs key, usd (number or null), unit, source, as_of "
                                         "(YYYY-MM-DD) and verified (true/false)")
        raise ConfigError(error.message, field=f"prices.{error.field}" if error.field != "prices" else "prices",
                          fix=error.fix) from None
    keys = [entry.key for entry in parsed.prices]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ConfigError(f"{path.name}: duplicate price keys {duplicates}", field="prices",
                          fix="keep one entry per key")
    prices = {e.key: Price(e.key, e.usd, e.unit, e.source, e.as_of, e.verified, e.note) for e in parsed.prices}
    return PriceTable(parsed.region, parsed.prices_date, path, parsed.captured_from.strip(),
                      parsed.last_checked, prices)


def pricing_dir() -> Path:
    return data_dir() / "pricing"


def price_files(region: str, directory: Path | None = None) -> list[Path]:
    """Price files for `region`, oldest first (by the date in the file name)."""
    folder = directory or pricing_dir()
    found = []
    for path in folder.glob("aws-*.yaml") if folder.is_dir() else []:
        match = PRICE_FILE_PATTERN.match(path.name)
        if match and match["region"] == region:
            found.append((match["date"], path))
    return [path for _, path in sorted(found)]


def available_regions(directory: Path | None = None) -> list[str]:
    folder = directory or pricing_dir()
    names = (PRICE_FILE_PATTERN.match(p.name) for p in folder.glob("aws-*.yaml")) if folder.is_dir() else ()
    return sorted({m["region"] for m in names if m})


def latest_price_file(region: str, directory: Path | None = None) -> Path:
    """The newest price file for `region`; a ConfigError lists the regions that have prices."""
    files = price_files(region, directory)
    if not files:
        known = available_regions(directory)
        raise ConfigError(
            f"no price table for region {region!r}", field="region",
            fix=f"use one of: {', '.join(known) or '(none found)'}, or run "
                f"`streamcompare prices refresh --region {region}` with AWS credentials",
        )
    return files[-1]


def load_prices(region: str = "us-east-1", directory: Path | None = None) -> PriceTable:
    """The newest price table for `region`."""
    table = load_price_table(latest_price_file(region, directory))
    if table.region != region:
        raise ConfigError(f"{table.path}: file says region {table.region!r}, its name says {region!r}",
                          field="prices.region", fix="make the file name and its region field agree")
    return table
