"""The Kinesis fidelity layer's pure parts: rate limiters, routing, bodies, error answers, settings."""

from __future__ import annotations

import asyncio
import base64
import json
import random
from collections.abc import Mapping
from typing import Any

import cbor2
import pytest

from streamcompare.errors import ConfigError
from streamcompare.stack.kinesis_limits import awserrors, codec
from streamcompare.stack.kinesis_limits.admission import Admission
from streamcompare.stack.kinesis_limits.buckets import DebtBucket, RollingWindow
from streamcompare.stack.kinesis_limits.routing import MAX_HASH_KEY, ShardMap, hash_key, stream_name
from streamcompare.stack.kinesis_limits.settings import Faults, Limits, ServiceTime

pytestmark = pytest.mark.unit


class FakeClock:
    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


# -- rate limiters ---------------------------------------------------------------------------------
def test_rolling_window_admits_the_limit_within_one_second_and_no_more() -> None:
    clock = FakeClock()
    window = RollingWindow(1000, clock=clock)
    taken = 0
    for i in range(3000):  # 3,000 records spread over 0.9 s
        clock.t = 100.0 + 0.9 * i / 3000
        taken += window.try_take()
    assert taken == 1000


def test_rolling_window_frees_capacity_one_window_later() -> None:
    clock = FakeClock()
    window = RollingWindow(5, clock=clock)
    assert all(window.try_take() for _ in range(5))
    assert not window.try_take()
    clock.t += 0.5
    assert not window.try_take(), "still within the same rolling second"
    clock.t += 0.55
    assert window.available() == 5
    assert window.try_take(5)


def test_rolling_window_sustains_its_rate_over_time() -> None:
    clock = FakeClock()
    window = RollingWindow(1000, clock=clock)
    taken = 0
    for i in range(30_000):  # 3,000/s offered for 10 s
        clock.t = 100.0 + i / 3000
        taken += window.try_take()
    assert 9_900 <= taken <= 10_100


def test_rolling_window_takes_all_or_nothing() -> None:
    window = RollingWindow(100, clock=FakeClock())
    assert window.try_take(60)
    assert not window.try_take(50)
    assert window.available() == 40


def test_debt_bucket_refuses_until_a_large_read_is_paid_back() -> None:
    clock = FakeClock()
    bucket = DebtBucket(2 * 1024 * 1024, clock=clock)
    assert not bucket.in_debt()
    bucket.charge(10 * 1024 * 1024)  # a 10 MiB GetRecords answer
    assert bucket.in_debt()
    clock.t += 3.9
    assert bucket.in_debt()
    clock.t += 0.2
    assert not bucket.in_debt(), "8 MiB of debt at 2 MiB/s is paid back after 4 s"


def test_limiters_refuse_nonsense() -> None:
    with pytest.raises(ValueError):
        RollingWindow(0)
    with pytest.raises(ValueError):
        DebtBucket(-1)


# -- routing ---------------------------------------------------------------------------------------
def _two_shards() -> list[dict[str, Any]]:
    half = 2**127
    return [
        {"ShardId": "shardId-000000000000", "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": str(half - 1)},
         "SequenceNumberRange": {"StartingSequenceNumber": "1"}},
        {"ShardId": "shardId-000000000001",
         "HashKeyRange": {"StartingHashKey": str(half), "EndingHashKey": str(MAX_HASH_KEY)},
         "SequenceNumberRange": {"StartingSequenceNumber": "2"}},
        {"ShardId": "shardId-closed", "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": str(MAX_HASH_KEY)},
         "SequenceNumberRange": {"StartingSequenceNumber": "0", "EndingSequenceNumber": "9"}},
    ]


def test_hash_key_is_the_md5_of_the_partition_key_as_an_unsigned_128_bit_integer() -> None:
    assert hash_key("a") == 0x0CC175B9C0F1B6A831C399E269772661
    assert hash_key("anything", explicit_hash_key="42") == 42
    with pytest.raises(ValueError):
        hash_key("a", explicit_hash_key=str(2**128))


def test_routing_uses_open_shards_only_and_their_ranges() -> None:
    shard_map = ShardMap.from_list_shards(_two_shards())
    assert len(shard_map) == 2
    assert shard_map.route("a").shard_id == "shardId-000000000000"  # md5("a") < 2^127
    assert shard_map.route("x", explicit_hash_key=str(2**127)).shard_id == "shardId-000000000001"
    assert shard_map.route("x", explicit_hash_key=str(2**127 - 1)).shard_id == "shardId-000000000000"
    keys = [f"key-{i}" for i in range(2000)]
    on_first = sum(shard_map.route(k).shard_id.endswith("0") for k in keys)
    assert 900 < on_first < 1100, "MD5 spreads keys evenly over two equal ranges"


def test_a_gap_in_the_map_means_stale() -> None:
    shard_map = ShardMap.from_list_shards(_two_shards()[:1])
    assert shard_map.lookup(2**127) is None


def test_stream_named_by_name_or_arn() -> None:
    assert stream_name({"StreamName": "s"}) == "s"
    assert stream_name({"StreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/orders"}) == "orders"
    assert stream_name({}) is None


# -- bodies ----------------------------------------------------------------------------------------
def test_json_and_cbor_bodies_decode_to_the_same_request() -> None:
    data = b"\x00\x01payload"
    as_json = json.dumps({"StreamName": "s", "Records": [{"Data": base64.b64encode(data).decode(),
                                                          "PartitionKey": "k"}]}).encode()
    as_cbor = cbor2.dumps({"StreamName": "s", "Records": [{"Data": data, "PartitionKey": "k"}]})
    from_json = codec.decode(as_json, codec.JSON_TYPE)
    from_cbor = codec.decode(as_cbor, codec.CBOR_TYPE)
    for request in (from_json, from_cbor):
        assert request["StreamName"] == "s"
        assert codec.blob_size(request["Records"][0]["Data"]) == len(data)
        assert codec.blob_bytes(request["Records"][0]["Data"]) == data
    assert codec.decode(codec.encode(from_cbor, codec.CBOR_TYPE), codec.CBOR_TYPE) == from_cbor


@pytest.mark.parametrize("size", [0, 1, 2, 3, 100, 1023])
def test_base64_blob_sizes_are_the_decoded_sizes(size: int) -> None:
    assert codec.blob_size(base64.b64encode(b"x" * size).decode()) == size


def test_unreadable_bodies_are_reported() -> None:
    with pytest.raises(codec.BodyError):
        codec.decode(b"{not json", codec.JSON_TYPE)
    with pytest.raises(codec.BodyError):
        codec.decode(b"\xff\xff", codec.CBOR_TYPE)
    with pytest.raises(codec.BodyError):
        codec.decode(b"[1, 2]", codec.JSON_TYPE)


# -- error answers ---------------------------------------------------------------------------------
def test_throttle_answer_is_aws_json_400() -> None:
    message = awserrors.rate_exceeded_message("shardId-000000000000", "orders")
    status, headers, body = awserrors.error_answer(awserrors.THROTTLED, message, codec.JSON_TYPE)
    assert status == 400
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert json.loads(body) == {"__type": "ProvisionedThroughputExceededException",
                                "message": "Rate exceeded for shard shardId-000000000000 in stream orders "
                                           "under account 000000000000."}


def test_fault_answers_are_500_and_503_in_the_request_protocol() -> None:
    status, headers, body = awserrors.error_answer(awserrors.INTERNAL_FAILURE, None, codec.CBOR_TYPE)
    assert (status, headers["Content-Type"]) == (500, "application/x-amz-cbor-1.1")
    assert cbor2.loads(body)["__type"] == "InternalFailure"
    status, _headers, body = awserrors.error_answer(awserrors.SERVICE_UNAVAILABLE, None, codec.JSON_TYPE)
    assert status == 503 and json.loads(body)["__type"] == "ServiceUnavailable"


def test_put_records_answer_keeps_the_callers_order() -> None:
    upstream = {"FailedRecordCount": 0, "EncryptionType": "NONE",
                "Records": [{"SequenceNumber": "1", "ShardId": "s0"}, {"SequenceNumber": "2", "ShardId": "s0"}]}
    rejected = {1: awserrors.failed_entry(awserrors.THROTTLED, "Rate exceeded for shard s0 in stream x under "
                                                                "account 000000000000.")}
    merged = awserrors.merge_put_records(3, [0, 2], upstream, rejected)
    assert merged["FailedRecordCount"] == 1
    assert [r.get("SequenceNumber") for r in merged["Records"]] == ["1", None, "2"]
    assert merged["Records"][1]["ErrorCode"] == "ProvisionedThroughputExceededException"
    assert merged["EncryptionType"] == "NONE"
    all_rejected = awserrors.merge_put_records(1, [], None, {0: rejected[1]})
    assert all_rejected["FailedRecordCount"] == 1
    with pytest.raises(ValueError):
        awserrors.merge_put_records(3, [0, 2], {"Records": [{}]}, rejected)


# -- admission -------------------------------------------------------------------------------------
def _admission(clock: FakeClock, entries: list[dict[str, Any]], on_demand: bool = False) -> tuple[Admission, list[int]]:
    fetches: list[int] = []

    async def fetch(name: str) -> tuple[list[Mapping[str, Any]], bool] | None:
        fetches.append(1)
        return (entries, on_demand) if name == "s" else None

    return Admission(Limits(), fetch, clock=clock), fetches


def _records(n: int, size: int = 100, key: str | None = None) -> list[dict[str, Any]]:
    data = base64.b64encode(b"x" * size).decode()
    return [{"Data": data, "PartitionKey": key or f"k{i}"} for i in range(n)]


def test_per_shard_writes_admitted_by_records_and_bytes() -> None:
    clock = FakeClock()
    admission, _ = _admission(clock, _two_shards())
    verdict = asyncio.run(admission.admit_writes("s", _records(3000)))
    assert verdict is not None
    assert len(verdict.accepted) == 2000, "two shards at 1,000 records/s each"
    clock.t += 1.01
    big = asyncio.run(admission.admit_writes("s", _records(20, size=100_000, key="same")))
    assert big is not None and len(big.accepted) == 10, "1 MiB/s of 100 kB records on one shard"
    assert asyncio.run(admission.admit_writes("unknown", _records(1))) is None


def test_on_demand_streams_have_the_starting_stream_capacity() -> None:
    shards = [{"ShardId": f"shardId-{i}", "HashKeyRange": {"StartingHashKey": str(i * 2**125),
                                                           "EndingHashKey": str((i + 1) * 2**125 - 1)},
               "SequenceNumberRange": {"StartingSequenceNumber": "1"}} for i in range(8)]
    admission, _ = _admission(FakeClock(), shards, on_demand=True)
    verdict = asyncio.run(admission.admit_writes("s", _records(8000)))
    assert verdict is not None and len(verdict.accepted) == 4000
    assert "for stream s" in next(iter(verdict.rejected.values()))["ErrorMessage"]


def test_reads_five_calls_per_second_and_bytes_debt() -> None:
    clock = FakeClock()
    admission, _ = _admission(clock, _two_shards())
    results = [asyncio.run(admission.admit_read("s", "shardId-000000000000")) for _ in range(6)]
    assert results[:5] == [None] * 5 and results[5] is not None
    clock.t += 1.01
    admission.charge_read("s", "shardId-000000000000", 6 * 1024 * 1024)
    assert asyncio.run(admission.admit_read("s", "shardId-000000000000")) is not None
    clock.t += 2.1
    assert asyncio.run(admission.admit_read("s", "shardId-000000000000")) is None


def test_shard_map_is_cached_then_refreshed_after_resharding() -> None:
    clock = FakeClock()
    admission, fetches = _admission(clock, _two_shards())
    for _ in range(3):
        asyncio.run(admission.stream("s"))
    assert len(fetches) == 1
    admission.resharded("s")
    asyncio.run(admission.stream("s"))
    assert len(fetches) == 2
    clock.t += 6
    asyncio.run(admission.stream("s"))
    assert len(fetches) == 3


def test_iterators_map_to_their_shard() -> None:
    admission, _ = _admission(FakeClock(), _two_shards())
    admission.remember_iterator("it-1", "s", "shardId-000000000001")
    admission.remember_iterator(None, "s", "x")
    assert admission.iterator_shard("it-1") == ("s", "shardId-000000000001")
    assert admission.iterator_shard("nope") is None


# -- settings --------------------------------------------------------------------------------------
def test_limits_default_to_aws_figures_and_validate() -> None:
    limits = Limits.from_dict(None)
    assert (limits.write_records_per_s, limits.write_bytes_per_s, limits.read_calls_per_s) == (1000, 2**20, 5)
    with pytest.raises(ConfigError) as err:
        Limits.from_dict({"write_records_per_s": 0})
    assert err.value.field == "kinesis_limits.write_records_per_s"
    with pytest.raises(ConfigError) as err:
        Limits.from_dict({"writes": 1})
    assert err.value.field == "kinesis_limits.writes" and "write_records_per_s" in (err.value.fix or "")


def test_faults_validate_and_round_trip() -> None:
    faults = Faults.from_dict({"internal_failure": 0.1, "drop_response": 0.05, "seed": 3,
                               "service_time": {"distribution": "lognormal", "median_ms": 35, "p99_ms": 200}})
    assert faults.active
    assert Faults.from_dict(faults.to_dict()) == faults
    assert not Faults().active
    for bad, field in [({"internal_failure": 1.5}, "faults.internal_failure"),
                       ({"internal_failure": 0.6, "service_unavailable": 0.6}, "faults"),
                       ({"service_time": {"distribution": "pareto"}}, "faults.service_time.distribution"),
                       ({"service_time": {"distribution": "lognormal", "median_ms": 50, "p99_ms": 10}},
                        "faults.service_time.p99_ms"),
                       ({"internal_failure": "lots"}, "faults.internal_failure"),
                       ({"operations": "PutRecords"}, "faults.operations")]:
        with pytest.raises(ConfigError) as err:
            Faults.from_dict(bad)
        assert err.value.field == field


def test_service_time_distributions() -> None:
    rng = random.Random(1)
    assert ServiceTime("constant", ms=20).sample_s(rng) == 0.02
    lognormal = ServiceTime("lognormal", median_ms=35, p99_ms=200)
    samples = sorted(lognormal.sample_s(rng) for _ in range(20_000))
    assert samples[10_000] == pytest.approx(0.035, rel=0.05)
    assert samples[19_800] == pytest.approx(0.200, rel=0.15)
    uniform = [ServiceTime("uniform", low_ms=10, high_ms=20).sample_s(rng) for _ in range(100)]
    assert all(0.01 <= s <= 0.02 for s in uniform)
