"""Driver protocols and the driver registry.

A driver is a thin adapter over one system's client library. Drivers never read a clock: only the
bench runner times anything, so every system is measured by the same code the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from streamcompare.target import Target

AckCallback = Callable[[bytes, BaseException | None], None]
"""Called exactly once per record sent, with the record's value: and None when the system acknowledged
it, else the error. One callback serves every record of a producer (given when it is built), so a
client can register it once instead of wrapping a closure around every record."""


@dataclass
class DriverCounters:
    """What a client did beyond the plain send: retried entries, throttles, errors, duplicates risked."""

    retries: int = 0
    throttles: int = 0
    errors: int = 0
    requests: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"retries": self.retries, "throttles": self.throttles, "errors": self.errors,
                "requests": self.requests}


@dataclass(frozen=True)
class StreamSpec:
    """A Kafka topic or a Kinesis stream to create for a run."""

    name: str
    partitions: int = 1
    replication_factor: int = 1
    config: Mapping[str, str] = field(default_factory=dict)
    on_demand: bool = False


@runtime_checkable
class Producer(Protocol):
    def send(self, key: bytes, value: bytes) -> None:
        """Hand one record to the client; may block (synchronous modes) but never reads a clock.

        Its acknowledgement goes to the producer's on_ack, possibly inside this call or poll()."""

    def poll(self, timeout_s: float) -> object:
        """Serve pending acknowledgement callbacks, waiting at most timeout_s (what it returns is unused)."""

    def flush(self, timeout_s: float) -> int:
        """Wait until every record is acknowledged or failed; return how many are still pending."""

    def counters(self) -> DriverCounters: ...

    def close(self) -> None: ...


@runtime_checkable
class Consumer(Protocol):
    def poll(self, timeout_s: float) -> list[bytes]:
        """Return the record values that arrived, waiting at most timeout_s for the first."""

    def counters(self) -> DriverCounters: ...

    def close(self) -> None: ...


@runtime_checkable
class Admin(Protocol):
    def create(self, spec: StreamSpec) -> None:
        """Create the topic or stream and return when it is ready for traffic."""

    def delete(self, name: str) -> None: ...

    def versions(self) -> dict[str, str]:
        """System and client versions, recorded in every result file."""


@runtime_checkable
class Driver(Protocol):
    """Factory for one system's admin, producers and consumers against one target."""

    name: str

    def admin(self) -> Admin: ...

    def producer(self, stream: str, settings: Mapping[str, Any], on_ack: AckCallback) -> Producer: ...

    def consumer(self, stream: str, settings: Mapping[str, Any]) -> Consumer: ...


DriverFactory = Callable[[Target], Driver]
"""Builds a driver from a target (streamcompare.target.Target: frozen, picklable)."""


class DriverRegistry:
    """Drivers by name. Tests build a fresh registry instead of touching the global one."""

    def __init__(self) -> None:
        self._factories: dict[str, DriverFactory] = {}

    def register(self, name: str, factory: DriverFactory) -> None:
        if name in self._factories:
            raise ValueError(f"driver {name!r} is already registered")
        self._factories[name] = factory

    def names(self) -> list[str]:
        return sorted(self._factories)

    def create(self, name: str, target: Target) -> Driver:
        from streamcompare.errors import ConfigError

        try:
            factory = self._factories[name]
        except KeyError:
            raise ConfigError(
                f"unknown system {name!r}", field="system",
                fix=f"use one of: {', '.join(self.names())}",
            ) from None
        return factory(target)


DRIVERS = DriverRegistry()
"""The global registry; drivers register themselves in streamcompare.drivers."""
