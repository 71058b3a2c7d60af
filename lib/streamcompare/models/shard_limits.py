"""Flow control, modelled: Kinesis per-shard limits reject excess writes; Kafka quotas delay instead.

Kinesis (FACTS.md, AWS "Quotas and limits"): each shard accepts 1 MB/s or 1,000 records/s of writes,
whichever binds first; excess is rejected (ProvisionedThroughputExceededException) and must be retried.
Shared-throughput reads give 2 MB/s and 5 GetRecords calls/s per shard, split among consumers;
enhanced fan-out gives each registered consumer its own 2 MB/s per shard.
Kafka: a client over its `producer_byte_rate` quota is not rejected; the broker answers with
`throttle_time_ms` = (observed - quota) / quota * window and mutes the connection for that long.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

SHARD_WRITE_BYTES_PER_S = 1_000_000
SHARD_WRITE_RECORDS_PER_S = 1_000
SHARD_READ_BYTES_PER_S = 2_000_000
SHARD_READ_CALLS_PER_S = 5
KAFKA_QUOTA_WINDOW_S = 11.0  # quota.window.num (11) x quota.window.size.seconds (1)


@dataclass(frozen=True)
class TrafficShape:
    """Records/s over time: a mean rate with periodic bursts, the shape that trips per-shard limits."""

    mean_records_per_s: float
    record_bytes: int
    peak_to_mean: float = 1.0
    burst_every_s: int = 60
    burst_length_s: int = 5
    duration_s: int = 300
    hot_key_share: float = 0.0
    """Share of traffic on one partition key (it all lands on one shard / partition)."""

    def __post_init__(self) -> None:
        checks = {
            "mean_records_per_s": self.mean_records_per_s > 0,
            "record_bytes": self.record_bytes > 0,
            "peak_to_mean": self.peak_to_mean >= 1,
            "burst_length_s": 0 < self.burst_length_s <= self.burst_every_s,
            "duration_s": self.duration_s >= 1,
            "hot_key_share": 0 <= self.hot_key_share <= 1,
        }
        for name, ok in checks.items():
            if not ok:
                from streamcompare.errors import ConfigError

                raise ConfigError(f"invalid value {getattr(self, name)!r}", field=name,
                                  fix="rates and sizes > 0, peak_to_mean >= 1, 0 < burst_length_s <= "
                                      "burst_every_s, 0 <= hot_key_share <= 1")

    def rates(self) -> np.ndarray:
        """Records/s for each second, bursts at peak_to_mean x the base, scaled so the mean is kept."""
        t = np.arange(self.duration_s)
        in_burst = (t % self.burst_every_s) < self.burst_length_s
        shape = np.where(in_burst, self.peak_to_mean, 1.0)
        return self.mean_records_per_s * shape / shape.mean()


def shard_loads(traffic: TrafficShape, shards: int) -> np.ndarray:
    """Records/s per (second, shard): the hot key's share on shard 0, the rest spread evenly by hash."""
    rates = traffic.rates()[:, None]
    even = rates * (1 - traffic.hot_key_share) / shards
    loads = np.repeat(even, shards, axis=1)
    loads[:, 0] += rates[:, 0] * traffic.hot_key_share
    return loads


def kinesis_write_simulation(traffic: TrafficShape, shards: int) -> pd.DataFrame:
    """Per second: offered, accepted and throttled records over all shards, with the binding limit."""
    if shards < 1:
        from streamcompare.errors import ConfigError

        raise ConfigError(f"shards must be at least 1, got {shards}", field="shards", fix="use 1 or more")
    loads = shard_loads(traffic, shards)
    record_cap = min(SHARD_WRITE_RECORDS_PER_S, SHARD_WRITE_BYTES_PER_S / traffic.record_bytes)
    accepted = np.minimum(loads, record_cap)
    binding = "records/s" if SHARD_WRITE_BYTES_PER_S / traffic.record_bytes >= SHARD_WRITE_RECORDS_PER_S else "MB/s"
    return pd.DataFrame({
        "second": np.arange(traffic.duration_s),
        "offered": loads.sum(axis=1),
        "accepted": accepted.sum(axis=1),
        "throttled": (loads - accepted).sum(axis=1),
        "hottest_shard_utilisation": (loads / record_cap).max(axis=1),
        "binding_limit": binding,
    })


def shards_needed(traffic: TrafficShape, headroom: float = 0.0) -> float:
    """Fewest shards with no throttling at the peak second (a hot key may make this impossible: see note)."""
    record_cap = min(SHARD_WRITE_RECORDS_PER_S, SHARD_WRITE_BYTES_PER_S / traffic.record_bytes)
    peak = float(traffic.rates().max()) * (1 + headroom)
    hot = peak * traffic.hot_key_share
    if hot > record_cap:
        return math.inf  # one key alone exceeds a shard: no shard count helps
    rest = peak * (1 - traffic.hot_key_share)
    shards = max(1, math.ceil(peak / record_cap))
    while rest / shards + hot > record_cap:
        shards += 1
    return float(shards)


def kinesis_read_model(traffic: TrafficShape, shards: int, consumers: int, efo: bool) -> dict[str, float]:
    """Per-consumer read capacity and the average polling wait, shared GetRecords vs enhanced fan-out."""
    per_shard_bytes = float(traffic.rates().max()) * traffic.record_bytes / shards
    capacity: float
    if efo:
        capacity = SHARD_READ_BYTES_PER_S
        calls, wait_ms = float("inf"), 0.0
    else:
        capacity = SHARD_READ_BYTES_PER_S / consumers
        calls = SHARD_READ_CALLS_PER_S / consumers
        wait_ms = 1000.0 / calls / 2  # on average a record waits half a polling interval
    return {"read_capacity_bytes_per_s_per_consumer_shard": capacity,
            "peak_read_bytes_per_s_per_shard": per_shard_bytes,
            "read_utilisation": per_shard_bytes / capacity,
            "get_records_calls_per_s_per_consumer_shard": calls,
            "mean_polling_wait_ms": wait_ms}


def kafka_quota_simulation(traffic: TrafficShape, producer_byte_rate: float,
                           window_s: float = KAFKA_QUOTA_WINDOW_S) -> pd.DataFrame:
    """Per second: bytes offered, and the throttle delay a Kafka broker would impose (nothing rejected)."""
    if producer_byte_rate <= 0:
        from streamcompare.errors import ConfigError

        raise ConfigError("producer_byte_rate must be > 0", field="producer_byte_rate",
                          fix="give the quota in bytes/s, e.g. 1048576")
    offered = traffic.rates() * traffic.record_bytes
    window = max(1, int(window_s))
    observed = pd.Series(offered).rolling(window, min_periods=1).mean().to_numpy()
    throttle_ms = np.clip((observed - producer_byte_rate) / producer_byte_rate * window_s * 1000, 0, None)
    return pd.DataFrame({"second": np.arange(traffic.duration_s), "offered_bytes": offered,
                         "observed_bytes_per_s": observed, "throttle_ms": throttle_ms, "rejected": 0.0})


def summary(traffic: TrafficShape, shards: int, producer_byte_rate: float) -> dict[str, float]:
    """Headline figures for the flow-control criterion (all modelled)."""
    kinesis = kinesis_write_simulation(traffic, shards)
    kafka = kafka_quota_simulation(traffic, producer_byte_rate)
    needed = shards_needed(traffic)
    return {
        "kinesis_throttled_fraction": float(kinesis.throttled.sum() / kinesis.offered.sum()),
        "kinesis_shards_needed": float(needed),
        "kafka_rejected_fraction": 0.0,
        "kafka_max_throttle_ms": float(kafka.throttle_ms.max()),
        "kafka_throttled_seconds": float((kafka.throttle_ms > 0).sum()),
    }
