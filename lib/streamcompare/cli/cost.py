"""`streamcompare cost` (itemised monthly cost of every option) and `streamcompare prices` (show, refresh)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from streamcompare.cost.estimate import CostEstimate, LineItem
from streamcompare.cost.freshness import price_table_age_days, price_table_caption, stale_prices_warning
from streamcompare.cost.models import COST_MODELS, estimate_all
from streamcompare.cost.prices import PriceTable, load_price_table, load_prices
from streamcompare.cost.refresh import refresh_prices
from streamcompare.cost.scenario import Scenario, load_scenario, scenario_from_dict
from streamcompare.errors import ConfigError
from streamcompare.paths import project_root

UNVERIFIED_MARK = "†"


def build_scenario(path: Path | None, flags: dict[str, Any], ops: dict[str, Any],
                   sizing: dict[str, Any]) -> Scenario:
    """A scenario file (or the defaults) with CLI flags applied on top; None flags are left alone."""
    data = load_scenario(path).model_dump() if path else {}
    data.update({k: v for k, v in flags.items() if v is not None})
    for section, values in (("ops", ops), ("sizing", sizing)):
        given = {k: v for k, v in values.items() if v is not None}
        if given:
            data[section] = {**data.get(section, {}), **given}
    return scenario_from_dict(data)


def cost_report(scenario: Scenario, prices: PriceTable, estimates: list[CostEstimate],
                today: date | None = None) -> dict[str, Any]:
    """The `--json` document: the scenario, the price table used (date, age, stale warning), every option."""
    day = today or date.today()
    return {
        "scenario": scenario.model_dump(mode="json"),
        "prices": {"file": _display_path(prices.path), "date": prices.prices_date.isoformat(),
                   "region": prices.region, "captured_from": prices.captured_from,
                   "last_checked": prices.last_checked.isoformat() if prices.last_checked else None,
                   "age_days": price_table_age_days(prices, day),
                   "stale_warning": stale_prices_warning(prices, day)},
        "options": [_option_json(e) for e in estimates],
    }


def _display_path(path: Path | None) -> str | None:
    """The price file relative to the checkout when it lives there (reports travel), else absolute."""
    if path is None:
        return None
    try:
        return str(path.resolve().relative_to(project_root()))
    except ValueError:
        return str(path)


def _option_json(estimate: CostEstimate) -> dict[str, Any]:
    data = estimate.as_dict()
    data["monthly_usd"] = round(estimate.monthly_usd, 2) if estimate.monthly_usd is not None else None
    for item in data["line_items"]:
        item["quantity"] = round(item["quantity"], 6)
        item["monthly_usd"] = round(item["monthly_usd"], 4)
    return data


def cost_command(
    scenario_file: Annotated[Path | None, typer.Option("--scenario", help="scenario YAML file")] = None,
    write_mb_per_s: Annotated[float | None, typer.Option(help="producer payload, MB/s (10^6 bytes)")] = None,
    avg_record_bytes: Annotated[int | None, typer.Option(help="average record size, bytes")] = None,
    consumers: Annotated[int | None, typer.Option(help="independent consumer applications")] = None,
    retention_hours: Annotated[float | None, typer.Option(help="retention, hours")] = None,
    efo: Annotated[bool | None, typer.Option("--efo/--no-efo", help="Kinesis enhanced fan-out")] = None,
    region: Annotated[str | None, typer.Option(help="AWS region (needs a price file)")] = None,
    availability_zones: Annotated[int | None, typer.Option(help="AZs clients and brokers span")] = None,
    replication_factor: Annotated[int | None, typer.Option(help="Kafka replication factor")] = None,
    partitions: Annotated[int | None, typer.Option(help="Kafka partitions")] = None,
    fetch_from_follower: Annotated[bool | None, typer.Option(
        "--fetch-from-follower/--no-fetch-from-follower", help="Kafka consumers read the closest replica")] = None,
    hours_per_month: Annotated[float | None, typer.Option(help="hours billed per month (730)")] = None,
    ops: Annotated[bool | None, typer.Option("--ops/--no-ops", help="include the operations-effort line")] = None,
    ops_usd_per_hour: Annotated[float | None, typer.Option(help="engineer-hour rate, USD")] = None,
    compression_ratio: Annotated[float | None, typer.Option(
        help="uncompressed / compressed bytes of producer batches (Kafka; Kinesis only with client compression)")
    ] = None,
    kinesis_client_compression: Annotated[bool | None, typer.Option(
        "--kinesis-client-compression/--no-kinesis-client-compression",
        help="Kinesis producers compress records themselves at compression-ratio")] = None,
    headroom: Annotated[float | None, typer.Option(help="spare fraction of every limit (0.2)")] = None,
    gb_bytes: Annotated[int | None, typer.Option(
        help="bytes in AWS's billed GB: 1073741824 (2^30, default) or 1000000000")] = None,
    kinesis_kb_bytes: Annotated[int | None, typer.Option(
        help="bytes in the 1 KB of Kinesis record rounding: 1024 (default) or 1000")] = None,
    broker_instance: Annotated[str | None, typer.Option(help="Kafka broker instance type")] = None,
    prices_file: Annotated[Path | None, typer.Option("--prices", help="price file (default: newest)")] = None,
    option: Annotated[list[str] | None, typer.Option("--option", help="only these options (repeat)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    itemise: Annotated[bool, typer.Option("--itemise/--summary", help="show line items")] = True,
    notes: Annotated[bool, typer.Option("--notes/--no-notes", help="show each option's assumptions")] = False,
) -> None:
    """Monthly cost of every deployment option, itemised from dated AWS prices."""
    scenario = build_scenario(
        scenario_file,
        {"write_mb_per_s": write_mb_per_s, "avg_record_bytes": avg_record_bytes, "consumers": consumers,
         "retention_hours": retention_hours, "efo": efo, "region": region,
         "availability_zones": availability_zones, "replication_factor": replication_factor,
         "partitions": partitions, "fetch_from_follower": fetch_from_follower, "hours_per_month": hours_per_month,
         "compression_ratio": compression_ratio, "kinesis_client_compression": kinesis_client_compression},
        {"include": ops, "usd_per_hour": ops_usd_per_hour},
        {"headroom": headroom, "broker_instance": broker_instance, "gb_bytes": gb_bytes,
         "kinesis_kb_bytes": kinesis_kb_bytes},
    )
    prices = load_price_table(prices_file) if prices_file else load_prices(scenario.region)
    if prices.region != scenario.region:
        raise ConfigError(f"price file is for {prices.region}, the scenario for {scenario.region}",
                          field="region", fix="pass a price file of the scenario's region")
    for name in option or []:
        COST_MODELS.get(name)  # unknown names fail with the list of options
    estimates = estimate_all(scenario, prices, names=option or None)
    today = date.today()
    if as_json:
        typer.echo(json.dumps(cost_report(scenario, prices, estimates, today), indent=2, allow_nan=False))  # strict
        return
    console = Console(width=None if sys.stdout.isatty() else 140)
    print_cost_tables(console, scenario, prices, estimates, itemise=itemise, notes=notes, today=today)


def _money(value: float | None) -> str:
    return "not priced" if value is None else f"${value:,.2f}"


def _sizing_text(sizing: dict[str, Any]) -> str:
    keys = ("shards", "brokers", "clusters", "streams", "instance", "binding")
    return ", ".join(f"{k} {sizing[k]}" for k in keys if k in sizing)


def _source_text(item: LineItem) -> str:
    if item.verified is None:
        return item.source
    mark = "" if item.verified else f" {UNVERIFIED_MARK} unverified"
    return f"{item.price_key} ({item.as_of}){mark}"


def print_stale_warning(console: Console, prices: PriceTable, today: date) -> None:
    warning = stale_prices_warning(prices, today)
    if warning:
        console.print(f"[yellow]Warning:[/] {warning}", highlight=False)


def print_cost_tables(console: Console, scenario: Scenario, prices: PriceTable, estimates: list[CostEstimate],
                      *, itemise: bool = True, notes: bool = False, today: date | None = None) -> None:
    """The price table's date and any stale warning, a summary table (cheapest first), each option's items."""
    s, day = scenario, today or date.today()
    gb_text = "2^30" if s.sizing.gb_bytes == 2**30 else f"{s.sizing.gb_bytes:,}"
    where = " (Kinesis clients too)" if s.kinesis_client_compression else " (Kafka only)"
    console.print(f"[bold]Monthly cost[/] for {s.write_mb_per_s:g} MB/s of {s.avg_record_bytes} B records, "
                  f"{s.consumers} consumers{' (EFO)' if s.efo else ''}, {s.retention_hours:g} h retention, "
                  f"{s.availability_zones} AZs, RF {s.replication_factor}, {s.hours_per_month:g} h/month, "
                  f"compression {s.compression_ratio:g}:1{where if s.compression_ratio > 1 else ''}")
    console.print(f"{price_table_caption(prices, day)} GB = {gb_text} bytes, 1 KB = {s.sizing.kinesis_kb_bytes:,} "
                  f"bytes (sizing assumptions); {UNVERIFIED_MARK} = uses an unverified price", highlight=False)
    print_stale_warning(console, prices, day)
    ranked = sorted(estimates, key=lambda e: (e.monthly_usd is None, e.monthly_usd or 0.0))
    summary = Table("option", "monthly USD", "sizing", "caveats")
    for e in ranked:
        caveat = (f"{UNVERIFIED_MARK} unverified: {', '.join(e.unverified_prices)}" if e.unverified_prices
                  else "not priced: " + ", ".join(e.unpriced) if not e.priced else "")
        summary.add_row(e.name, _money(e.monthly_usd) + (f" {UNVERIFIED_MARK}" if e.unverified_prices else ""),
                        _sizing_text(dict(e.sizing)), caveat)
    console.print(summary)
    for e in ranked if itemise else []:
        if not e.line_items:
            continue
        table = Table("item", "quantity", "unit", "unit USD", "monthly USD", "price (as of)",
                      title=f"{e.name}: {_money(e.monthly_usd)}"
                            + (f" {UNVERIFIED_MARK}" if e.unverified_prices else ""), title_justify="left")
        for item in e.line_items:
            table.add_row(item.item, f"{item.quantity:,.4g}" if item.quantity < 1e4 else f"{item.quantity:,.0f}",
                          item.unit, f"{item.unit_usd:g}", f"{item.monthly_usd:,.2f}", _source_text(item))
        console.print(table)
        for note in e.notes if notes else ():
            console.print(f"  - {note}", style="dim", highlight=False)


prices_app = typer.Typer(help="Dated AWS price tables: show and refresh.", no_args_is_help=True)


@prices_app.command("show")
def show_prices(
    region: Annotated[str, typer.Option(help="AWS region")] = "us-east-1",
    prices_file: Annotated[Path | None, typer.Option("--prices", help="price file (default: newest)")] = None,
) -> None:
    """Print a price table with each price's unit, source, date and verification mark."""
    prices = load_price_table(prices_file) if prices_file else load_prices(region)
    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print(f"{prices.path}: prices of {prices.prices_date} ({price_table_age_days(prices, date.today()):,} "
                  f"days old), last checked {prices.last_checked}; from {prices.captured_from}", highlight=False)
    print_stale_warning(console, prices, date.today())
    table = Table("key", "USD", "unit", "as of", "verified", "source")
    for p in prices.prices.values():
        table.add_row(p.key, "not priced" if p.usd is None else f"{p.usd:g}", p.unit, str(p.as_of),
                      "yes" if p.verified else f"{UNVERIFIED_MARK} no", p.source)
    console.print(table)


@prices_app.command("refresh")
def refresh_command(
    region: Annotated[str, typer.Option(help="AWS region to fetch prices for")] = "us-east-1",
) -> None:
    """Write a new dated price file from the AWS Price List API (needs AWS credentials)."""
    result = refresh_prices(region)
    typer.echo(f"wrote {result.path}: {len(result.refreshed)} prices refreshed, "
               f"{len(result.carried_over)} carried over or not found"
               + (f" ({', '.join(result.carried_over)})" if result.carried_over else ""))
