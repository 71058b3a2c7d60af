"""Sweeps in long form and break-even points where the cheapest option changes."""

from __future__ import annotations

import dataclasses

import pytest

from streamcompare.cost.estimate import CostEstimate, LineItem
from streamcompare.cost.models import CostModelRegistry
from streamcompare.cost.prices import PriceTable, load_prices
from streamcompare.cost.scenario import Scenario
from streamcompare.cost.sensitivity import (
    SWEEP_COLUMNS,
    break_even,
    cheapest,
    costs_at,
    log_grid,
    sweep,
    sweeps,
)
from streamcompare.errors import ConfigError

pytestmark = pytest.mark.unit

PRICES = load_prices("us-east-1")


def linear_model(name: str, fixed: float, per_mb_s: float):
    """A toy option costing fixed + per_mb_s x write_mb_per_s, for exact break-even arithmetic."""
    def estimate(s: Scenario, _prices: PriceTable) -> CostEstimate:
        items = [LineItem("fixed", 1, "month", fixed, "test"),
                 LineItem("throughput", s.write_mb_per_s, "MB/s-month", per_mb_s, "test")]
        return CostEstimate.from_items(name, items, {})
    return estimate


@pytest.fixture()
def toy_registry() -> CostModelRegistry:
    # linear: 10 W; middle: 50 + 3 W; flat: 100.
    # linear = middle at 10 W = 50 + 3 W -> W = 50/7 = 7.142857; middle = flat at 50 + 3 W = 100 -> W = 16.6667
    registry = CostModelRegistry()
    registry.register("linear", "toy", linear_model("linear", 0, 10))
    registry.register("middle", "toy", linear_model("middle", 50, 3))
    registry.register("flat", "toy", linear_model("flat", 100, 0))
    return registry


def test_break_even_finds_each_change_of_the_cheapest_option(toy_registry: CostModelRegistry) -> None:
    found = break_even(Scenario(), PRICES, registry=toy_registry, low=1, high=100, points=50)
    assert list(found["cheaper_below"]) == ["linear", "middle"]
    assert list(found["cheaper_above"]) == ["middle", "flat"]
    assert list(found["value"]) == pytest.approx([50 / 7, 50 / 3], rel=1e-3)


def test_break_even_recurses_when_a_third_option_wins_between_grid_points(
        toy_registry: CostModelRegistry) -> None:
    # Only two grid points (1 and 100): linear wins at 1, flat at 100, middle wins in between.
    found = break_even(Scenario(), PRICES, registry=toy_registry, low=1, high=100, points=2)
    assert list(zip(found["cheaper_below"], found["cheaper_above"], strict=True)) == [
        ("linear", "middle"), ("middle", "flat")]
    assert list(found["value"]) == pytest.approx([50 / 7, 50 / 3], rel=1e-3)


def test_break_even_between_two_named_options(toy_registry: CostModelRegistry) -> None:
    # linear vs flat alone: 10 W = 100 at W = 10.
    found = break_even(Scenario(), PRICES, registry=toy_registry, options=["linear", "flat"], low=1, high=100)
    assert len(found) == 1 and found["value"].iloc[0] == pytest.approx(10, rel=1e-3)
    none = break_even(Scenario(), PRICES, registry=toy_registry, options=["flat"], low=1, high=100)
    assert none.empty


def test_real_break_even_points_separate_the_winners() -> None:
    options = ["kinesis-on-demand", "msk-provisioned"]
    found = break_even(Scenario(), PRICES, options=options, low=0.1, high=100, points=60)
    assert len(found) >= 1
    row = found.iloc[0]
    below = costs_at(Scenario(), PRICES, "write_mb_per_s", row["value"] * 0.99, options)
    above = costs_at(Scenario(), PRICES, "write_mb_per_s", row["value"] * 1.001, options)
    assert min(below, key=below.get) == row["cheaper_below"] == "kinesis-on-demand"
    assert min(above, key=above.get) == row["cheaper_above"] == "msk-provisioned"


def test_sweep_is_long_form_and_skips_unpriced_options() -> None:
    frame = sweep(Scenario(), PRICES, "write_mb_per_s", [1, 10, 100])
    assert list(frame.columns) == SWEEP_COLUMNS
    assert set(frame["option"]) == {"kinesis-provisioned", "kinesis-on-demand", "kinesis-on-demand-advantage",
                                    "msk-provisioned", "msk-serverless", "msk-express", "kafka-ec2"}
    assert len(frame) == 21 and set(frame["parameter"]) == {"write_mb_per_s"}
    # An option whose price is listed without a value is left out of sweeps.
    unpriced = dataclasses.replace(PRICES, prices={**PRICES.prices, "msk-express-data-in": dataclasses.replace(
        PRICES.prices["msk-express-data-in"], usd=None)})
    assert "msk-express" not in set(sweep(Scenario(), unpriced, "write_mb_per_s", [1])["option"])
    on_demand = frame[frame["option"] == "kinesis-on-demand"].sort_values("value")["monthly_usd"].tolist()
    assert on_demand == sorted(on_demand) and on_demand[0] < on_demand[-1]


def test_sweeps_of_several_parameters_and_cheapest() -> None:
    frame = sweeps(Scenario(), PRICES, {"avg_record_bytes": [100, 1000, 30_000], "consumers": [1, 4],
                                        "retention_hours": [24, 168]},
                   options=["kinesis-provisioned", "kinesis-on-demand"])
    assert set(frame["parameter"]) == {"avg_record_bytes", "consumers", "retention_hours"}
    assert frame[frame["parameter"] == "consumers"]["value"].tolist() == [1, 1, 4, 4]
    best = cheapest(frame)
    assert len(best) == 7  # one row per (parameter, value)
    row = best[(best["parameter"] == "consumers") & (best["value"] == 4)].iloc[0]
    pair = frame[(frame["parameter"] == "consumers") & (frame["value"] == 4)]
    assert row["monthly_usd"] == pair["monthly_usd"].min()


def test_bad_sweep_requests_are_config_errors() -> None:
    with pytest.raises(ConfigError) as info:
        sweep(Scenario(), PRICES, "region", ["eu-west-1"])
    assert info.value.field == "parameter"
    with pytest.raises(ConfigError):
        log_grid(10, 1, 5)
    assert log_grid(1, 100, 3) == pytest.approx([1, 10, 100])


def test_integer_parameters_break_even_on_whole_numbers() -> None:
    # per-consumer: 30 x consumers; flat: 100. 3 consumers cost 90 (cheaper), 4 cost 120: the change is at 4.
    def per_consumer(s: Scenario, _prices: PriceTable) -> CostEstimate:
        return CostEstimate.from_items("per-consumer", [LineItem("c", s.consumers, "consumer", 30, "test")], {})

    registry = CostModelRegistry()
    registry.register("per-consumer", "toy", per_consumer)
    registry.register("flat", "toy", linear_model("flat", 100, 0))
    found = break_even(Scenario(), PRICES, registry=registry, parameter="consumers", low=1, high=20, points=3)
    assert found["value"].tolist() == [4]
    assert (found["cheaper_below"].iloc[0], found["cheaper_above"].iloc[0]) == ("per-consumer", "flat")
    assert (found["below_usd"].iloc[0], found["above_usd"].iloc[0]) == (90, 100)
