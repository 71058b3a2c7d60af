"""Refresh a price table from the AWS Price List API (boto3 `pricing`), writing a new dated file.

Each key of the newest table for the region is looked up with the filters below; a key counts as
refreshed only when the API returns exactly one distinct on-demand price. Keys that find nothing (or more
than one price) are carried over unchanged from the previous file of the same region and say so in
their note; for a region with no file yet, they are written as not priced (usd: null).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from streamcompare.errors import ConfigError

from .prices import Price, PriceTable, load_price_table, price_files, pricing_dir

PRICING_API_REGION = "us-east-1"  # the Price List API is served from us-east-1 (also eu-central-1, ap-south-1)
Filter = tuple[str, str, str]  # (Type, Field, Value) as the GetProducts API takes them


@dataclass(frozen=True)
class PriceQuery:
    """How to find one price: a service, attribute filters, and a scale to the table's unit."""

    service_code: str
    filters: tuple[Filter, ...]
    scale: float = 1.0  # multiply the API's per-unit price by this (1e6 for "per million")
    region_fields: tuple[str, ...] = ("regionCode",)


def _kinesis(operation: str, usagetype: str | None = None) -> PriceQuery:
    filters: tuple[Filter, ...] = (("TERM_MATCH", "operation", operation),)
    if usagetype:
        filters += (("CONTAINS", "usagetype", usagetype),)
    return PriceQuery("AmazonKinesis", filters)


def _ec2_instance(instance: str) -> PriceQuery:
    return PriceQuery("AmazonEC2", (
        ("TERM_MATCH", "instanceType", instance), ("TERM_MATCH", "operatingSystem", "Linux"),
        ("TERM_MATCH", "tenancy", "Shared"), ("TERM_MATCH", "preInstalledSw", "NA"),
        ("TERM_MATCH", "capacitystatus", "Used"), ("TERM_MATCH", "licenseModel", "No License required")))


def _msk(usagetype: str) -> PriceQuery:
    return PriceQuery("AmazonMSK", (("CONTAINS", "usagetype", usagetype),))


QUERIES: dict[str, PriceQuery] = {
    "kinesis-shard-hour": _kinesis("shardHourStorage", "Storage-ShardHour"),
    "kinesis-put-payload-units": PriceQuery("AmazonKinesis", (("TERM_MATCH", "operation", "PutRequest"),
                                                              ("CONTAINS", "usagetype", "PutRequestPayloadUnits")),
                                            scale=1e6),
    "kinesis-extended-retention-shard-hour": _kinesis("shardHourStorage", "Extended-ShardHour"),
    "kinesis-long-term-retention": _kinesis("LongTermRetentionByteHrs"),
    "kinesis-long-term-retrieval": _kinesis("LongTermRetentionDataRetrieval"),
    "kinesis-efo-consumer-shard-hour": _kinesis("ConsumerHour"),
    "kinesis-efo-retrieval": _kinesis("EnhancedFanoutDataRetrieval"),
    "kinesis-on-demand-stream-hour": _kinesis("OnDemandStreamHr"),
    "kinesis-on-demand-data-in": _kinesis("OnDemandDataIngested"),
    "kinesis-on-demand-data-out": _kinesis("OnDemandDataRetrieval"),
    "kinesis-on-demand-efo-data-out": _kinesis("OnDemandEFODataRetrieval"),
    "kinesis-on-demand-extended-retention": _kinesis("OnDemandExtendedRetentionByteHrs"),
    "kinesis-on-demand-long-term-retention": _kinesis("OnDemandLongTermRetentionByteHrs"),
    "msk-broker-kafka.m5.large-hour": _msk("Kafka.m5.large"),
    "msk-broker-kafka.m5.xlarge-hour": _msk("Kafka.m5.xlarge"),
    "msk-broker-kafka.t3.small-hour": _msk("Kafka.t3.small"),
    "msk-storage": PriceQuery("AmazonMSK", (("TERM_MATCH", "storageFamily", "GP2"),)),
    "msk-express-broker-express.m7g.large-hour": _msk("express.m7g.large"),
    "ec2-m5.large-hour": _ec2_instance("m5.large"),
    "ec2-m5.xlarge-hour": _ec2_instance("m5.xlarge"),
    "ebs-gp3-storage": PriceQuery("AmazonEC2", (("TERM_MATCH", "productFamily", "Storage"),
                                                ("TERM_MATCH", "volumeApiName", "gp3"))),
    "ebs-gp3-iops": PriceQuery("AmazonEC2", (("TERM_MATCH", "productFamily", "System Operation"),
                                             ("TERM_MATCH", "volumeApiName", "gp3"))),
    "ebs-gp3-throughput": PriceQuery("AmazonEC2", (("TERM_MATCH", "productFamily", "Provisioned Throughput"),
                                                   ("TERM_MATCH", "volumeApiName", "gp3"))),
    "data-transfer-cross-az": PriceQuery("AWSDataTransfer", (("TERM_MATCH", "transferType", "IntraRegion"),),
                                         region_fields=("fromRegionCode", "toRegionCode")),
}
"""Best-effort filters; a key whose filters match nothing is carried over, never guessed."""


@dataclass(frozen=True)
class FoundPrice:
    usd: float
    api_unit: str
    sku: str


def _on_demand_prices(product_json: str) -> list[tuple[float, str, str]]:
    product = json.loads(product_json)
    sku = product.get("product", {}).get("sku", "?")
    found = []
    for term in product.get("terms", {}).get("OnDemand", {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            if str(dimension.get("beginRange", "0")) != "0":
                continue  # tiered prices: the first tier applies to the volumes modelled here
            found.append((float(dimension["pricePerUnit"]["USD"]), dimension.get("unit", ""), sku))
    return found


def fetch_price(client: Any, query: PriceQuery, region: str) -> FoundPrice | None:
    """The single on-demand price matching `query` in `region`, or None if none or several match."""
    filters = [{"Type": t, "Field": f, "Value": v} for t, f, v in query.filters]
    filters += [{"Type": "TERM_MATCH", "Field": field, "Value": region} for field in query.region_fields]
    prices: list[tuple[float, str, str]] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"ServiceCode": query.service_code, "Filters": filters,
                                  "FormatVersion": "aws_v1", "MaxResults": 100}
        if token:
            kwargs["NextToken"] = token
        response = client.get_products(**kwargs)
        for item in response.get("PriceList", []):
            prices.extend(_on_demand_prices(item))
        token = response.get("NextToken")
        if not token:
            break
    distinct = {usd for usd, _, _ in prices}
    if len(distinct) != 1:
        return None
    usd, unit, sku = prices[0]
    return FoundPrice(usd * query.scale, unit, sku)


@dataclass(frozen=True)
class RefreshResult:
    path: Path
    refreshed: tuple[str, ...]
    carried_over: tuple[str, ...]


def _pricing_client() -> Any:
    import boto3

    session = boto3.Session()
    if session.get_credentials() is None:
        raise ConfigError("no AWS credentials found, so the Price List API cannot be called",
                          field="credentials",
                          fix="configure credentials allowed pricing:GetProducts (aws configure, AWS_PROFILE "
                              "or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or keep using the stored price files")
    return session.client("pricing", region_name=PRICING_API_REGION)


def _template(region: str, directory: Path) -> tuple[PriceTable, bool]:
    """The newest table of `region` (carry-over allowed), else of us-east-1 (its keys only)."""
    own = price_files(region, directory)
    if own:
        return load_price_table(own[-1]), True
    others = price_files(PRICING_API_REGION, directory)
    if not others:
        raise ConfigError(f"no price file in {directory} to take the list of prices from", field="prices",
                          fix="restore data/pricing/aws-us-east-1-2024-07-01.yaml")
    return load_price_table(others[-1]), False


def refresh_prices(region: str, *, client: Any | None = None, directory: Path | None = None,
                   today: date | None = None) -> RefreshResult:
    """Write data/pricing/aws-<region>-<today>.yaml from the Price List API; never overwrite a file."""
    folder = directory or pricing_dir()
    day = today or date.today()
    target = folder / f"aws-{region}-{day.isoformat()}.yaml"
    if target.exists():
        raise ConfigError(f"{target.name} already exists", field="prices",
                          fix="price files are never overwritten: move it aside to refresh again today")
    base, same_region = _template(region, folder)
    api = client or _pricing_client()
    entries, refreshed, carried = [], [], []
    for key, old in base.prices.items():
        query = QUERIES.get(key)
        found = fetch_price(api, query, region) if query else None
        if query and found:
            refreshed.append(key)
            entries.append(_refreshed_entry(old, query, found, day))
        elif same_region:
            carried.append(key)
            why = "no filters defined" if not query else "no single match in the Price List API"
            note = f"carried over from {base.path.name if base.path else 'previous table'} ({why} on {day})"
            entries.append(_entry(old, note=f"{old.note}; {note}" if old.note else note))
        else:
            carried.append(key)
            entries.append(_entry(old, usd=None, as_of=day, verified=False, source="not found",
                                  note=f"not found in the Price List API for {region} on {day}"))
    _write(target, region, day, entries)
    return RefreshResult(target, tuple(refreshed), tuple(carried))


def _refreshed_entry(old: Price, query: PriceQuery, found: FoundPrice, day: date) -> dict[str, Any]:
    filters = ", ".join(f"{field}={value}" for _, field, value in query.filters)
    scaled = f"; API price x {query.scale:g}" if query.scale != 1 else ""
    return _entry(old, usd=found.usd, as_of=day, verified=True,
                  source=f"AWS Price List API ({query.service_code}: {filters}; sku {found.sku}, "
                         f"API unit {found.api_unit})",
                  note=f"refreshed {day.isoformat()}{scaled}")


def _entry(old: Price, **changes: Any) -> dict[str, Any]:
    entry = {"key": old.key, "usd": old.usd, "unit": old.unit, "source": old.source, "as_of": old.as_of,
             "verified": old.verified, "note": old.note}
    entry.update(changes)
    return entry


def _write(path: Path, region: str, day: date, entries: list[dict[str, Any]]) -> None:
    header = (f"# AWS prices for streamcompare, region {region}, written by `streamcompare prices refresh`\n"
              f"# on {day.isoformat()} from the AWS Price List API. Entries that could not be refreshed say so\n"
              "# in their note and keep their old source and date. Units: GB follows the scenario's sizing.gb_bytes\n"
              "# (docs/cost-model.md); GiB = 2^30 bytes.\n")
    body = {"schema_version": 1, "region": region, "prices_date": day, "captured_from":
            f"AWS Price List API (boto3 pricing.get_products) on {day.isoformat()}", "last_checked": day,
            "last_checked_note": "written by streamcompare prices refresh", "currency": "USD", "prices": entries}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x") as handle:  # "x": never overwrite
        handle.write(header)
        yaml.safe_dump(body, handle, sort_keys=False, allow_unicode=True, width=110)
