"""Sizing worked by hand: Kinesis shards (whichever per-shard limit binds) and Kafka brokers."""

from __future__ import annotations

import pytest

from streamcompare.cost.sizing import (
    BROKER_PROFILES,
    ceil_count,
    cross_az_factors,
    express_brokers,
    gp3_throughput_mb_per_s,
    kafka_brokers,
    kinesis_shards,
    serverless_clusters,
)

pytestmark = pytest.mark.unit

M5_LARGE = BROKER_PROFILES["m5.large"]  # 93.75 MB/s network, 81.25 MB/s storage, 1000 partition replicas


def test_ceil_count_ignores_float_noise() -> None:
    assert 0.1 * 3 > 0.3  # the float noise this guards against
    assert ceil_count((0.1 * 3) / 0.3) == 1
    assert ceil_count(11.01) == 12


def test_shards_bound_by_bytes() -> None:
    # 2.5 MB/s of 5,000 B records = 500 records/s, one shared consumer, no headroom:
    #   bytes:   2.5 MB/s / 1 MB/s           = 2.5 -> 3
    #   records: 500 / 1,000                 = 0.5 -> 1
    #   reads:   2.5 MB/s x 1 / 2 MB/s       = 1.25 -> 2
    s = kinesis_shards(2_500_000, 5000, consumers=1, efo=False, headroom=0)
    assert (s.shards, s.for_write_bytes, s.for_write_records, s.for_shared_reads) == (3, 3, 1, 2)
    assert s.binding == "write bytes"


def test_shards_bound_by_records_for_small_records() -> None:
    # 1 MB/s of 100 B records = 10,000 records/s: 10,000 / 1,000 = 10 shards, though 1 MB/s fits one shard.
    s = kinesis_shards(1_000_000, 100, consumers=1, efo=False, headroom=0)
    assert (s.shards, s.for_write_bytes, s.for_write_records) == (10, 1, 10)
    assert s.binding == "write records"


def test_shards_bound_by_shared_reads_and_efo_removes_it() -> None:
    # 1 MB/s of 1,000 B records read by 5 shared consumers: 5 MB/s / 2 MB/s = 2.5 -> 3 shards.
    shared = kinesis_shards(1_000_000, 1000, consumers=5, efo=False, headroom=0)
    assert (shared.shards, shared.binding) == (3, "shared reads")
    # Enhanced fan-out gives each consumer its own 2 MB/s per shard: writes decide (1 shard).
    efo = kinesis_shards(1_000_000, 1000, consumers=5, efo=True, headroom=0)
    assert (efo.shards, efo.for_shared_reads) == (1, 0)
    assert "bytes" in efo.binding


def test_headroom_and_ties_are_reported() -> None:
    # 10 MB/s of 1,000 B records, 2 shared consumers, 20% headroom (plan to 80%):
    #   bytes 10 / 0.8 = 12.5 -> 13; records 10,000 / 800 = 12.5 -> 13; reads 20 / 1.6 = 12.5 -> 13.
    s = kinesis_shards(10_000_000, 1000, consumers=2, efo=False, headroom=0.2)
    assert s.shards == 13
    assert s.binding == "write bytes = write records = shared reads"


def test_idle_stream_still_needs_one_shard() -> None:
    assert kinesis_shards(10, 1000, consumers=0, efo=False, headroom=0).shards == 1


def test_kafka_brokers_worked_example() -> None:
    # 50 MB/s, RF 3, 2 consumers, 24 h, 3 AZs, m5.large, no headroom:
    #   write:       3 x 50 / min(93.75, 81.25)    = 1.85 -> 2
    #   network out: (3 - 1 + 2) x 50 / 93.75      = 2.13 -> 3
    #   storage:     50e6 x 86,400 x 3 / 1e9       = 12,960 GB -> 1 volume of <= 16,000 GB
    #   partitions:  12 x 3 / 1000                 -> 1;  minimum max(RF, AZs) = 3
    #   -> 3 brokers (a multiple of 3 AZs), 12,960 / 3 = 4,320 GB each
    b = kafka_brokers(write_mb_per_s=50, consumers=2, replication_factor=3, retention_hours=24, partitions=12,
                      availability_zones=3, profile=M5_LARGE, headroom=0, storage_headroom=0,
                      min_volume_gb=100, max_volume_gb=16_000)
    assert (b.for_write, b.for_network_out, b.for_storage, b.for_partitions, b.minimum) == (2, 3, 1, 1, 3)
    assert b.brokers == 3 and b.binding == "network out = minimum"
    assert b.stored_gb == pytest.approx(12_960)
    assert b.volume_gb_per_broker == 4320
    assert b.disk_write_mb_per_s_per_broker == pytest.approx(50)


def test_kafka_brokers_round_up_to_az_multiple_and_other_limits_bind() -> None:
    common = dict(consumers=2, replication_factor=3, availability_zones=3, profile=M5_LARGE, headroom=0,
                  storage_headroom=0, min_volume_gb=100, max_volume_gb=16_000)
    # 80 MB/s: network out (2 + 2) x 80 / 93.75 = 3.41 -> 4, rounded up to 6 brokers over 3 AZs.
    out = kafka_brokers(write_mb_per_s=80, retention_hours=24, partitions=12, **common)
    assert (out.for_network_out, out.brokers, out.binding) == (4, 6, "network out")
    # 10,000 partitions x RF 3 / 1,000 per broker = 30 brokers.
    parts = kafka_brokers(write_mb_per_s=1, retention_hours=24, partitions=10_000, **common)
    assert (parts.brokers, parts.binding) == (30, "partitions")
    # 10 MB/s kept 720 h: 10e6 x 2,592,000 x 3 / 1e9 = 77,760 GB / 16,000 = 4.86 -> 5 -> 6 brokers.
    store = kafka_brokers(write_mb_per_s=10, retention_hours=720, partitions=12, **common)
    assert (store.for_storage, store.brokers, store.binding) == (5, 6, "storage")
    assert store.volume_gb_per_broker == 12_960  # 77,760 / 6


def test_small_volumes_get_the_minimum_size_and_headroom() -> None:
    # 0.01 MB/s x 24 h x RF 3 = 2.592 GB; / 0.8 = 3.24 GB -> raised to the 100 GB minimum.
    b = kafka_brokers(write_mb_per_s=0.01, consumers=1, replication_factor=3, retention_hours=24, partitions=1,
                      availability_zones=3, profile=M5_LARGE, headroom=0.2, storage_headroom=0.2,
                      min_volume_gb=100, max_volume_gb=16_000)
    assert b.volume_gb_per_broker == 100


@pytest.mark.parametrize(("azs", "rf", "fff", "expected"), [
    (3, 3, False, (2 / 3, 2.0, 2 / 3)),  # FACTS.md: 2/3 to the leader, twice for replication, 2/3 per read
    (3, 3, True, (2 / 3, 2.0, 0.0)),  # a replica in every AZ: reads stay local
    (3, 2, True, (2 / 3, 1.0, 1 / 3)),  # replicas in 2 of 3 AZs: 1/3 of consumers have none nearby
    (2, 3, False, (1 / 2, 4 / 3, 1 / 2)),  # replicas 2+1: a leader in the pair AZ has 1 local follower
    (1, 3, False, (0.0, 0.0, 0.0)),  # one AZ: nothing crosses
])
def test_cross_az_factors(azs: int, rf: int, fff: bool, expected: tuple[float, float, float]) -> None:
    f = cross_az_factors(azs, rf, fff)
    assert (f.producer_to_leader, f.replication, f.consumer_read) == pytest.approx(expected)


def test_express_and_serverless_and_gp3() -> None:
    # Express: 100 MB/s in / 15 = 6.67 -> 7; out 2 x 100 / 30 = 6.67 -> 7; -> 9 (multiple of 3 AZs).
    e = express_brokers(100, 2, in_mb_per_s=15, out_mb_per_s=30, headroom=0)
    assert (e.for_ingress, e.for_egress, e.brokers) == (7, 7, 9)
    # Serverless: 300 MB/s in / 200 per cluster = 1.5 -> 2 clusters; 1 MB/s fits one.
    assert serverless_clusters(300, 1, 200, 400, headroom=0) == 2
    assert serverless_clusters(1, 1, 200, 400, headroom=0) == 1
    # gp3: 125 MB/s included; 130 MB/s of writes needs 130 provisioned; 2,000 is capped at 1,000.
    assert gp3_throughput_mb_per_s(50, headroom=0) == 125
    assert gp3_throughput_mb_per_s(130, headroom=0) == 130
    assert gp3_throughput_mb_per_s(2000, headroom=0) == 1000


def test_headroom_boundary() -> None:
    # Planned at 80%: 8 MB/s fills exactly 10 shards (8 / 0.8), 8.01 MB/s needs an 11th.
    assert kinesis_shards(8_000_000, 10_000, consumers=0, efo=False, headroom=0.2).shards == 10
    assert kinesis_shards(8_010_000, 10_000, consumers=0, efo=False, headroom=0.2).shards == 11
