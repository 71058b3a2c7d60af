"""06_cost: itemised monthly cost of every deployment option, the sweep over throughput, break-even points.

Everything here is modelled: quantity x dated unit price, each price with its source, date and whether
it was verified. The knobs change the scenario; the scenario file gives the rest (region, AZs, RF ...).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from streamcompare import charts
from streamcompare.cost import (
    break_even,
    estimate_all,
    load_prices,
    load_scenario,
    log_grid,
    price_table_age_days,
    price_table_caption,
    stale_prices_warning,
    sweep,
)
from streamcompare.cost.estimate import CostEstimate
from streamcompare.cost.prices import PriceTable
from streamcompare.cost.scenario import Scenario
from streamcompare.criteria.contract import Chart, Context, Markdown, MustHaves, Score, Table, View, knob
from streamcompare.criteria.contract import Scenario as DecisionScenario
from streamcompare.headlines import headline

NAME = "cost"
TITLE = "Cost"
OPTION_MODELS = {"kafka-self-managed": ("kafka-ec2",), "msk": ("msk-provisioned", "msk-serverless", "msk-express"),
                 "kinesis": ("kinesis-provisioned", "kinesis-on-demand", "kinesis-on-demand-advantage")}
"""Each decision option takes its cheapest priced deployment model."""
SWEEP_POINTS = 24
LEGEND_ITEMS = 7


@dataclass(frozen=True)
class Knobs:
    write_mb_per_s: float = knob(10.0, "write throughput", unit="MB/s", low=0.1, high=1000.0, log=True)
    avg_record_bytes: int = knob(1024, "record size", unit="bytes", low=100, high=1_000_000, log=True)
    consumers: int = knob(2, "consumer applications", low=1, high=20)
    retention_hours: float = knob(24.0, "retention", unit="hours", low=24, high=8760, step=24)


@dataclass(frozen=True)
class Evidence:
    scenario: Scenario
    prices: PriceTable


def collect(ctx: Context) -> Evidence:
    scenario = load_scenario(ctx.cost_scenario)
    return Evidence(scenario, load_prices(scenario.region))


def initial_knobs(evidence: Evidence) -> Knobs:
    """The scenario file's values, within the knobs' ranges."""
    s = evidence.scenario
    return Knobs(write_mb_per_s=float(s.write_mb_per_s), avg_record_bytes=int(s.avg_record_bytes),
                 consumers=int(s.consumers), retention_hours=float(s.retention_hours))


def scenario_for(evidence: Evidence, knobs: Knobs) -> Scenario:
    return evidence.scenario.with_changes(write_mb_per_s=knobs.write_mb_per_s,
                                          avg_record_bytes=int(knobs.avg_record_bytes),
                                          consumers=int(knobs.consumers), retention_hours=knobs.retention_hours)


def estimates(evidence: Evidence, knobs: Knobs) -> list[CostEstimate]:
    return estimate_all(scenario_for(evidence, knobs), evidence.prices)


def option_costs(items: list[CostEstimate]) -> dict[str, float]:
    """Monthly USD per decision option: the cheapest priced model of each."""
    by_name = {e.name: e.monthly_usd for e in items if e.monthly_usd is not None}
    return {option: min(by_name[m] for m in models if m in by_name) for option, models in OPTION_MODELS.items()
            if any(m in by_name for m in models)}


def totals_table(items: list[CostEstimate]) -> pd.DataFrame:
    rows = [{"deployment model": e.name, "USD per month": e.monthly_usd,
             "sizing": ", ".join(f"{k.replace('_', ' ')} {_figure(v)}" for k, v in e.sizing.items()),
             "unverified prices": ", ".join(e.unverified_prices), "not priced": ", ".join(e.unpriced)}
            for e in items]
    return pd.DataFrame(rows).sort_values("USD per month", na_position="last")


def _figure(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return str(value)


def break_even_table(points: pd.DataFrame) -> pd.DataFrame:
    if points.empty:
        return points
    return pd.DataFrame({"write throughput (MB/s)": points["value"].round(2),
                         "cheapest below": points["cheaper_below"], "cheapest above": points["cheaper_above"],
                         "USD per month there": points["below_usd"].round(0)})


def line_items(items: list[CostEstimate], keep: int = LEGEND_ITEMS) -> pd.DataFrame:
    """option, item, monthly_usd; the `keep` costliest items by name, the rest summed as 'other items'."""
    rows = pd.DataFrame([{"option": e.name, "item": li.item, "monthly_usd": li.monthly_usd}
                         for e in items if e.priced for li in e.line_items], columns=["option", "item", "monthly_usd"])
    if rows.empty:
        return rows
    top = rows.groupby("item")["monthly_usd"].sum().nlargest(keep).index
    rows.loc[~rows["item"].isin(top), "item"] = "other items"
    return pd.DataFrame(rows.groupby(["option", "item"], as_index=False)["monthly_usd"].sum())


def sweep_options(items: list[CostEstimate]) -> list[str]:
    return [e.name for e in items if e.priced]


def prices_table(evidence: Evidence, used: list[CostEstimate]) -> pd.DataFrame:
    """Every price the estimates used, with its unit, source, date and whether it is verified."""
    keys = sorted({li.price_key for e in used for li in e.line_items if li.price_key})
    rows = []
    for key in keys:
        price = evidence.prices.get(key)
        rows.append({"price": key, "USD": price.usd, "unit": price.unit, "as of": str(price.as_of),
                     "verified": "yes" if price.verified else "UNVERIFIED", "source": price.source})
    return pd.DataFrame(rows)


def view(evidence: Evidence, knobs: Knobs) -> View:
    scenario = scenario_for(evidence, knobs)
    items = estimate_all(scenario, evidence.prices)
    options = sweep_options(items)
    grid = log_grid(0.1, 1000, SWEEP_POINTS)
    swept = sweep(scenario, evidence.prices, "write_mb_per_s", grid, options=options)
    points = break_even(scenario, evidence.prices, options=options, low=0.1, high=1000)
    stale = stale_prices_warning(evidence.prices, date.today())
    blocks = (Markdown(f"**Stale prices.** {stale}" if stale else price_table_caption(evidence.prices, date.today())),
              Markdown(f"Prices of **{evidence.prices.prices_date}** ({evidence.prices.region}); "
                       f"scenario: {scenario.write_mb_per_s:g} MB/s of {scenario.avg_record_bytes:,}-byte records, "
                       f"{scenario.consumers} consumer(s), {scenario.retention_hours:g} h retention."),
              Table(totals_table(items), "Monthly cost of every deployment model (USD)"),
              Chart(charts.cost_bars(line_items(items), title="Monthly cost by line item")),
              Markdown("## Across write throughput, and where the cheapest option changes"),
              Chart(charts.cost_sweep(swept, points)),
              Table(break_even_table(points), "Where the cheapest deployment model changes"),
              Markdown("## Prices used, with their dates and sources"),
              Table(prices_table(evidence, items)))
    return View(blocks, verdict(evidence, knobs, items))


def verdict(evidence: Evidence, knobs: Knobs, items: list[CostEstimate] | None = None) -> str:
    costs = option_costs(items if items is not None else estimates(evidence, knobs))
    ranked = ", ".join(f"{option} ${usd:,.0f} a month" for option, usd in sorted(costs.items(), key=lambda kv: kv[1]))
    return (f"**Verdict (cost).** Cheapest deployment model per option at {knobs.write_mb_per_s:g} MB/s: {ranked}. "
            f"Modelled from prices of {evidence.prices.prices_date}; see the dated sources above.")


def scores(evidence: Evidence, knobs: Knobs) -> dict[str, Score]:
    """10 for the cheapest option, others 10 x cheapest / theirs (twice the cost -> 5)."""
    costs = option_costs(estimates(evidence, knobs))
    cheapest = min(costs.values())
    return {option: Score(10 * cheapest / usd if usd > 0 else 10.0, "modelled",
                          f"${usd:,.0f} a month against the cheapest ${cheapest:,.0f} (prices of "
                          f"{evidence.prices.prices_date})")
            for option, usd in costs.items()}


def headlines(evidence: Evidence, knobs: Knobs) -> dict[str, dict[str, Any]]:
    out = {f"{option}_usd_per_month": headline(round(usd, 2), "USD/month", "modelled", f"{option} (cheapest model)")
           for option, usd in option_costs(estimates(evidence, knobs)).items()}
    today = date.today()
    out["prices_as_of"] = headline(str(evidence.prices.prices_date), "", "documented", "prices as of",
                                   note=stale_prices_warning(evidence.prices, today) or
                                   f"{price_table_age_days(evidence.prices, today)} days old")
    return out


def apply_scenario(knobs: Knobs, scenario: DecisionScenario) -> Knobs:
    """The decision's scenario as this page's knobs (the decision's hook, contract.TakesScenario)."""
    return dataclasses.replace(knobs, write_mb_per_s=scenario.write_mb_per_s, avg_record_bytes=scenario.record_bytes,
                               consumers=scenario.consumers, retention_hours=scenario.retention_hours)


def must_have_failures(evidence: Evidence, knobs: Knobs, must: MustHaves) -> dict[str, list[str]]:
    """Options over the monthly budget (modelled); the decision's hook, contract.AnswersMustHaves."""
    if not must.max_usd_per_month:
        return {}
    return {option: [f"${usd:,.0f} a month (modelled) over the ${must.max_usd_per_month:,.0f} budget"]
            for option, usd in option_costs(estimates(evidence, knobs)).items() if usd > must.max_usd_per_month}
