"""The workload to price: one validated scenario, from YAML or CLI flags, with stated sizing assumptions.

Units: throughput in decimal MB/s (1 MB = 10^6 bytes, as AWS states Kinesis limits); record size in bytes.
Billing units are assumptions the user can change: `sizing.kinesis_kb_bytes` (the "1 KB" of Kinesis record
rounding, 1,024 by default as AWS's pricing page says) and `sizing.gb_bytes` (the "GB" of per-GB prices,
2^30 by default: see docs/cost-model.md). NaN, infinity and out-of-range values are rejected with the field.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from streamcompare.errors import ConfigError
from streamcompare.paths import data_dir
from streamcompare.validation import config_error
from streamcompare.yamlio import read_yaml

from .sizing import BROKER_PROFILES

OPTION_NAMES = ("kinesis-provisioned", "kinesis-on-demand", "kinesis-on-demand-advantage", "msk-provisioned",
                "msk-serverless", "msk-express", "kafka-ec2")
"""Every deployment option the kit prices; ops-effort hours are given per option."""

DEFAULT_OPS_HOURS: dict[str, float] = {
    "kinesis-provisioned": 4.0,   # shard monitoring and resharding, consumer checkpoint tables
    "kinesis-on-demand": 2.0,     # monitoring only
    "kinesis-on-demand-advantage": 2.0,  # monitoring only (plus watching the account's commitment)
    "msk-provisioned": 10.0,      # version upgrades, partition rebalancing, storage, broker scaling
    "msk-serverless": 3.0,        # monitoring, quota watching
    "msk-express": 6.0,           # like MSK provisioned, minus storage management
    "kafka-ec2": 40.0,            # the above plus OS patching, KRaft quorum, failures, on-call share
}
"""Placeholder assumptions, not measurements: engineer-hours per month to run each option. Set your own."""

MAX_EFO_CONSUMERS = 20
"""Kinesis allows at most 20 registered enhanced fan-out consumers per stream (FACTS.md; 50 under On-demand
Advantage, but the other Kinesis options share the scenario, so the stricter limit applies)."""

GB_CHOICES = {10**9: "10^9 bytes (decimal GB)", 2**30: "2^30 bytes (binary GiB)"}
KB_CHOICES = {1000: "1,000 bytes (decimal)", 1024: "1,024 bytes (binary, as AWS's Kinesis pricing page says)"}
DEFAULT_GB_BYTES = 2**30
"""AWS does not say which "GB" its per-GB prices mean; AWS's own published bills fit 2^30 better (FACTS.md,
secondary analysis), and so does AWS's "about $100 a day" for the On-demand Advantage commitment
(25 MiB/s x 86,400 s = 2,109.4 GiB x $0.048 = $101.25; with 10^9 it would be $108.72)."""


class OpsEffort(BaseModel):
    """Operational effort as an explicit line: engineer-hours per month times a rate."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    include: bool = True
    usd_per_hour: float = Field(default=100.0, ge=0, description="loaded cost of one engineer-hour, USD")
    hours_per_month: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_OPS_HOURS))

    @field_validator("hours_per_month")
    @classmethod
    def _known_options(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(OPTION_NAMES))
        if unknown:
            raise ValueError(f"unknown option(s) {unknown}; allowed: {', '.join(OPTION_NAMES)}")
        negative = sorted(k for k, v in value.items() if v < 0)
        if negative:
            raise ValueError(f"hours must be >= 0 (got negative hours for {negative})")
        return {**DEFAULT_OPS_HOURS, **value}


class SizingAssumptions(BaseModel):
    """Adjustable sizing assumptions; each one is stated in the estimate's notes."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    headroom: float = Field(default=0.2, ge=0, le=0.9,
                            description="fraction of every throughput limit kept spare (0.2 = plan to 80%)")
    storage_headroom: float = Field(default=0.2, ge=0, le=0.9,
                                    description="fraction of each broker volume kept free")
    kinesis_kb_bytes: int = Field(default=1024, description="bytes in the '1 KB' of Kinesis billing rounding")
    gb_bytes: int = Field(default=DEFAULT_GB_BYTES, description="bytes in the 'GB' of AWS per-GB prices")
    broker_instance: str = Field(default="m5.large", description="instance type of Kafka brokers")
    broker_network_mb_per_s: float | None = Field(default=None, gt=0, description="override the profile")
    broker_storage_mb_per_s: float | None = Field(default=None, gt=0, description="override the profile")
    max_partitions_per_broker: int | None = Field(default=None, gt=0, description="override the profile")
    min_volume_gb: float = Field(default=100.0, ge=1, description="smallest broker volume, GB")
    max_volume_gb: float = Field(default=16_000.0, ge=1, description="largest broker volume (16 TiB limit)")
    kraft_controllers: int = Field(default=3, ge=0, description="dedicated KRaft controllers (kafka-ec2)")
    controller_volume_gb: float = Field(default=20.0, ge=0)
    express_in_mb_per_s: float = Field(default=15.6, gt=0, le=10_000,
                                       description="express.m7g.large ingress per broker, MB/s (FACTS.md)")
    express_out_mb_per_s: float = Field(default=31.2, gt=0, le=10_000,
                                        description="express.m7g.large egress per broker, MB/s (FACTS.md)")
    serverless_max_in_mb_per_s: float = Field(default=200.0, gt=0,
                                              description="MSK Serverless ingress per cluster (unverified)")
    serverless_max_out_mb_per_s: float = Field(default=400.0, gt=0,
                                               description="MSK Serverless egress per cluster (unverified)")

    @field_validator("kinesis_kb_bytes")
    @classmethod
    def _kb(cls, value: int) -> int:
        if value not in KB_CHOICES:
            raise ValueError("must be 1024 (AWS's 1 KB = 1,024 bytes, the default) or 1000 (decimal KB)")
        return value

    @field_validator("gb_bytes")
    @classmethod
    def _gb(cls, value: int) -> int:
        if value not in GB_CHOICES:
            raise ValueError(f"must be {2**30} (2^30, GiB, the default) or {10**9} (10^9, decimal GB)")
        return value

    @model_validator(mode="after")
    def _volumes(self) -> SizingAssumptions:
        if self.min_volume_gb > self.max_volume_gb:
            raise ValueError(f"min_volume_gb: {self.min_volume_gb:g} is larger than max_volume_gb "
                             f"{self.max_volume_gb:g}")
        return self

    @field_validator("broker_instance")
    @classmethod
    def _profile(cls, value: str) -> str:
        if value not in BROKER_PROFILES:
            raise ValueError(f"no sizing profile for {value!r}; allowed: {', '.join(sorted(BROKER_PROFILES))}")
        return value


class Scenario(BaseModel):
    """One workload to price. Defaults match data/scenarios/default.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    write_mb_per_s: float = Field(default=10.0, gt=0, le=100_000, description="producer payload, MB/s")
    avg_record_bytes: int = Field(default=1000, ge=1, le=10 * 1024 * 1024, description="bytes per record")
    consumers: int = Field(default=2, ge=0, le=1000, description="independent consumer applications")
    efo: bool = Field(default=False, description="Kinesis consumers use enhanced fan-out")
    retention_hours: float = Field(default=24.0, ge=1, le=8760, description="how long data is kept")
    region: str = Field(default="us-east-1", pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    availability_zones: int = Field(default=3, ge=1, le=6, description="AZs clients and brokers spread over")
    replication_factor: int = Field(default=3, ge=1, le=7, description="Kafka copies of each partition")
    partitions: int = Field(default=12, ge=1, le=200_000, description="Kafka partitions across topics")
    fetch_from_follower: bool = Field(default=False, description="Kafka consumers read the closest replica")
    hours_per_month: float = Field(default=730.0, gt=0, le=744)
    compression_ratio: float = Field(default=1.0, ge=1, le=50,
                                     description="uncompressed / compressed bytes of producer batches")
    kinesis_client_compression: bool = Field(default=False,
                                             description="Kinesis producers compress each record themselves")
    ops: OpsEffort = Field(default_factory=OpsEffort)
    sizing: SizingAssumptions = Field(default_factory=SizingAssumptions)

    @model_validator(mode="after")
    def _efo_limit(self) -> Scenario:
        if self.efo and self.consumers > MAX_EFO_CONSUMERS:
            raise ValueError(f"efo: at most {MAX_EFO_CONSUMERS} enhanced fan-out consumers per Kinesis stream "
                             f"(got consumers={self.consumers})")
        return self

    @property
    def write_bytes_per_s(self) -> float:
        return self.write_mb_per_s * 1e6

    @property
    def records_per_s(self) -> float:
        return self.write_bytes_per_s / self.avg_record_bytes

    @property
    def seconds_per_month(self) -> float:
        return self.hours_per_month * 3600.0

    @property
    def kafka_bytes_per_s(self) -> float:
        """Bytes Kafka moves and stores: producer batches are compressed on the wire, on disk and across AZs."""
        return self.write_bytes_per_s / self.compression_ratio

    @property
    def kinesis_record_bytes(self) -> int:
        """Bytes of each record as Kinesis receives (and bills) it: smaller only if the client compresses."""
        if self.kinesis_client_compression:
            return max(1, math.ceil(round(self.avg_record_bytes / self.compression_ratio, 9)))
        return self.avg_record_bytes

    @property
    def kinesis_bytes_per_s(self) -> float:
        """Record bytes per second Kinesis receives: records/s x bytes per record as sent."""
        return self.records_per_s * self.kinesis_record_bytes

    def with_changes(self, **updates: Any) -> Scenario:
        """A validated copy with some top-level fields changed (sweeps use this)."""
        return scenario_from_dict({**self.model_dump(), **updates})


_FIXES = {
    "write_mb_per_s": "a number > 0 (decimal MB/s of record payload, 1 MB = 10^6 bytes)",
    "avg_record_bytes": "an integer from 1 to 10485760 (10 MiB; Kinesis allows 1 MiB unless raised)",
    "consumers": "an integer from 0 to 1000 (independent consumer applications)",
    "efo": "true or false; with efo true, consumers must be at most 20",
    "retention_hours": "a number from 1 to 8760 (365 days, the Kinesis maximum)",
    "region": "an AWS region code such as us-east-1",
    "availability_zones": "an integer from 1 to 6 (MSK uses 2 or 3)",
    "replication_factor": "an integer from 1 to 7 (3 is usual)",
    "partitions": "an integer from 1 to 200000",
    "fetch_from_follower": "true or false",
    "hours_per_month": "a number > 0 and <= 744 (730 is the average month)",
    "compression_ratio": "a number from 1 (no compression) to 50: uncompressed / compressed bytes",
    "kinesis_client_compression": "true or false (true: Kinesis producers compress records themselves)",
    "ops": f"keys include (true/false), usd_per_hour (>= 0), hours_per_month ({', '.join(OPTION_NAMES)})",
    "sizing": "see SizingAssumptions in lib/streamcompare/cost/scenario.py for fields and ranges",
}

_SIZING_FIXES = {
    "kinesis_kb_bytes": "1024 (AWS: 1 KB = 1,024 bytes; the default) or 1000; see SizingAssumptions",
    "gb_bytes": f"{2**30} (2^30, the default) or {10**9} (10^9); see SizingAssumptions and docs/cost-model.md",
    "min_volume_gb": "a number from 1 up to max_volume_gb; see SizingAssumptions",
}


def scenario_from_dict(data: dict[str, Any] | None) -> Scenario:
    """Validate a mapping into a Scenario; errors name the field and the allowed values."""
    try:
        return Scenario.model_validate(data or {})
    except ValidationError as exc:
        raise config_error(exc, Scenario, default_field="scenario",
                           fixes={**_FIXES, **{f"sizing.{k}": v for k, v in _SIZING_FIXES.items()}},
                           default_fix="see the Scenario model for allowed values") from None


def load_scenario(path: Path) -> Scenario:
    """Read a scenario YAML file."""
    raw = read_yaml(path, what="scenario file", field="scenario",
                    missing_fix="pass an existing YAML file, e.g. data/scenarios/default.yaml")
    if raw is not None and not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a mapping of fields", field="scenario",
                          fix="write `field: value` lines, e.g. `write_mb_per_s: 10`")
    return scenario_from_dict(raw)


def default_scenario_path() -> Path:
    return data_dir() / "scenarios" / "default.yaml"
