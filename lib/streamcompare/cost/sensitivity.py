"""Sweeps and break-even points for the notebooks: how each option's cost moves with one parameter.

Sweeps return long-form DataFrames (columns option, parameter, value, monthly_usd), ready for altair.
Options that are not priced (a price listed without a value) are left out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import pandas as pd

from streamcompare.errors import ConfigError

from .models import COST_MODELS, CostModelRegistry
from .prices import PriceTable
from .scenario import Scenario

SWEEP_COLUMNS = ["option", "parameter", "value", "monthly_usd"]
BREAK_EVEN_COLUMNS = ["parameter", "value", "cheaper_below", "cheaper_above", "below_usd", "above_usd"]
INTEGER_PARAMETERS = {"avg_record_bytes", "consumers", "partitions", "availability_zones", "replication_factor"}
SWEEPABLE = ("write_mb_per_s", "avg_record_bytes", "consumers", "retention_hours", "partitions",
             "availability_zones", "replication_factor", "hours_per_month", "compression_ratio")


def _check_parameter(parameter: str) -> None:
    if parameter not in SWEEPABLE:
        raise ConfigError(f"cannot sweep {parameter!r}", field="parameter", fix=f"use one of: {', '.join(SWEEPABLE)}")


def _cast(parameter: str, value: float) -> float | int:
    return round(value) if parameter in INTEGER_PARAMETERS else float(value)


def costs_at(scenario: Scenario, prices: PriceTable, parameter: str, value: float,
             options: Sequence[str] | None = None, registry: CostModelRegistry | None = None) -> dict[str, float]:
    """Monthly cost of each priced option with one parameter set to `value`."""
    reg = registry or COST_MODELS
    changed = scenario.with_changes(**{parameter: _cast(parameter, value)})
    out = {}
    for name in options or reg.names():
        estimate = reg.estimate(name, changed, prices)
        if estimate.monthly_usd is not None:
            out[name] = estimate.monthly_usd
    return out


def sweep(scenario: Scenario, prices: PriceTable, parameter: str, values: Iterable[float], *,
          options: Sequence[str] | None = None, registry: CostModelRegistry | None = None) -> pd.DataFrame:
    """Cost of each option at each value of one scenario parameter, in long form."""
    _check_parameter(parameter)
    rows = [(name, parameter, _cast(parameter, value), cost)
            for value in values
            for name, cost in costs_at(scenario, prices, parameter, value, options, registry).items()]
    return pd.DataFrame(rows, columns=SWEEP_COLUMNS)


def sweeps(scenario: Scenario, prices: PriceTable, ranges: Mapping[str, Iterable[float]], *,
           options: Sequence[str] | None = None, registry: CostModelRegistry | None = None) -> pd.DataFrame:
    """Several one-parameter sweeps (e.g. throughput, record size, fan-out, retention) in one long frame."""
    frames = [sweep(scenario, prices, p, vals, options=options, registry=registry) for p, vals in ranges.items()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SWEEP_COLUMNS)


def cheapest(frame: pd.DataFrame) -> pd.DataFrame:
    """The cheapest option at each (parameter, value) of a sweep frame."""
    ordered = frame.sort_values(["parameter", "value", "monthly_usd"], kind="stable")
    return ordered.groupby(["parameter", "value"], as_index=False, sort=True).first()[SWEEP_COLUMNS]


def log_grid(low: float, high: float, points: int) -> list[float]:
    """`points` values evenly spaced on a log scale from low to high inclusive."""
    if not 0 < low < high or points < 2:
        raise ConfigError(f"bad range low={low}, high={high}, points={points}", field="range",
                          fix="use 0 < low < high and at least 2 points")
    step = (math.log(high) - math.log(low)) / (points - 1)
    return [math.exp(math.log(low) + i * step) for i in range(points)]


def _winner(costs: dict[str, float]) -> str:
    return min(costs, key=lambda name: costs[name])  # ties go to the first registered option


def break_even(scenario: Scenario, prices: PriceTable, *, options: Sequence[str] | None = None,
               parameter: str = "write_mb_per_s", low: float = 0.1, high: float = 1000.0, points: int = 200,
               rel_tolerance: float = 1e-4, registry: CostModelRegistry | None = None) -> pd.DataFrame:
    """Values of `parameter` (throughput by default) where the cheapest of `options` changes.

    Scans a log-spaced grid, then bisects each interval whose cheapest option differs down to
    `rel_tolerance`. `value` is the first value (within tolerance) where `cheaper_above` wins. Costs are
    step functions (whole shards and brokers), so an option can win, lose and win again; a change that
    starts and ends between two grid points is missed: raise `points` to look closer.
    """
    _check_parameter(parameter)

    def costs(value: float) -> dict[str, float]:
        found = costs_at(scenario, prices, parameter, value, options, registry)
        if not found:
            raise ConfigError("no priced option to compare", field="options", fix="name priced options")
        return found

    rows = []
    grid: list[float] = log_grid(low, high, points)
    if parameter in INTEGER_PARAMETERS:
        grid = sorted({round(v) for v in grid})
    previous = costs(grid[0])
    for lo, hi in zip(grid, grid[1:], strict=False):
        current = costs(hi)
        if _winner(previous) != _winner(current):
            rows.extend(_bisect(costs, parameter, lo, hi, previous, current, rel_tolerance))
        previous = current
    return pd.DataFrame(rows, columns=BREAK_EVEN_COLUMNS)


def _bisect(costs: Callable[[float], dict[str, float]], parameter: str, lo: float, hi: float,
            lo_costs: dict[str, float], hi_costs: dict[str, float], rel_tolerance: float) -> list[tuple]:
    """Narrow [lo, hi] to where the winner at `lo` stops winning; recurse if a third option wins between."""
    integer = parameter in INTEGER_PARAMETERS
    end, end_costs = hi, hi_costs
    while (hi - lo > 1) if integer else (hi - lo > rel_tolerance * hi):
        mid = (int(lo) + int(hi)) // 2 if integer else (lo + hi) / 2
        mid_costs = costs(mid)
        if _winner(mid_costs) == _winner(lo_costs):
            lo, lo_costs = mid, mid_costs
        else:
            hi, hi_costs = mid, mid_costs
    below, above = _winner(lo_costs), _winner(hi_costs)
    found = [(parameter, _cast(parameter, hi), below, above, lo_costs[below], hi_costs[above])]
    if above != _winner(end_costs) and hi < end:
        found += _bisect(costs, parameter, hi, end, hi_costs, end_costs, rel_tolerance)
    return found
