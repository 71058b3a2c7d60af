"""06_cost: itemised monthly cost per option, the sweep across throughput, break-even, prices' dates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from streamcompare.cost import break_even, estimate_all, load_prices, load_scenario, sweep
from streamcompare.cost.estimate import CostEstimate
from streamcompare.cost.prices import PriceTable
from streamcompare.cost.scenario import Scenario

OPTION_MODELS = {"kafka-self-managed": ("kafka-ec2",), "msk": ("msk-provisioned", "msk-serverless"),
                 "kinesis": ("kinesis-provisioned", "kinesis-on-demand")}
"""Each decision option takes its cheapest priced deployment model."""
SWEEP_OPTIONS = ("kinesis-provisioned", "kinesis-on-demand", "msk-provisioned", "msk-serverless", "kafka-ec2")


def scenario(path: str | Path, **changes: Any) -> Scenario:
    base = load_scenario(Path(path))
    return base.with_changes(**{k: v for k, v in changes.items() if v is not None}) if changes else base


def prices(s: Scenario) -> PriceTable:
    return load_prices(s.region)


def estimates(s: Scenario, table: PriceTable) -> list[CostEstimate]:
    return estimate_all(s, table)


def totals_frame(items: list[CostEstimate]) -> pd.DataFrame:
    rows = [{"option": e.name, "monthly_usd": None if e.monthly_usd is None else round(e.monthly_usd, 2),
             "sizing": ", ".join(f"{k} {v}" for k, v in e.sizing.items()),
             "unverified prices": ", ".join(e.unverified_prices) or "",
             "not priced": ", ".join(e.unpriced) or ""} for e in items]
    return pd.DataFrame(rows).sort_values("monthly_usd", na_position="last")


def line_items_frame(items: list[CostEstimate]) -> pd.DataFrame:
    """option, item, monthly_usd for charts.cost_bars (priced options only)."""
    rows = [{"option": e.name, "item": li.item, "monthly_usd": li.monthly_usd}
            for e in items if e.priced for li in e.line_items]
    return pd.DataFrame(rows, columns=["option", "item", "monthly_usd"])


def cost_view(path: str | Path, write_mb_per_s: float, avg_record_bytes: int, consumers: int,
              retention_hours: float) -> pd.DataFrame:
    """Line items for the sliders' scenario (what the interactive panel charts)."""
    s = scenario(path, write_mb_per_s=write_mb_per_s, avg_record_bytes=int(avg_record_bytes),
                 consumers=int(consumers), retention_hours=retention_hours)
    return line_items_frame(estimates(s, prices(s)))


def throughput_sweep(s: Scenario, table: PriceTable, low: float = 0.1, high: float = 200, points: int = 40
                     ) -> pd.DataFrame:
    import numpy as np

    values = [float(v) for v in np.geomspace(low, high, points)]
    return sweep(s, table, "write_mb_per_s", values, options=list(SWEEP_OPTIONS))


def break_even_points(s: Scenario, table: PriceTable) -> pd.DataFrame:
    return break_even(s, table, options=list(SWEEP_OPTIONS), low=0.1, high=200)


def prices_frame(table: PriceTable, used: list[CostEstimate]) -> pd.DataFrame:
    """Every price the estimates used, with its unit, source, date and whether it is verified."""
    keys = sorted({li.price_key for e in used for li in e.line_items if li.price_key})
    rows = []
    for key in keys:
        price = table.get(key)
        rows.append({"price": key, "usd": price.usd, "unit": price.unit, "as of": price.as_of,
                     "verified": "yes" if price.verified else "UNVERIFIED", "source": price.source})
    return pd.DataFrame(rows)


def option_costs(items: list[CostEstimate]) -> dict[str, float]:
    """Monthly USD per decision option: the cheapest priced model of each."""
    by_name = {e.name: e.monthly_usd for e in items if e.monthly_usd is not None}
    return {option: min(by_name[m] for m in models if m in by_name) for option, models in OPTION_MODELS.items()
            if any(m in by_name for m in models)}


def scores(costs: dict[str, float]) -> dict[str, float]:
    """10 for the cheapest option, others 10 x cheapest / theirs (half the cost ratio -> 5)."""
    cheapest = min(costs.values())
    return {option: round(10 * cheapest / usd, 2) for option, usd in costs.items()}


def verdict(costs: dict[str, float], scores_: dict[str, float], prices_as_of: str) -> str:
    ranked = ", ".join(f"{option} ${usd:,.0f}/month" for option, usd in sorted(costs.items(), key=lambda kv: kv[1]))
    return (f"**Verdict (cost).** Cheapest deployment model per option: {ranked}. Scores (cheapest = 10): "
            f"{scores_}. Modelled from prices of {prices_as_of}; see the dated sources above.")
