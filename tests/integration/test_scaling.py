"""Scaling operations measured on the live stack."""

from __future__ import annotations

import pytest

from streamcompare.probes import scaling

pytestmark = pytest.mark.integration


def test_kinesis_reshard_reaches_the_target_shard_count(live_target: dict[str, object]) -> None:
    result = scaling.kinesis_reshard(live_target, from_shards=1, to_shards=2)
    assert result.to_units == 2 and 0 < result.seconds < 60
    assert result.emulator and "emulator" in result.note


def test_kafka_add_partitions_gives_every_partition_a_leader(live_stack) -> None:
    result = scaling.kafka_add_partitions(live_stack.target(), from_partitions=2, to_partitions=4,
                                          replication_factor=min(3, live_stack.state.brokers))
    assert result.system == "kafka" and not result.emulator
    assert 0 < result.seconds < 60
