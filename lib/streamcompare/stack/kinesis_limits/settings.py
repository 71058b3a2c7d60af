"""The layer's settings: AWS's documented limits (switchable) and injected faults, validated.

Both travel as plain dicts (stack.json, the control endpoint, result files); `from_dict` turns bad
input into a ConfigError naming the field and the fix.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from streamcompare.errors import ConfigError

MIB = 1024 * 1024
DATA_PLANE = ("PutRecord", "PutRecords", "GetRecords")
DISTRIBUTIONS = ("none", "constant", "uniform", "lognormal")
Z99 = 2.3263478740408408  # the standard normal's 99th percentile


@dataclass(frozen=True)
class Limits:
    """Per-shard limits (AWS developer guide, "Quotas and limits"); on-demand streams get the
    documented starting capacity of a new on-demand stream on top of the per-shard limits."""

    enabled: bool = True
    write_records_per_s: int = 1_000
    write_bytes_per_s: int = MIB
    read_calls_per_s: int = 5
    read_bytes_per_s: int = 2 * MIB
    on_demand_write_records_per_s: int = 4_000
    on_demand_write_bytes_per_s: int = 4 * MIB
    on_demand_read_bytes_per_s: int = 8 * MIB
    window_s: float = 1.0
    shard_map_ttl_s: float = 5.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Limits:
        limits = _build(cls, data or {}, "kinesis_limits")
        for f in fields(cls):
            value = getattr(limits, f.name)
            if f.name != "enabled" and not (isinstance(value, int | float) and value > 0):
                raise ConfigError(f"must be a positive number, got {value!r}", field=f"kinesis_limits.{f.name}",
                                  fix="give a rate above zero (AWS's figure is the default)")
        return limits

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ServiceTime:
    """Time the layer waits before forwarding a data-plane request (cloud-like request latency)."""

    distribution: str = "none"
    ms: float = 0.0
    low_ms: float = 0.0
    high_ms: float = 0.0
    median_ms: float = 0.0
    p99_ms: float = 0.0

    def sample_s(self, rng: random.Random) -> float:
        if self.distribution == "constant":
            return self.ms / 1000
        if self.distribution == "uniform":
            return rng.uniform(self.low_ms, self.high_ms) / 1000
        if self.distribution == "lognormal":
            sigma = math.log(self.p99_ms / self.median_ms) / Z99
            return rng.lognormvariate(math.log(self.median_ms), sigma) / 1000
        return 0.0

    def check(self) -> None:
        where = "faults.service_time"
        if self.distribution not in DISTRIBUTIONS:
            raise ConfigError(f"unknown distribution {self.distribution!r}", field=f"{where}.distribution",
                              fix=f"use one of: {', '.join(DISTRIBUTIONS)}")
        if any(v < 0 for v in (self.ms, self.low_ms, self.high_ms, self.median_ms, self.p99_ms)):
            raise ConfigError("times cannot be negative", field=where, fix="give milliseconds >= 0")
        if self.distribution == "uniform" and self.high_ms < self.low_ms:
            raise ConfigError("high_ms is below low_ms", field=f"{where}.high_ms", fix="give low_ms <= high_ms")
        if self.distribution == "lognormal" and not 0 < self.median_ms < self.p99_ms:
            raise ConfigError("lognormal needs 0 < median_ms < p99_ms", field=f"{where}.p99_ms",
                              fix="e.g. median_ms: 35, p99_ms: 200 (brandur.org's PutRecords figures)")


@dataclass(frozen=True)
class Faults:
    """Fractions of data-plane requests that fail, and a service time; all zero = no faults."""

    internal_failure: float = 0.0
    """Answered HTTP 500 InternalFailure without reaching the emulator."""
    service_unavailable: float = 0.0
    """Answered HTTP 503 ServiceUnavailable without reaching the emulator."""
    connection_reset: float = 0.0
    """The connection is cut before the request is forwarded (nothing written)."""
    drop_response: float = 0.0
    """PutRecord/PutRecords only: forwarded and written, then the connection is cut (the client retries
    and duplicates)."""
    service_time: ServiceTime = field(default_factory=ServiceTime)
    operations: tuple[str, ...] = DATA_PLANE
    seed: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Faults:
        data = dict(data or {})
        service = data.pop("service_time", None) or {}
        if not isinstance(service, Mapping):
            raise ConfigError("must be a mapping", field="faults.service_time",
                              fix='e.g. {"distribution": "lognormal", "median_ms": 35, "p99_ms": 200}')
        if "operations" in data:
            ops = data["operations"]
            if isinstance(ops, str) or not all(isinstance(o, str) for o in ops):
                raise ConfigError("must be a list of operation names", field="faults.operations",
                                  fix=f"e.g. {list(DATA_PLANE)}")
            data["operations"] = tuple(ops)
        faults = _build(cls, {**data, "service_time": _build(ServiceTime, service, "faults.service_time")},
                        "faults")
        faults.service_time.check()
        fractions = {"internal_failure": faults.internal_failure, "service_unavailable": faults.service_unavailable,
                     "connection_reset": faults.connection_reset, "drop_response": faults.drop_response}
        for name, value in fractions.items():
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"must be a fraction between 0 and 1, got {value!r}", field=f"faults.{name}",
                                  fix="e.g. 0.01 for one request in a hundred")
        if faults.internal_failure + faults.service_unavailable + faults.connection_reset > 1.0:
            raise ConfigError("internal_failure + service_unavailable + connection_reset exceed 1",
                              field="faults", fix="lower the fractions so they add up to at most 1")
        return faults

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["operations"] = list(self.operations)
        return data

    @property
    def active(self) -> bool:
        return self != Faults(operations=self.operations, seed=self.seed)


def _build(cls: Any, data: Mapping[str, Any], where: str) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError("must be a mapping", field=where, fix="give key: value pairs")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"unknown field {unknown[0]!r}", field=f"{where}.{unknown[0]}",
                          fix=f"use one of: {', '.join(known)}")
    values: dict[str, Any] = {}
    for name, value in data.items():
        default = known[name].default
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"must be true or false, got {value!r}", field=f"{where}.{name}")
        elif isinstance(default, int | float) and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ConfigError(f"must be a number, got {value!r}", field=f"{where}.{name}")
        values[name] = value
    return cls(**values)
