"""Kafka cost models: MSK provisioned, MSK Serverless, MSK Express and self-managed Kafka on EC2.

Kafka producers compress record batches; brokers store, replicate and serve them compressed. So
`compression_ratio` shrinks every byte the brokers see: network, disk, cross-AZ transfer, per-GB charges.
"""

from __future__ import annotations

from dataclasses import replace

from .estimate import CostEstimate, LineItem, gb_line, gb_note, gb_priced_line, gib, ops_line, ops_note, priced_line
from .prices import PriceTable
from .scenario import Scenario
from .sizing import (
    BROKER_PROFILES,
    GP3_BASELINE_MB_PER_S,
    BrokerProfile,
    KafkaBrokers,
    cross_az_factors,
    express_brokers,
    gp3_throughput_mb_per_s,
    kafka_brokers,
    serverless_clusters,
)

CONTROLLER_INSTANCE = "m5.large"
CROSS_AZ_KEY = "data-transfer-cross-az"
EXPRESS_KEYS = ("msk-express-broker-express.m7g.large-hour", "msk-express-storage", "msk-express-data-in")


def broker_profile(scenario: Scenario) -> BrokerProfile:
    """The instance profile, with any per-scenario overrides of its capacity figures."""
    sz = scenario.sizing
    profile = BROKER_PROFILES[sz.broker_instance]
    overrides = (sz.broker_network_mb_per_s, sz.broker_storage_mb_per_s, sz.max_partitions_per_broker)
    if all(v is None for v in overrides):
        return profile
    return replace(profile, network_mb_per_s=sz.broker_network_mb_per_s or profile.network_mb_per_s,
                   storage_mb_per_s=sz.broker_storage_mb_per_s or profile.storage_mb_per_s,
                   max_partitions=sz.max_partitions_per_broker or profile.max_partitions,
                   source=profile.source + " (overridden in scenario)")


def compression_note(scenario: Scenario) -> str:
    ratio = scenario.compression_ratio
    if ratio == 1:
        return "No compression assumed (compression_ratio 1): brokers carry and store the producer payload as is."
    return (f"Producer batches compressed {ratio:g}:1: brokers receive, store, replicate and serve "
            f"{scenario.kafka_bytes_per_s / 1e6:,.3g} MB/s instead of {scenario.write_mb_per_s:g} MB/s "
            "(network, disk, cross-AZ and per-GB lines); the clients' CPU for compression is not priced.")


def size_brokers(scenario: Scenario) -> KafkaBrokers:
    s, sz = scenario, scenario.sizing
    return kafka_brokers(write_mb_per_s=s.kafka_bytes_per_s / 1e6, consumers=s.consumers,
                         replication_factor=s.replication_factor, retention_hours=s.retention_hours,
                         partitions=s.partitions, availability_zones=s.availability_zones,
                         profile=broker_profile(s), headroom=sz.headroom, storage_headroom=sz.storage_headroom,
                         min_volume_gb=sz.min_volume_gb, max_volume_gb=sz.max_volume_gb, gb_bytes=sz.gb_bytes)


def _client_cross_az(scenario: Scenario, prices: PriceTable) -> list[LineItem]:
    """Producer->leader and consumer-read traffic that crosses AZs, billed per GB in each direction."""
    s = scenario
    factors = cross_az_factors(s.availability_zones, s.replication_factor, s.fetch_from_follower)
    month_bytes = s.kafka_bytes_per_s * s.seconds_per_month
    items = []
    if factors.producer_to_leader:
        items.append(gb_line(prices, CROSS_AZ_KEY,
                             f"cross-AZ producer->leader ({factors.producer_to_leader:.3g} of bytes cross, "
                             "billed both directions)", 2 * factors.producer_to_leader * month_bytes,
                             s.sizing.gb_bytes))
    if factors.consumer_read and s.consumers:
        items.append(gb_line(prices, CROSS_AZ_KEY,
                             f"cross-AZ consumer reads ({s.consumers} consumers, {factors.consumer_read:.3g}"
                             " of reads cross, billed both directions)",
                             2 * factors.consumer_read * s.consumers * month_bytes, s.sizing.gb_bytes))
    return items


def _cross_az_note(scenario: Scenario) -> str:
    s = scenario
    f = cross_az_factors(s.availability_zones, s.replication_factor, s.fetch_from_follower)
    how = "from a replica in their own AZ (KIP-392)" if s.fetch_from_follower else "from the partition leader"
    return (f"Cross-AZ over {s.availability_zones} AZs with RF {s.replication_factor}: producer->leader "
            f"{f.producer_to_leader:.3g} of bytes, replication {f.replication:.3g} copies per byte, consumer "
            f"reads {f.consumer_read:.3g} (consumers fetch {how}); each crossing GB is billed $/GB out and in.")


def msk_provisioned(scenario: Scenario, prices: PriceTable) -> CostEstimate:
    """Broker-hours, provisioned storage and client traffic that crosses AZs (replication is free)."""
    s = scenario
    brokers = size_brokers(s)
    instance = s.sizing.broker_instance
    items: list[LineItem | None] = [
        priced_line(prices, f"msk-broker-kafka.{instance}-hour",
                    f"broker-hours ({brokers.brokers} x kafka.{instance} x {s.hours_per_month:g} h)",
                    brokers.brokers * s.hours_per_month),
        gb_priced_line(prices, "msk-storage",
                       f"broker storage ({brokers.brokers} x {brokers.volume_gb_per_broker} GB)",
                       brokers.brokers * brokers.volume_gb_per_broker, s.sizing.gb_bytes),
        *_client_cross_az(s, prices),
        ops_line(s, "msk-provisioned"),
    ]
    notes = [*brokers.notes, f"Broker count decided by: {brokers.binding}.", _cross_az_note(s),
             "MSK does not charge replication traffic between brokers.", compression_note(s),
             gb_note(s.sizing.gb_bytes), ops_note(s)]
    if s.availability_zones not in (2, 3):
        notes.append(f"MSK spreads brokers over 2 or 3 AZs; availability_zones={s.availability_zones} is modelled "
                     "as given.")
    return CostEstimate.from_items("msk-provisioned", items, {**brokers.as_dict(), "instance": instance}, notes)


def kafka_ec2(scenario: Scenario, prices: PriceTable) -> CostEstimate:
    """Self-managed Kafka: instances, gp3 volumes, KRaft controllers and all cross-AZ traffic."""
    s, sz = scenario, scenario.sizing
    brokers = size_brokers(s)
    instance = sz.broker_instance
    throughput = gp3_throughput_mb_per_s(brokers.disk_write_mb_per_s_per_broker, sz.headroom)
    factors = cross_az_factors(s.availability_zones, s.replication_factor, s.fetch_from_follower)
    month_bytes = s.kafka_bytes_per_s * s.seconds_per_month
    items: list[LineItem | None] = [
        priced_line(prices, f"ec2-{instance}-hour",
                    f"broker instances ({brokers.brokers} x {instance} x {s.hours_per_month:g} h)",
                    brokers.brokers * s.hours_per_month),
        gb_priced_line(prices, "ebs-gp3-storage", f"broker gp3 volumes ({brokers.brokers} x "
                       f"{brokers.volume_gb_per_broker} GB)", brokers.brokers * brokers.volume_gb_per_broker,
                       sz.gb_bytes),
    ]
    if throughput > GP3_BASELINE_MB_PER_S:
        items.append(priced_line(prices, "ebs-gp3-throughput",
                                 f"gp3 throughput above 125 MB/s ({brokers.brokers} x {throughput:g} MB/s)",
                                 brokers.brokers * (throughput - GP3_BASELINE_MB_PER_S)))
    if sz.kraft_controllers:
        items.append(priced_line(prices, f"ec2-{CONTROLLER_INSTANCE}-hour",
                                 f"KRaft controllers ({sz.kraft_controllers} x {CONTROLLER_INSTANCE} x "
                                 f"{s.hours_per_month:g} h)", sz.kraft_controllers * s.hours_per_month))
        if sz.controller_volume_gb:
            items.append(gb_priced_line(prices, "ebs-gp3-storage", f"controller gp3 volumes "
                                        f"({sz.kraft_controllers} x {sz.controller_volume_gb:g} GB)",
                                        sz.kraft_controllers * sz.controller_volume_gb, sz.gb_bytes))
    cross = _client_cross_az(s, prices)
    if factors.replication:
        cross.insert(1 if factors.producer_to_leader else 0, gb_line(
            prices, CROSS_AZ_KEY, f"cross-AZ replication ({factors.replication:.3g} follower copies per byte "
            "in other AZs, billed both directions)", 2 * factors.replication * month_bytes, sz.gb_bytes))
    items += [*cross, ops_line(s, "kafka-ec2")]
    notes = [*brokers.notes, f"Broker count decided by: {brokers.binding}.", _cross_az_note(s),
             f"gp3 volumes: 3,000 IOPS included (enough for Kafka's sequential writes), {throughput:g} MB/s "
             "provisioned per broker.",
             f"{sz.kraft_controllers} dedicated KRaft controllers on {CONTROLLER_INSTANCE} "
             "(set sizing.kraft_controllers = 0 for combined broker/controller nodes).",
             "On-demand instance prices; reserved instances or savings plans would lower instance cost.",
             compression_note(s), gb_note(sz.gb_bytes), ops_note(s)]
    return CostEstimate.from_items("kafka-ec2", items, {**brokers.as_dict(), "instance": instance,
                                                        "gp3_mb_per_s": throughput}, notes)


def msk_serverless(scenario: Scenario, prices: PriceTable) -> CostEstimate:
    """Cluster-hours, partition-hours, GiB in and out, GiB-month stored (prices unverified)."""
    s, sz = scenario, scenario.sizing
    clusters = serverless_clusters(s.kafka_bytes_per_s / 1e6, s.consumers, sz.serverless_max_in_mb_per_s,
                                   sz.serverless_max_out_mb_per_s, sz.headroom)
    month_bytes = s.kafka_bytes_per_s * s.seconds_per_month
    items: list[LineItem | None] = [
        priced_line(prices, "msk-serverless-cluster-hour", f"cluster-hours ({clusters} x {s.hours_per_month:g} h)",
                    clusters * s.hours_per_month),
        priced_line(prices, "msk-serverless-partition-hour", f"partition-hours ({s.partitions} partitions)",
                    s.partitions * s.hours_per_month),
        priced_line(prices, "msk-serverless-data-in", "data in", gib(month_bytes)),
    ]
    if s.consumers:
        items.append(priced_line(prices, "msk-serverless-data-out", f"data out ({s.consumers} consumers)",
                                 s.consumers * gib(month_bytes)))
    items += [priced_line(prices, "msk-serverless-storage", f"storage ({s.retention_hours:g} h retained)",
                          gib(s.kafka_bytes_per_s * s.retention_hours * 3600)),
              ops_line(s, "msk-serverless")]
    notes = [f"MSK Serverless quotas assumed {sz.serverless_max_in_mb_per_s:g} MB/s in and "
             f"{sz.serverless_max_out_mb_per_s:g} MB/s out per cluster (unverified); {clusters} cluster(s).",
             "Replication is included; storage is billed once per byte. Client cross-AZ traffic is not modelled.",
             "MSK Serverless prices say GiB (2^30 bytes): sizing.gb_bytes does not apply to them.",
             compression_note(s), ops_note(s)]
    return CostEstimate.from_items("msk-serverless", items, {"clusters": clusters, "partitions": s.partitions},
                                   notes)


def msk_express(scenario: Scenario, prices: PriceTable) -> CostEstimate:
    """Express brokers sized by per-broker ingress/egress; broker-hours, GB written, GB-month stored, cross-AZ.

    Every Express price is unverified (secondary sources, FACTS.md); an estimate says so. If a price table
    lists an Express price without a value, the option is sized but reported as not priced.
    """
    s, sz = scenario, scenario.sizing
    wire_mb_per_s = s.kafka_bytes_per_s / 1e6
    brokers = express_brokers(wire_mb_per_s, s.consumers, sz.express_in_mb_per_s, sz.express_out_mb_per_s,
                              sz.headroom)
    notes = [f"express.m7g.large sustains about {sz.express_in_mb_per_s:g} MB/s in and "
             f"{sz.express_out_mb_per_s:g} MB/s out per broker (FACTS.md); planned at {1 - sz.headroom:.0%} for "
             f"{wire_mb_per_s:,.4g} MB/s in and {wire_mb_per_s * s.consumers:,.4g} MB/s out; brokers span 3 AZs. "
             f"Broker count decided by: {brokers.binding}."]
    if s.replication_factor != 3:
        notes.append(f"Express brokers enforce replication factor 3; replication_factor={s.replication_factor} "
                     "does not apply to this option.")
    missing = [key for key in EXPRESS_KEYS if not prices.get(key).priced]
    if missing:
        return CostEstimate.not_priced("msk-express", missing, brokers.as_dict(), notes)
    month_bytes = s.kafka_bytes_per_s * s.seconds_per_month
    items: list[LineItem | None] = [
        priced_line(prices, EXPRESS_KEYS[0], f"broker-hours ({brokers.brokers} x express.m7g.large x "
                    f"{s.hours_per_month:g} h)", brokers.brokers * s.hours_per_month),
        gb_line(prices, "msk-express-storage", f"storage ({s.retention_hours:g} h retained, once per byte)",
                s.kafka_bytes_per_s * s.retention_hours * 3600, sz.gb_bytes,
                note="Pay-as-you-go storage billed once per byte stored (replication included; unverified)."),
        gb_line(prices, "msk-express-data-in", "data written by producers", month_bytes, sz.gb_bytes),
        *_client_cross_az(s, prices),
        ops_line(s, "msk-express"),
    ]
    notes += ["No volumes to provision: storage is billed on bytes retained, not on sized volumes.",
              _cross_az_note(s), "MSK does not charge replication traffic between brokers.", compression_note(s),
              gb_note(sz.gb_bytes), ops_note(s)]
    return CostEstimate.from_items("msk-express", items, brokers.as_dict(), notes)
