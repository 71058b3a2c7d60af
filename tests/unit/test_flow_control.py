"""Kinesis shard-limit simulation and the Kafka quota model, checked against hand arithmetic."""

from __future__ import annotations

import math

import pytest

from streamcompare.errors import ConfigError
from streamcompare.models import shard_limits as fc

pytestmark = pytest.mark.unit


def test_bursts_keep_the_mean() -> None:
    traffic = fc.TrafficShape(1000, 1000, peak_to_mean=3, burst_every_s=10, burst_length_s=2, duration_s=100)
    rates = traffic.rates()
    assert rates.mean() == pytest.approx(1000)
    # 2 of every 10 s at 3x the base b: (8b + 2*3b) / 10 = 1000 -> b = 1000/1.4 = 714.3; peak = 2142.9
    assert rates.max() == pytest.approx(3 * 1000 / 1.4)


def test_records_limit_binds_for_small_records() -> None:
    # 100-byte records: 1 MB/s would allow 10,000 rec/s, so 1,000 rec/s binds. 2 shards, 3,000 rec/s flat:
    # each shard gets 1,500, accepts 1,000 -> 1,000 of 3,000 throttled per second.
    traffic = fc.TrafficShape(3000, 100, duration_s=10)
    sim = fc.kinesis_write_simulation(traffic, shards=2)
    assert set(sim.binding_limit) == {"records/s"}
    assert sim.throttled.sum() / sim.offered.sum() == pytest.approx(1 / 3)


def test_bytes_limit_binds_for_large_records() -> None:
    # 10 KB records: 1 MB/s allows only 100 rec/s per shard. 500 rec/s over 4 shards: 125 each, 25 rejected.
    traffic = fc.TrafficShape(500, 10_000, duration_s=10)
    sim = fc.kinesis_write_simulation(traffic, shards=4)
    assert set(sim.binding_limit) == {"MB/s"}
    assert sim.throttled.iloc[0] == pytest.approx(4 * 25)
    assert fc.shards_needed(traffic) == 5  # 500 / 100


def test_hot_key_needs_more_shards_or_cannot_be_served() -> None:
    even = fc.TrafficShape(1800, 100, duration_s=10)
    skewed = fc.TrafficShape(1800, 100, duration_s=10, hot_key_share=0.5)
    assert fc.shards_needed(even) == 2
    # 900 rec/s on the hot shard plus 900/n spread: 900 + 900/n <= 1000 -> n >= 9
    assert fc.shards_needed(skewed) == 9
    impossible = fc.TrafficShape(3000, 100, duration_s=10, hot_key_share=0.5)
    assert math.isinf(fc.shards_needed(impossible))


def test_kafka_quota_delays_and_rejects_nothing() -> None:
    # 2,000 B/s offered against a 1,000 B/s quota over an 11 s window: (2000-1000)/1000 * 11 s = 11,000 ms
    traffic = fc.TrafficShape(20, 100, duration_s=30)
    sim = fc.kafka_quota_simulation(traffic, producer_byte_rate=1000)
    assert sim.throttle_ms.iloc[-1] == pytest.approx(11_000)
    assert sim.rejected.sum() == 0
    under = fc.kafka_quota_simulation(traffic, producer_byte_rate=5000)
    assert under.throttle_ms.max() == 0


def test_shared_reads_split_among_consumers_efo_does_not() -> None:
    traffic = fc.TrafficShape(1000, 1000, duration_s=10)
    shared = fc.kinesis_read_model(traffic, shards=1, consumers=5, efo=False)
    efo = fc.kinesis_read_model(traffic, shards=1, consumers=5, efo=True)
    assert shared["read_capacity_bytes_per_s_per_consumer_shard"] == 400_000  # 2 MB/s / 5
    assert shared["mean_polling_wait_ms"] == pytest.approx(500)  # 1 call/s each -> wait 0.5 s on average
    assert efo["read_capacity_bytes_per_s_per_consumer_shard"] == 2_000_000


def test_bad_input_names_the_field() -> None:
    with pytest.raises(ConfigError, match="hot_key_share"):
        fc.TrafficShape(100, 100, hot_key_share=1.5)
    with pytest.raises(ConfigError, match="shards"):
        fc.kinesis_write_simulation(fc.TrafficShape(100, 100), shards=0)
