"""Flow control, measured on both systems under the same traffic shape (bursts and a hot key).

Kinesis (emulated: the local emulator behind the fidelity layer that enforces AWS's per-shard limits):
- at the given shard counts (the criterion passes 1, 2 and the count the simulation recommends),
  retries off, so every rejected entry shows: offered vs accepted per second and the throttled
  fraction (the criterion sets the simulation of the same shape beside it: probes do not import models);
- at 2 shards with retries on and a consumer: throttled entries, retries, the publish latency the
  backoff adds (against the recommended-shards run) and records lost (must be 0).
Kafka (measured on the local cluster): a client-id quota (producer_byte_rate, consumer_byte_rate)
set with Kafka's ConfigCommand, the harness offering more than the quota: achieved vs quota, the
throttle time the client reports (librdkafka), publish latency, nothing rejected or lost; the quota
is removed afterwards, also on failure.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from streamcompare.bench.driverref import DriverRef
from streamcompare.bench.measurement import Measurement
from streamcompare.bench.runner import run_once
from streamcompare.bench.workload import Workload, validate_workload
from streamcompare.drivers.base import DriverRegistry
from streamcompare.drivers.kafka import KafkaDriver, KafkaProducer
from streamcompare.errors import ConfigError
from streamcompare.stack import kafka_quotas
from streamcompare.stack.kinesis_limits import control
from streamcompare.target import Target

Progress = Callable[[str], None]
Variant = Literal["quick", "standard"]


@dataclass(frozen=True)
class FlowSettings:
    """The shape both systems get, and the Kafka quota."""

    rate: int = 1_000
    record_bytes: int = 100
    peak_to_mean: float = 2.5
    burst_every_s: float = 3.0
    burst_length_s: float = 1.0
    hot_key_share: float = 0.4
    duration_s: float = 6.0
    headroom: float = 0.1
    """Headroom the recommended shard count keeps over the simulated peak."""
    kafka_quota_bytes_per_s: int = 100_000
    kafka_rate: int = 160
    kafka_record_bytes: int = 1_000
    kafka_duration_s: float = 8.0

    @classmethod
    def variant(cls, name: Variant) -> FlowSettings:
        if name == "quick":
            return cls()
        if name == "standard":
            return cls(duration_s=30.0, burst_every_s=5.0, burst_length_s=1.0, kafka_rate=200,
                       kafka_duration_s=30.0)
        raise ConfigError(f"unknown variant {name!r}", field="variant", fix="use quick or standard")

    def workload(self, partitions: int, *, max_attempts: int, consumers: int) -> Workload:
        return validate_workload({
            "name": "flow-control", "rate": self.rate, "record_bytes": self.record_bytes,
            "duration_s": self.duration_s, "partitions": partitions, "producers": 1, "consumers": consumers,
            "drain_timeout_s": 20.0,
            "shape": {"kind": "bursts", "peak_to_mean": self.peak_to_mean, "burst_every_s": self.burst_every_s,
                      "burst_length_s": self.burst_length_s, "hot_key_share": self.hot_key_share},
            "kinesis": {"producer_mode": "put_records", "max_attempts": max_attempts, "backoff_ms": 50,
                        "poll_interval_ms": 250}}, source="flow-control probe")

    def kafka_workload(self) -> Workload:
        return validate_workload({
            "name": "flow-control-kafka", "rate": self.kafka_rate, "record_bytes": self.kafka_record_bytes,
            "duration_s": self.kafka_duration_s, "partitions": 1, "producers": 1, "consumers": 1,
            "replication_factor": 1, "drain_timeout_s": 60.0, "kafka": {"acks": "all", "linger_ms": 5}},
            source="flow-control probe")


def _quantiles_ms(m: Measurement) -> dict[str, float | None]:
    q = m.publish_latency.quantiles()
    return {k: (None if q.get(k) is None else round(float(q[k]) / 1000, 2))  # type: ignore[arg-type]
            for k in ("p50", "p99", "max")}


def _per_second(m: Measurement) -> list[dict[str, Any]]:
    return [{"second": r["t_s"], "offered": r["sent"], "accepted": r["acked"], "throttled": r["failed"]}
            for r in m.windows.rows() if isinstance(r["t_s"], int) and r["t_s"] >= 0]


def kinesis_run(target: Target, settings: FlowSettings, shards: int, *, retries: bool,
                progress: Progress) -> dict[str, Any]:
    """One run through the fidelity layer; the layer's windows are emptied first."""
    endpoint = str(target.need_kinesis().endpoint)
    control.reset(endpoint)
    workload = settings.workload(shards, max_attempts=20 if retries else 1, consumers=1 if retries else 0)
    progress(f"Kinesis: {shards} shard(s), retries {'on' if retries else 'off'}, {settings.duration_s:g} s")
    m = run_once(DriverRef("kinesis", target), workload, settings.rate,
                 stream=f"sc-flow-{uuid.uuid4().hex[:8]}", consumer_in_subprocess=False)
    layer = control.stats(endpoint)
    sent, acked, failed = (int(m.throughput[k]) for k in ("sent", "acked", "failed"))
    return {"system": "kinesis", "evidence": "emulated", "shards": shards, "retries": retries,
            "offered": sent, "accepted": acked, "failed": failed,
            "throttled_fraction": round(failed / sent, 4) if sent else None,
            "throttled_entries": int(m.counts["throttles"]), "retried_entries": int(m.counts["retries"]),
            "layer_throttled_entries": int(layer["counters"].get("throttled_entries", 0)),
            "lost": m.counts["lost"], "duplicates": m.counts["duplicates"],
            "publish_latency_ms": _quantiles_ms(m), "per_second": _per_second(m),
            "kinesis_limits": {"limits": layer["limits"], "faults": layer["faults"]},
            "emulator_headroom": layer.get("headroom"), "notes": m.notes}


class _RecordingKafka(KafkaDriver):
    """The Kafka driver with a client id on every client, keeping its producers (for throttle times)."""

    def __init__(self, target: Target, client_id: str) -> None:
        super().__init__(target)
        self.client_id = client_id
        self.producers: list[KafkaProducer] = []

    def producer(self, stream: str, settings: Mapping[str, Any], on_ack: Any) -> KafkaProducer:
        extra = {**(settings.get("extra") or {}), "client.id": self.client_id}
        made = super().producer(stream, {**settings, "extra": extra, "statistics_interval_ms": 500}, on_ack)
        self.producers.append(made)
        return made

    def consumer(self, stream: str, settings: Mapping[str, Any]) -> Any:
        extra = {**(settings.get("consumer_extra") or {}), "client.id": self.client_id}
        return super().consumer(stream, {**settings, "consumer_extra": extra})


def kafka_quota_run(target: Target, settings: FlowSettings, progress: Progress) -> dict[str, Any]:
    """The harness above a client-id quota; the quota is removed afterwards, also on failure."""
    bootstrap = target.need_kafka().bootstrap
    client_id = f"sc-flow-{uuid.uuid4().hex[:8]}"
    quota = settings.kafka_quota_bytes_per_s
    workload = settings.kafka_workload()
    registry = DriverRegistry()
    drivers: list[_RecordingKafka] = []

    def factory(t: Target) -> _RecordingKafka:
        drivers.append(_RecordingKafka(t, client_id))
        return drivers[-1]

    registry.register("kafka", factory)
    offered = settings.kafka_rate * settings.kafka_record_bytes
    progress(f"Kafka: quota {quota:,} B/s for client id {client_id}, offering {offered:,} B/s")
    started = time.monotonic()
    with kafka_quotas.client_quota(bootstrap, client_id, producer_byte_rate=quota, consumer_byte_rate=quota):
        m = run_once(DriverRef("kafka", target), workload, settings.kafka_rate, registry=registry,
                     stream=client_id, consumer_in_subprocess=False)
    throttles = [t for d in drivers for p in d.producers for t in p.throttle_ms]
    windows = [w for d in drivers for p in d.producers for w in p.stats_throttle]
    per_second = _per_second(m)
    backlog = np.cumsum([r["offered"] - r["accepted"] for r in per_second]).tolist()
    # achieved = acknowledged within the run's seconds, by acknowledgement time (late acks are the delay)
    in_run = [r for r in per_second if r["second"] < workload.duration_s]
    achieved = sum(r["accepted"] for r in in_run) * settings.kafka_record_bytes / max(1, len(in_run))
    return {"system": "kafka", "evidence": "measured", "client_id": client_id,
            "quota_bytes_per_s": quota, "offered_bytes_per_s": offered,
            "achieved_bytes_per_s": round(achieved), "achieved_vs_quota": round(achieved / quota, 3),
            "acked_after_run": int(m.throughput["acked"]) - sum(r["accepted"] for r in in_run),
            "throttle_events": len(throttles),
            "throttle_ms": {"p50": _pct(throttles, 50), "p99": _pct(throttles, 99),
                            "max": round(max(throttles), 1) if throttles else None},
            "stats_throttle_windows": windows[-20:],
            "failed": int(m.counts["failed"]), "lost": m.counts["lost"], "unsent": int(m.counts["unsent"]),
            "publish_latency_ms": _quantiles_ms(m), "backlog_records_per_second": backlog,
            "per_second": per_second, "wall_s": round(time.monotonic() - started, 1), "notes": m.notes}


def _pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


def run(target: Target, variant: Variant = "quick", *, shard_counts: Sequence[int] = (1, 2),
        progress: Progress = lambda _m: None, kinesis: bool = True, kafka: bool = True) -> dict[str, Any]:
    """Kinesis at each shard count with retries off, then at 2 shards with retries on; the Kafka quota run."""
    settings = FlowSettings.variant(variant)
    started = time.monotonic()
    result: dict[str, Any] = {"variant": variant, "settings": asdict(settings), "kinesis": [], "kafka": None}
    if kinesis:
        if not (target.kinesis and target.kinesis.limits):
            raise ConfigError("the Kinesis endpoint has no fidelity layer: the emulator alone never throttles",
                              field="kinesis_limits", fix="start the stack with `--kinesis-limits on` (default)")
        for shards in shard_counts:
            result["kinesis"].append(kinesis_run(target, settings, shards, retries=False, progress=progress))
        result["kinesis"].append(kinesis_run(target, settings, 2, retries=True, progress=progress))
        control.reset(str(target.need_kinesis().endpoint))
    if kafka:
        result["kafka"] = kafka_quota_run(target, settings, progress)
    result["wall_s"] = round(time.monotonic() - started, 1)
    return result


def rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One flat row per run, for tables and the result store."""
    out = []
    for run_ in result.get("kinesis", []):
        out.append({"system": "Kinesis (emulated)", "shards": run_["shards"], "retries": run_["retries"],
                    "offered": run_["offered"], "accepted": run_["accepted"],
                    "throttled_fraction_measured": run_["throttled_fraction"],
                    "throttled_fraction_simulated": (run_.get("simulated") or {}).get("throttled_fraction"),
                    "throttled_entries": run_["throttled_entries"], "retried_entries": run_["retried_entries"],
                    "lost": run_["lost"], "publish_p50_ms": run_["publish_latency_ms"]["p50"],
                    "publish_p99_ms": run_["publish_latency_ms"]["p99"], **_headroom_row(run_)})
    kafka = result.get("kafka")
    if kafka:
        out.append({"system": "Kafka (measured)", "quota_bytes_per_s": kafka["quota_bytes_per_s"],
                    "offered_bytes_per_s": kafka["offered_bytes_per_s"],
                    "achieved_bytes_per_s": kafka["achieved_bytes_per_s"],
                    "throttle_p50_ms": kafka["throttle_ms"]["p50"], "throttle_p99_ms": kafka["throttle_ms"]["p99"],
                    "failed": kafka["failed"], "lost": kafka["lost"],
                    "publish_p50_ms": kafka["publish_latency_ms"]["p50"],
                    "publish_p99_ms": kafka["publish_latency_ms"]["p99"]})
    return out


def _headroom_row(run_: Mapping[str, Any]) -> dict[str, Any]:
    """The emulator's own pace next to the limit (stack/kinesis_limits/headroom.py), flattened."""
    room = run_.get("emulator_headroom") or {}
    return {"emulator_put_p50_ms": room.get("put_p50_ms"), "emulator_put_p99_ms": room.get("put_p99_ms"),
            "emulator_records_per_s": room.get("write_records_per_s"),
            "limit_records_per_s": room.get("write_limit_records_per_s"),
            "backend_bound": bool(room.get("backend_bound")), "backend_warning": room.get("warning")}
