"""One thin adapter per system, registered by name in DRIVERS."""

from __future__ import annotations

from streamcompare.drivers.base import DRIVERS, Driver, DriverRegistry
from streamcompare.target import Target


def _kafka(target: Target) -> Driver:
    from streamcompare.drivers.kafka import KafkaDriver

    return KafkaDriver(target)


def _kinesis(target: Target) -> Driver:
    from streamcompare.drivers.kinesis import KinesisDriver

    return KinesisDriver(target)


def _null(target: Target) -> Driver:
    from streamcompare.drivers.null import NullDriver

    return NullDriver(target)


def register_builtin(registry: DriverRegistry) -> None:
    """Register the built-in drivers (kafka, kinesis, and null: the harness's floor) in a registry."""
    registry.register("kafka", _kafka)
    registry.register("kinesis", _kinesis)
    registry.register("null", _null)


register_builtin(DRIVERS)

__all__ = ["DRIVERS", "DriverRegistry", "register_builtin"]
