"""Cost and sizing: monthly cost of every deployment option, itemised from dated AWS prices.

    from streamcompare.cost import Scenario, load_prices, estimate_all, sweep, break_even
    prices = load_prices("us-east-1")
    for estimate in estimate_all(Scenario(write_mb_per_s=10), prices): ...

Every line item is quantity x unit price, and every unit price names its source, date and whether it
was verified. Sizing assumptions and their values are in each estimate's `notes`; per-GB lines state the
GB they assume in their own `note`. `stale_prices_warning(table, today)` says when prices are too old.
See docs/cost-model.md for the billing rules.
"""

from __future__ import annotations

from typing import Any

from .estimate import CostEstimate, LineItem
from .freshness import STALE_AFTER_DAYS, price_table_age_days, price_table_caption, stale_prices_warning
from .models import COST_MODELS, CostModel, CostModelRegistry, estimate_all, register_builtin_models
from .prices import Price, PriceTable, load_price_table, load_prices
from .scenario import OpsEffort, Scenario, SizingAssumptions, load_scenario, scenario_from_dict

_SENSITIVITY = {"sweep", "sweeps", "cheapest", "break_even", "costs_at", "log_grid"}

__all__ = ["COST_MODELS", "STALE_AFTER_DAYS", "CostEstimate", "CostModel", "CostModelRegistry", "LineItem",
           "OpsEffort", "Price", "PriceTable", "Scenario", "SizingAssumptions", "estimate_all", "load_price_table",
           "load_prices", "load_scenario", "price_table_age_days", "price_table_caption", "register_builtin_models",
           "scenario_from_dict", "stale_prices_warning", *sorted(_SENSITIVITY)]


def __getattr__(name: str) -> Any:
    """Sweep helpers import pandas, so they load on first use rather than with the CLI."""
    if name in _SENSITIVITY:
        from . import sensitivity

        return getattr(sensitivity, name)
    raise AttributeError(f"module 'streamcompare.cost' has no attribute {name!r}")
