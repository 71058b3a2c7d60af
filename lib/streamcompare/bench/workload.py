"""Workloads: what to send, how fast, for how long, with which client settings (YAML in, clear errors out).

A workload is system-independent (partitions means partitions or shards) and carries a `kafka` and a
`kinesis` section of client settings; each driver reads its own. `load_workload` turns every
validation error into a `ConfigError` naming the field (e.g. `kafka.acks`) and the allowed values.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from streamcompare.bench.schedule import Bursts
from streamcompare.bench.settle import SettleRules
from streamcompare.errors import ConfigError
from streamcompare.validation import config_error
from streamcompare.yamlio import read_yaml

SCHEMA_VERSION = 1
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class KafkaSettings(_Frozen):
    """Producer settings that move Kafka latency and throughput (librdkafka names in snake case)."""

    acks: Literal["0", "1", "all"] = "all"
    linger_ms: int = Field(5, ge=0, le=60_000)
    batch_size: int = Field(16_384, ge=1, le=2_147_483_647, description="bytes per partition batch")
    compression: Literal["none", "gzip", "snappy", "lz4", "zstd"] = "none"
    idempotence: bool = False

    @field_validator("acks", mode="before")
    @classmethod
    def _acks_text(cls, value: Any) -> Any:
        # YAML reads `acks: 1` as an integer and `acks: -1` means all in Kafka's own config.
        if isinstance(value, int) and not isinstance(value, bool):
            return "all" if value == -1 else str(value)
        return value

    @model_validator(mode="after")
    def _idempotence_needs_all(self) -> KafkaSettings:
        if self.idempotence and self.acks != "all":
            raise ValueError("idempotence requires acks 'all' (set acks: all or idempotence: false)")
        return self


class KinesisSettings(_Frozen):
    producer_mode: Literal["put_record", "put_records", "aggregated"] = "put_records"
    poll_interval_ms: int = Field(200, ge=0, le=60_000, description="GetRecords: 5 calls/s per shard")
    consumer_mode: Literal["polling", "efo"] = "polling"
    on_demand: bool = False
    max_attempts: int = Field(10, ge=1, le=1_000, description="PutRecords tries per entry; 1 = no retries")
    backoff_ms: float = Field(50.0, ge=0, le=60_000, description="first retry backoff (doubles, with jitter)")


class TrafficShape(_Frozen):
    """The shape of the offered load: constant, or periodic bursts; optionally one hot key.

    The same shape drives the shard-limit simulation (models/shard_limits.py), the Kinesis run and
    the Kafka run, so a prediction and its measurement describe the same traffic.
    """

    kind: Literal["constant", "bursts"] = "constant"
    peak_to_mean: float = Field(1.0, ge=1, le=100, description="rate in a burst / rate outside bursts")
    burst_every_s: float = Field(60.0, gt=0, le=86_400, description="period of the bursts")
    burst_length_s: float = Field(5.0, gt=0, le=86_400, description="each burst lasts this long")
    hot_key_share: float = Field(0.0, ge=0, le=1, description="share of records on one partition key")

    @model_validator(mode="after")
    def _burst_fits(self) -> TrafficShape:
        if self.kind == "bursts" and self.burst_length_s > self.burst_every_s:
            raise ValueError("burst_length_s cannot exceed burst_every_s (lower it or raise burst_every_s)")
        return self

    def bursts(self) -> Bursts | None:
        """The schedule's burst pattern, or None for a constant rate."""
        if self.kind != "bursts" or self.peak_to_mean == 1:
            return None
        return Bursts(self.peak_to_mean, self.burst_every_s, self.burst_length_s)


class MaxRateSearch(_Frozen):
    """How `rate: max` searches for the highest sustainable rate (see bench/maxrate.py)."""

    start_rate: int = Field(1_000, ge=1)
    ceiling: int = Field(1_000_000, ge=1)
    trial_s: float = Field(10.0, gt=0)
    trial_warmup_s: float = Field(2.0, ge=0)
    min_achieved_ratio: float = Field(0.95, gt=0, le=1)
    max_delay_p99_ms: float = Field(100.0, gt=0)
    max_error_ratio: float = Field(0.01, ge=0, le=1)
    max_backlog_growth_ratio: float = Field(0.05, ge=0)
    precision: float = Field(0.05, gt=0, le=1, description="stop when (high - low) / low <= precision")
    max_trials: int = Field(12, ge=1, le=100)
    confirm_runs: int = Field(2, ge=0, le=10, description="full-length reruns of the answer (0 = trust the search)")


class Workload(_Frozen):
    schema_version: Literal[1] = 1
    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    streams: int = Field(1, ge=1, le=64, description="topics or streams; producer j writes to stream j % streams")
    partitions: int = Field(1, ge=1, le=10_000, description="Kafka partitions or Kinesis shards, per stream")
    replication_factor: int = Field(1, ge=1, le=16)
    min_insync_replicas: int = Field(1, ge=1, le=16)
    record_bytes: int = Field(1024, ge=24, le=10 * 1024 * 1024, description="payload incl. 24-byte header")
    key_distribution: Literal["random", "round-robin", "none"] = "random"
    rate: int | Literal["max"] = Field(description="records/s over all producers, or 'max'")
    arrivals: Literal["uniform", "poisson"] = "uniform"
    duration_s: float = Field(gt=0, le=86_400)
    warmup_s: float = Field(0.0, ge=0, le=86_400)
    producers: int = Field(1, ge=1, le=256)
    consumers: int = Field(1, ge=0, le=64, description="one consumer group; 0 = publish only")
    drain_timeout_s: float = Field(30.0, ge=0, le=3_600)
    workers: int | None = Field(None, ge=1, le=64, description="local Dask worker processes, each running the "
                                "producers and consumers at its share of the rate; unset = one process")
    shape: TrafficShape = TrafficShape()
    kafka: KafkaSettings = KafkaSettings()
    kinesis: KinesisSettings = KinesisSettings()
    max_rate: MaxRateSearch = MaxRateSearch()
    settle: SettleRules = SettleRules()

    @field_validator("rate", mode="before")
    @classmethod
    def _rate(cls, value: Any) -> Any:
        if value == "max":
            return value
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError("must be a positive whole number of records/s, or 'max'")
        return value

    @field_validator("min_insync_replicas")
    @classmethod
    def _isr_within_rf(cls, value: int, info: ValidationInfo) -> int:
        rf = info.data.get("replication_factor")
        if rf is not None and value > rf:
            raise ValueError(f"cannot exceed replication_factor ({rf}); lower it or raise replication_factor")
        return value

    @field_validator("producers")
    @classmethod
    def _a_producer_per_stream(cls, value: int, info: ValidationInfo) -> int:
        streams = info.data.get("streams", 1)
        if value < streams:
            raise ValueError(f"producers ({value}) must be at least streams ({streams}): "
                             "producer j writes to stream j % streams; raise producers or lower streams")
        return value

    @field_validator("consumers")
    @classmethod
    def _a_consumer_per_stream(cls, value: int, info: ValidationInfo) -> int:
        streams = info.data.get("streams", 1)
        if 0 < value < streams:
            raise ValueError(f"consumers ({value}) must be 0 or at least streams ({streams}): "
                             "consumer i reads stream i % streams; raise consumers or lower streams")
        return value

    def stream_names(self, base: str) -> list[str]:
        """The run's topic or stream names: `base` itself for one stream, else base-1 .. base-N."""
        return [base] if self.streams == 1 else [f"{base}-{k + 1}" for k in range(self.streams)]

    @property
    def is_max_rate(self) -> bool:
        return self.rate == "max"

    def with_overrides(self, **overrides: Any) -> Workload:
        """A copy with fields replaced; nested fields as `kafka__acks="1"` or `**{"kafka.acks": "1"}`."""
        data = self.model_dump()
        for key, value in overrides.items():
            parts = key.replace("__", ".").split(".")
            node = data
            for part in parts[:-1]:
                if not isinstance(node.get(part), dict):
                    raise ConfigError(f"unknown workload section {part!r}", field=key,
                                      fix=f"use one of: {', '.join(sorted(_sections()))}")
                node = node[part]
            node[parts[-1]] = value
        return validate_workload(data, source="overrides")

    def driver_settings(self, system: str) -> dict[str, Any]:
        """Flat settings for one system's driver: the shape of the run plus that system's section.

        `system` is the driver's name; a name matching neither section (a test fake) gets both.
        """
        common: dict[str, Any] = {"record_bytes": self.record_bytes, "partitions": self.partitions,
                                  "key_distribution": self.key_distribution}
        sections = {"kafka": self.kafka.model_dump(), "kinesis": self.kinesis.model_dump()}
        chosen = [v for k, v in sections.items() if k in system.lower()] or list(sections.values())
        for section in chosen:
            common.update(section)
        return common


def _sections() -> list[str]:
    return [n for n, f in Workload.model_fields.items()
            if isinstance(f.annotation, type) and issubclass(f.annotation, BaseModel)]


def validate_workload(data: Mapping[str, Any], source: str = "workload") -> Workload:
    """Validate a mapping into a Workload, raising ConfigError with the field and allowed values."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"a workload must be a mapping, got {type(data).__name__} [{source}]",
                          field="workload", fix="write `key: value` lines (see data/workloads/quick.yaml)")
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise ConfigError(f"unsupported workload schema_version {version!r} [{source}]",
                          field="schema_version", fix=f"use schema_version: {SCHEMA_VERSION}")
    try:
        return Workload.model_validate(dict(data))
    except ValidationError as exc:
        raise config_error(exc, Workload, default_field="workload", source=source,
                           fixes={"name": "use letters, digits, '.', '_' or '-' (at most 64 characters)"}) from None


def load_workload(path: str | Path) -> Workload:
    """Read and validate one workload YAML file (strictly: see streamcompare.yamlio)."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"workload file {str(path)!r} not found", field="workload",
                          fix="give a path to a YAML file, e.g. data/workloads/quick.yaml")
    data = read_yaml(path, what="workload file", field="workload",
                     missing_fix="give a path to a YAML file, e.g. data/workloads/quick.yaml")
    return validate_workload(data or {}, source=str(path))


def builtin_workload(name: str) -> Workload:
    """A workload shipped in data/workloads/ by name (quick, standard, max-rate)."""
    from streamcompare.paths import data_dir

    folder = data_dir() / "workloads"
    path = folder / f"{name}.yaml"
    if not path.exists():
        names = sorted(p.stem for p in folder.glob("*.yaml"))
        raise ConfigError(f"no built-in workload {name!r}", field="workload",
                          fix=f"use one of: {', '.join(names)} or a path to a YAML file")
    return load_workload(path)


def resolve_workload(spec: str | Path) -> Workload:
    """A workload file, or the name of one shipped in data/workloads (quick, standard, max-rate)."""
    path = Path(spec)
    return load_workload(path) if path.suffix in (".yaml", ".yml") or path.exists() else builtin_workload(str(spec))
