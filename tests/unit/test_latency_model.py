"""The cloud latency model adds up its visible components; published figures load with sources."""

from __future__ import annotations

import pytest

from streamcompare.errors import ConfigError
from streamcompare.models import cloud_latency as lm
from streamcompare.reference.published_latency import published_reference

pytestmark = pytest.mark.unit


def test_kafka_acks_all_adds_the_replication_round_trip() -> None:
    p = lm.CloudLatencyParameters(same_az_rtt_ms=0.3, cross_az_rtt_ms=1.2, kafka_linger_ms=5, kafka_broker_ms=1)
    totals = lm.model_totals(p, kafka_acks="all").set_index(["system", "metric"]).ms
    to_leader = 2 / 3 * 1.2 + 1 / 3 * 0.3  # 0.9 ms
    assert totals["kafka", "publish"] == pytest.approx(5 + to_leader + 1 + 1.2)
    assert totals["kafka", "end-to-end"] == pytest.approx(5 + to_leader + 1 + 1.2 + to_leader)
    acks1 = lm.model_totals(p, kafka_acks="1").set_index(["system", "metric"]).ms
    assert totals["kafka", "publish"] - acks1["kafka", "publish"] == pytest.approx(1.2)


def test_kinesis_polling_interval_is_bounded_by_shared_get_records_calls() -> None:
    # five consumers share 5 calls/s per shard: each can poll at most every 1,000 ms even if asked for 200
    p = lm.CloudLatencyParameters(kinesis_poll_interval_ms=200, kinesis_consumers=5, client_to_kinesis_rtt_ms=2,
                                  kinesis_put_service_ms=15)
    totals = lm.model_totals(p).set_index(["system", "metric"]).ms
    assert totals["kinesis", "publish"] == pytest.approx(17)
    assert totals["kinesis", "end-to-end"] == pytest.approx(17 + 500 + 2)


def test_efo_uses_the_published_average() -> None:
    totals = lm.model_totals(lm.CloudLatencyParameters(efo=True)).set_index(["system", "metric"]).ms
    assert totals["kinesis", "end-to-end"] == pytest.approx(70)


def test_every_component_says_where_its_number_comes_from() -> None:
    frame = lm.model_frame(lm.CloudLatencyParameters())
    assert set(frame.source) <= {"parameter", "published", "measured"}
    reference = published_reference()
    assert {"enhanced fan-out", "shared GetRecords, 5 consumers"} <= set(reference.what)
    assert reference.source.str.len().min() > 10


def test_negative_parameter_is_refused_by_name() -> None:
    with pytest.raises(ConfigError, match="cross_az_rtt_ms"):
        lm.CloudLatencyParameters(cross_az_rtt_ms=-1)
