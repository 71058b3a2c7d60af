"""Capacity sizing: Kinesis shards and Kafka brokers needed for a workload, with the limit that binds.

Throughput is in decimal MB/s (1 MB = 10^6 bytes); storage in GB of `gb_bytes` bytes (10^9 unless given).
`headroom` is the fraction of every limit kept spare: with 0.2 nothing is planned above 80% of a shard's or
broker's limit.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

# Kinesis Data Streams per-shard limits (AWS developer guide, "Quotas and limits"; FACTS.md).
SHARD_WRITE_BYTES_PER_S = 1_000_000.0
SHARD_WRITE_RECORDS_PER_S = 1_000.0
SHARD_READ_BYTES_PER_S = 2_000_000.0  # shared by all GetRecords consumers; per consumer with EFO
SHARD_GETRECORDS_CALLS_PER_S = 5

GP3_BASELINE_MB_PER_S = 125.0
GP3_MAX_MB_PER_S = 1000.0


def ceil_count(value: float) -> int:
    """Round a count up, ignoring float noise ((0.1 * 3) / 0.3 must give 1, not 2)."""
    return math.ceil(round(value, 9))


def _binding(candidates: dict[str, int]) -> str:
    top = max(candidates.values())
    return " = ".join(name for name, count in candidates.items() if count == top)


@dataclass(frozen=True)
class KinesisShards:
    """Provisioned shards needed, and which per-shard limit decides it."""

    shards: int
    binding: str
    for_write_bytes: int
    for_write_records: int
    for_shared_reads: int
    records_per_s: float
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("notes")
        return data


def kinesis_shards(write_bytes_per_s: float, avg_record_bytes: int, consumers: int, efo: bool,
                   headroom: float) -> KinesisShards:
    """Shards for 1 MB/s and 1,000 records/s of writes per shard, and 2 MB/s of shared reads per shard.

    Shared (GetRecords) consumers split one shard's 2 MB/s between them; enhanced fan-out consumers each
    get their own 2 MB/s per shard, so with EFO reads never need more shards than writes do.
    """
    usable = 1.0 - headroom
    records_per_s = write_bytes_per_s / avg_record_bytes
    for_bytes = ceil_count(write_bytes_per_s / (SHARD_WRITE_BYTES_PER_S * usable))
    for_records = ceil_count(records_per_s / (SHARD_WRITE_RECORDS_PER_S * usable))
    shared_consumers = 0 if efo else consumers
    for_reads = ceil_count(write_bytes_per_s * shared_consumers / (SHARD_READ_BYTES_PER_S * usable))
    candidates = {"write bytes": for_bytes, "write records": for_records, "shared reads": for_reads,
                  "minimum": 1}
    shards = max(candidates.values())
    notes = [f"Kinesis shard limits: 1 MB/s or 1,000 records/s written, 2 MB/s read "
             f"({'per EFO consumer' if efo else 'shared by all GetRecords consumers'}); planned at "
             f"{usable:.0%} of each limit; partition keys count toward the byte limit but are not modelled."]
    if shared_consumers > SHARD_GETRECORDS_CALLS_PER_S:
        notes.append(f"{shared_consumers} shared consumers share {SHARD_GETRECORDS_CALLS_PER_S} GetRecords "
                     "calls/s per shard: each polls less than once a second; consider enhanced fan-out.")
    return KinesisShards(shards, _binding(candidates), for_bytes, for_records, for_reads, records_per_s,
                         tuple(notes))


@dataclass(frozen=True)
class BrokerProfile:
    """Sustained per-broker capacity of one instance type (baselines, not burst figures)."""

    instance: str
    vcpus: int
    network_mb_per_s: float
    storage_mb_per_s: float
    max_partitions: int
    source: str


BROKER_PROFILES: dict[str, BrokerProfile] = {
    "m5.large": BrokerProfile(
        "m5.large", 2, 93.75, 81.25, 1000,
        "EC2 baselines: network 0.75 Gbps (93.75 MB/s), EBS 650 Mbps (81.25 MB/s); MSK guidance of "
        "1,000 partition replicas per m5.large broker. Not in FACTS.md: unverified."),
    "m5.xlarge": BrokerProfile(
        "m5.xlarge", 4, 156.25, 143.75, 1000,
        "EC2 baselines: network 1.25 Gbps (156.25 MB/s), EBS 1,150 Mbps (143.75 MB/s); MSK guidance of "
        "1,000 partition replicas per m5.xlarge broker. Not in FACTS.md: unverified."),
}
"""Profiles used for both MSK provisioned (kafka.<instance>) and self-managed Kafka on EC2."""


@dataclass(frozen=True)
class KafkaBrokers:
    """Brokers needed for a Kafka cluster, which constraint decides it, and the volume per broker."""

    brokers: int
    binding: str
    for_write: int
    for_network_out: int
    for_storage: int
    for_partitions: int
    minimum: int
    volume_gb_per_broker: int
    stored_gb: float
    disk_write_mb_per_s_per_broker: float
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("notes")
        return data


def kafka_brokers(*, write_mb_per_s: float, consumers: int, replication_factor: int, retention_hours: float,
                  partitions: int, availability_zones: int, profile: BrokerProfile, headroom: float,
                  storage_headroom: float, min_volume_gb: float, max_volume_gb: float,
                  gb_bytes: float = 1e9) -> KafkaBrokers:
    """Brokers for ingress, egress (fan-out), replication, retention and partition count.

    Per broker, with B brokers, RF replicas and c consumer applications (the AWS MSK right-sizing model):
    network in and disk writes carry RF x W / B (producers plus follower fetches); network out carries
    (RF - 1 + c) x W / B (followers plus consumers, served from page cache); each broker holds
    W x retention x RF / B of data. Brokers are spread evenly, so the count is a multiple of the AZs.
    W is what the brokers receive: with producer compression, the compressed bytes.
    """
    usable = 1.0 - headroom
    rf = replication_factor
    inbound_limit = min(profile.network_mb_per_s, profile.storage_mb_per_s) * usable
    for_write = ceil_count(rf * write_mb_per_s / inbound_limit)
    for_out = ceil_count((rf - 1 + consumers) * write_mb_per_s / (profile.network_mb_per_s * usable))
    stored_gb = write_mb_per_s * 1e6 * retention_hours * 3600 * rf / gb_bytes
    needed_gb = stored_gb / (1.0 - storage_headroom)
    for_storage = ceil_count(needed_gb / max_volume_gb)
    for_partitions = ceil_count(partitions * rf / profile.max_partitions)
    minimum = max(rf, availability_zones)
    candidates = {"write": for_write, "network out": for_out, "storage": for_storage,
                  "partitions": for_partitions, "minimum": minimum}
    brokers = ceil_count(max(candidates.values()) / availability_zones) * availability_zones
    volume = max(min_volume_gb, needed_gb / brokers)
    notes = (
        f"Broker {profile.instance}: {profile.network_mb_per_s:g} MB/s network, {profile.storage_mb_per_s:g} "
        f"MB/s storage, {profile.max_partitions} partition replicas, planned at {usable:.0%} ({profile.source})",
        f"Volumes sized for {stored_gb:,.0f} GB ({'2^30' if gb_bytes == 2**30 else f'{gb_bytes:,.0f}'} bytes "
        f"each) of data (W x retention x RF) kept below "
        f"{1 - storage_headroom:.0%} full, at least {min_volume_gb:g} GB per broker.",
        "Consumers are assumed to read recent data from page cache (no extra disk reads).",
    )
    return KafkaBrokers(brokers, _binding(candidates), for_write, for_out, for_storage, for_partitions,
                        minimum, math.ceil(round(volume, 9)), stored_gb, rf * write_mb_per_s / brokers, notes)


@dataclass(frozen=True)
class ExpressBrokers:
    """MSK Express brokers needed for client ingress and egress (replication is handled by the service)."""

    brokers: int
    binding: str
    for_ingress: int
    for_egress: int
    minimum: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def express_brokers(write_mb_per_s: float, consumers: int, in_mb_per_s: float, out_mb_per_s: float,
                    headroom: float) -> ExpressBrokers:
    """Express brokers from per-broker ingress/egress (express.m7g.large: about 15.6 / 31.2 MB/s); 3 AZs, >= 3."""
    usable = 1.0 - headroom
    for_in = ceil_count(write_mb_per_s / (in_mb_per_s * usable))
    for_out = ceil_count(write_mb_per_s * consumers / (out_mb_per_s * usable))
    candidates = {"ingress": for_in, "egress": for_out, "minimum": 3}
    brokers = ceil_count(max(candidates.values()) / 3) * 3
    return ExpressBrokers(brokers, _binding(candidates), for_in, for_out, 3)


def serverless_clusters(write_mb_per_s: float, consumers: int, max_in_mb_per_s: float,
                        max_out_mb_per_s: float, headroom: float) -> int:
    """MSK Serverless clusters needed under the per-cluster ingress/egress quotas."""
    usable = 1.0 - headroom
    return max(1, ceil_count(write_mb_per_s / (max_in_mb_per_s * usable)),
               ceil_count(write_mb_per_s * consumers / (max_out_mb_per_s * usable)))


def gp3_throughput_mb_per_s(disk_write_mb_per_s: float, headroom: float) -> float:
    """Provisioned gp3 throughput per volume: the 125 MB/s baseline, or more if writes need it."""
    needed = ceil_count(disk_write_mb_per_s / (1.0 - headroom))
    return float(min(GP3_MAX_MB_PER_S, max(GP3_BASELINE_MB_PER_S, needed)))


@dataclass(frozen=True)
class CrossAzFactors:
    """How often a produced byte crosses an AZ boundary, per path (clients spread evenly over AZs)."""

    producer_to_leader: float  # fraction of produced bytes whose leader is in another AZ
    replication: float  # follower copies per produced byte that land in another AZ
    consumer_read: float  # fraction of each consumer's reads served from another AZ


def cross_az_factors(availability_zones: int, replication_factor: int,
                     fetch_from_follower: bool) -> CrossAzFactors:
    """Cross-AZ factors for rack-aware replica placement (replicas spread as evenly as possible).

    RF=3 over 3 AZs: producer->leader 2/3, replication 2 (both followers elsewhere), consumer reads 2/3,
    or 0 when consumers fetch from the replica in their own AZ (KIP-392, `client.rack`).
    """
    azs, rf = availability_zones, replication_factor
    base, extra = divmod(rf, azs)
    per_az = [base + 1] * extra + [base] * (azs - extra)
    same_az_followers = sum(n * (n - 1) for n in per_az) / rf  # expected followers sharing the leader's AZ
    elsewhere = (azs - 1) / azs
    consumer = (azs - min(rf, azs)) / azs if fetch_from_follower else elsewhere
    return CrossAzFactors(elsewhere, (rf - 1) - same_az_followers, consumer)
