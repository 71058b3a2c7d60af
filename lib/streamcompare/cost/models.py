"""The cost-model registry: each deployment option, by name, returns an itemised monthly estimate.

Models are plain functions `(Scenario, PriceTable) -> CostEstimate`. Tests build a fresh registry with
`CostModelRegistry()` (and `register_builtin_models`) instead of touching the global `COST_MODELS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from streamcompare.errors import ConfigError

from .estimate import CostEstimate, LineItem
from .kafka_models import kafka_ec2, msk_express, msk_provisioned, msk_serverless
from .kinesis_advantage import kinesis_on_demand_advantage
from .kinesis_models import kinesis_on_demand, kinesis_provisioned
from .prices import PriceTable
from .scenario import Scenario

__all__ = ["COST_MODELS", "CostEstimate", "CostModel", "CostModelRegistry", "LineItem", "estimate_all",
           "register_builtin_models"]

EstimateFn = Callable[[Scenario, PriceTable], CostEstimate]


@dataclass(frozen=True)
class CostModel:
    """A named deployment option and the function that prices it."""

    name: str
    title: str
    estimate: EstimateFn


class CostModelRegistry:
    """Cost models by name, in registration order."""

    def __init__(self) -> None:
        self._models: dict[str, CostModel] = {}

    def register(self, name: str, title: str, estimate: EstimateFn) -> None:
        if name in self._models:
            raise ValueError(f"cost model {name!r} is already registered")
        self._models[name] = CostModel(name, title, estimate)

    def names(self) -> list[str]:
        return list(self._models)

    def get(self, name: str) -> CostModel:
        try:
            return self._models[name]
        except KeyError:
            raise ConfigError(f"unknown deployment option {name!r}", field="option",
                              fix=f"use one of: {', '.join(self.names())}") from None

    def estimate(self, name: str, scenario: Scenario, prices: PriceTable) -> CostEstimate:
        result = self.get(name).estimate(scenario, prices)
        if result.name != name:
            raise ValueError(f"cost model {name!r} returned an estimate named {result.name!r}")
        return replace(result, prices_date=prices.prices_date)


def register_builtin_models(registry: CostModelRegistry) -> CostModelRegistry:
    """Register the kit's seven deployment options."""
    registry.register("kinesis-provisioned", "Kinesis Data Streams, provisioned shards", kinesis_provisioned)
    registry.register("kinesis-on-demand", "Kinesis Data Streams, on-demand", kinesis_on_demand)
    registry.register("kinesis-on-demand-advantage", "Kinesis Data Streams, On-demand Advantage",
                      kinesis_on_demand_advantage)
    registry.register("msk-provisioned", "Amazon MSK, provisioned standard brokers", msk_provisioned)
    registry.register("msk-serverless", "Amazon MSK Serverless", msk_serverless)
    registry.register("msk-express", "Amazon MSK, Express brokers", msk_express)
    registry.register("kafka-ec2", "Self-managed Apache Kafka on EC2", kafka_ec2)
    return registry


COST_MODELS = register_builtin_models(CostModelRegistry())
"""The global registry of deployment options."""


def estimate_all(scenario: Scenario, prices: PriceTable, *, registry: CostModelRegistry | None = None,
                 names: Iterable[str] | None = None) -> list[CostEstimate]:
    """Estimates for every registered option (or the named ones), in registration order."""
    reg = registry or COST_MODELS
    return [reg.estimate(name, scenario, prices) for name in (list(names) if names else reg.names())]
