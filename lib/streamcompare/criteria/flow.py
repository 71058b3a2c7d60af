"""04_flow_control: Kinesis shard limits simulated under the user's traffic shape, beside Kafka's quotas."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from streamcompare.models import shard_limits as fc


def traffic(mean_records_per_s: float, record_bytes: int, peak_to_mean: float, hot_key_share: float,
            duration_s: int = 120, burst_every_s: int = 30, burst_length_s: int = 5) -> fc.TrafficShape:
    return fc.TrafficShape(mean_records_per_s=mean_records_per_s, record_bytes=int(record_bytes),
                           peak_to_mean=peak_to_mean, hot_key_share=hot_key_share, duration_s=duration_s,
                           burst_every_s=burst_every_s, burst_length_s=burst_length_s)


def simulation_frame(mean_records_per_s: float, record_bytes: int, peak_to_mean: float, hot_key_share: float,
                     shards: int, producer_byte_rate_mb: float) -> pd.DataFrame:
    """Long form for charts.throttle_sim: Kinesis offered/accepted/throttled and Kafka's throttle delay."""
    shape = traffic(mean_records_per_s, record_bytes, peak_to_mean, hot_key_share)
    kinesis = fc.kinesis_write_simulation(shape, shards)
    kafka = fc.kafka_quota_simulation(shape, producer_byte_rate_mb * 1e6)
    rows: list[dict[str, Any]] = []
    for series in ("offered", "accepted", "throttled"):
        rows += [{"t_s": int(t), "system": "kinesis (records/s)", "series": series, "value": float(v)}
                 for t, v in zip(kinesis.second, kinesis[series], strict=True)]
    rows += [{"t_s": int(t), "system": "kafka (throttle delay, ms)", "series": "throttle_ms", "value": float(v)}
             for t, v in zip(kafka.second, kafka.throttle_ms, strict=True)]
    return pd.DataFrame(rows)


def summary(mean_records_per_s: float, record_bytes: int, peak_to_mean: float, hot_key_share: float,
            shards: int, producer_byte_rate_mb: float) -> dict[str, float]:
    shape = traffic(mean_records_per_s, record_bytes, peak_to_mean, hot_key_share)
    return fc.summary(shape, shards, producer_byte_rate_mb * 1e6) | fc.kinesis_read_model(
        shape, shards, consumers=2, efo=False)


def summary_frame(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame([{"figure": k.replace("_", " "), "value": round(v, 3) if math.isfinite(v) else "impossible"}
                         for k, v in values.items()])


def scores(values: dict[str, float]) -> dict[str, float]:
    """Kafka delays instead of rejecting (8); Kinesis 8 when enough shards fix throttling, less as it throttles,
    3 when one hot key alone exceeds a shard (no shard count helps)."""
    if not math.isfinite(values["kinesis_shards_needed"]):
        kinesis = 3.0
    else:
        kinesis = max(3.0, 8.0 - 10 * values["kinesis_throttled_fraction"])
    return {"kafka-self-managed": 8.0, "msk": 8.0, "kinesis": round(kinesis, 2)}
