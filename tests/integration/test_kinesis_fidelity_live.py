"""The Kinesis fidelity layer against the live default backend (MiniStack, one that keeps up with the
limits: docs/kinesis-backends.md), driven by boto3 (and raw CBOR).

No test retries until a timing premise holds: the backend answers in milliseconds, so bursts fit well
inside the windows they test, and where a premise is timed it is asserted, not retried."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import cbor2
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from streamcompare.drivers.kinesis import local_client
from streamcompare.drivers.kinesis_producer import BatchingProducer
from streamcompare.errors import ConfigError
from streamcompare.stack import kinesis_backends
from streamcompare.stack.kinesis_limits import control
from streamcompare.stack.local import LocalStack, local_stack

pytestmark = pytest.mark.integration
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})
"""No retry at all: botocore's `max_attempts` counts retries (1 = one retry), `total_max_attempts` attempts."""


@pytest.fixture(scope="module")
def kinesis_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The default backend behind the fidelity layer (no Kafka: these tests need none), stopped at the end."""
    with local_stack(run_dir=tmp_path_factory.mktemp("limits-stack"), with_kafka=False,
                     kinesis_backend=kinesis_backends.DEFAULT,
                     progress=lambda msg: print(f"[stack] {msg}")) as stack:
        yield stack


@pytest.fixture()
def endpoint(kinesis_stack: LocalStack) -> Iterator[str]:
    url = kinesis_stack.kinesis_endpoint
    control.reset(url)
    yield url
    control.reset(url)


def _stream(client: object, shards: int) -> str:
    name = f"limits-{uuid.uuid4().hex[:8]}"
    client.create_stream(StreamName=name, ShardCount=shards)  # type: ignore[attr-defined]
    client.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.5})  # type: ignore[attr-defined]
    return name


def _read_all(client: object, stream: str) -> list[bytes]:
    """Every record in the stream, reading at most 4 GetRecords calls/s per shard (under the limit)."""
    values: list[bytes] = []
    for shard in client.list_shards(StreamName=stream)["Shards"]:  # type: ignore[attr-defined]
        iterator = client.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],  # type: ignore[attr-defined]
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        empty = 0
        while iterator and empty < 2:
            time.sleep(0.25)
            page = client.get_records(ShardIterator=iterator, Limit=10_000)  # type: ignore[attr-defined]
            values += [r["Data"] for r in page["Records"]]
            empty = empty + 1 if not page["Records"] else 0
            iterator = page.get("NextShardIterator")
    return values


def test_stack_points_clients_at_the_layer(kinesis_stack: LocalStack) -> None:
    state = kinesis_stack.state
    assert state.kinesis_endpoint != state.kinesis_emulator_endpoint
    target = kinesis_stack.target()
    assert target.kinesis is not None and target.kinesis.limits
    assert target.kinesis.emulator_endpoint == state.kinesis_emulator_endpoint
    assert any(r.name == "kinesis-limits" for r, alive in state.processes() if alive)


def test_3000_records_in_one_second_into_one_shard_about_1000_accepted(endpoint: str) -> None:
    client = local_client(endpoint, NO_RETRY)
    stream = _stream(client, 1)
    started = time.monotonic()
    results = []
    for call in range(6):
        response = client.put_records(StreamName=stream, Records=[
            {"Data": b"x" * 100, "PartitionKey": f"key-{call}-{i}"} for i in range(500)])
        results += response["Records"]
        assert response["FailedRecordCount"] == sum(1 for r in response["Records"] if "ErrorCode" in r)
    elapsed = time.monotonic() - started
    accepted = [r for r in results if "SequenceNumber" in r]
    throttled = [r for r in results if r.get("ErrorCode") == "ProvisionedThroughputExceededException"]
    print(f"\n3,000 x 100 B in {elapsed:.2f} s into 1 shard: accepted {len(accepted)}, throttled {len(throttled)}")
    assert elapsed < 1.0, "the burst must fit within one second for the figure to mean anything"
    assert 950 <= len(accepted) <= 1_100
    assert len(accepted) + len(throttled) == 3_000
    assert throttled[0]["ErrorMessage"].startswith("Rate exceeded for shard shardId-000000000000 in stream ")
    assert "SequenceNumber" not in throttled[0] and "ShardId" not in throttled[0]
    time.sleep(1.1)
    assert len(_read_all(client, stream)) == len(accepted), "rejected entries were never written"


def test_eight_back_to_back_get_records_on_one_shard_see_throttles(endpoint: str) -> None:
    client = local_client(endpoint, NO_RETRY)
    stream = _stream(client, 1)
    iterator = client.get_shard_iterator(StreamName=stream, ShardId="shardId-000000000000",
                                         ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    outcomes = []
    started = time.monotonic()
    for _ in range(8):
        try:
            iterator = client.get_records(ShardIterator=iterator)["NextShardIterator"]
            outcomes.append("ok")
        except ClientError as exc:
            outcomes.append(exc.response["Error"]["Code"])
            assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    elapsed = time.monotonic() - started
    print(f"\neight GetRecords in {elapsed:.2f} s: {outcomes}")
    assert elapsed < 1.0, "the backend must answer a GetRecords in well under 125 ms (it keeps up)"
    assert outcomes[:5] == ["ok"] * 5
    assert outcomes.count("ProvisionedThroughputExceededException") >= 2


def _offer(client: object, stream: str, rate: int, seconds: float, key: str | None = None) -> list[list[int]]:
    """Open loop at `rate` records/s for `seconds` (what the schedule made due, every 20 ms, up to 500 a
    call); returns [offered, throttled] per 5 s window, by the time each call was sent."""
    windows = [[0, 0] for _ in range(int(seconds // 5))]
    sent = 0
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds:
        due = min(500, int(elapsed * rate) - sent)
        if due <= 0:
            time.sleep(0.02)
            continue
        response = client.put_records(StreamName=stream, Records=[  # type: ignore[attr-defined]
            {"Data": b"y" * 100, "PartitionKey": key or uuid.uuid4().hex} for _ in range(due)])
        window = windows[min(len(windows) - 1, int(elapsed // 5))]
        window[0] += due
        window[1] += response["FailedRecordCount"]
        sent += due
    return windows


def test_one_shard_offered_1500_per_second_for_30_s_is_throttled_a_third_in_every_window(endpoint: str) -> None:
    client = local_client(endpoint, NO_RETRY)
    stream = _stream(client, 1)
    windows = _offer(client, stream, 1_500, 30.0)
    shares = [throttled / offered for offered, throttled in windows]
    print(f"\n1 shard, 1,500 records/s for 30 s: offered per 5 s {[o for o, _ in windows]}, "
          f"throttled {[f'{x:.1%}' for x in shares]}")
    assert all(offered >= 7_000 for offered, _ in windows), "the test must offer about 1,500 records/s"
    assert all(0.30 <= share <= 0.36 for share in shares)


def test_two_shards_at_1500_per_second_many_keys_barely_throttled_one_hot_key_throttled(endpoint: str) -> None:
    client = local_client(endpoint, NO_RETRY)
    spread = _offer(client, _stream(client, 2), 1_500, 5.0)
    hot = _offer(client, _stream(client, 2), 1_500, 5.0, key="hot")
    (spread_offered, spread_throttled), (hot_offered, hot_throttled) = spread[0], hot[0]
    print(f"\n2 shards at 1,500 records/s: many keys {spread_throttled} of {spread_offered} throttled, "
          f"one hot key {hot_throttled} of {hot_offered}")
    assert spread_offered >= 7_000 and hot_offered >= 7_000, "the test must offer about 1,500 records/s"
    assert spread_throttled / spread_offered < 0.01
    assert hot_throttled / hot_offered >= 0.25


def test_20000_records_into_one_shard_the_last_calls_are_no_slower_than_twice_the_first(
        kinesis_stack: LocalStack) -> None:
    """The backend itself (no layer: no limits to wait for) must not slow down as a shard fills."""
    client = local_client(str(kinesis_stack.state.kinesis_emulator_endpoint), NO_RETRY)
    stream = _stream(client, 1)
    took = []
    for call in range(40):
        records = [{"Data": b"f" * 100, "PartitionKey": f"k{call}-{i}"} for i in range(500)]
        started = time.perf_counter()
        assert client.put_records(StreamName=stream, Records=records)["FailedRecordCount"] == 0
        took.append(time.perf_counter() - started)
    first, last = sorted(took[:5])[2], sorted(took[-5:])[2]  # medians of five: one call is one sample of noise
    print(f"\n20,000 records into 1 shard, PutRecords of 500: first five median {first * 1000:.1f} ms, "
          f"last five {last * 1000:.1f} ms")
    assert last <= 2 * first


def test_put_record_throttle_is_an_aws_400_error(endpoint: str) -> None:
    client = local_client(endpoint, NO_RETRY)
    stream = _stream(client, 1)
    with control.limits_set(endpoint, write_records_per_s=3, window_s=30.0):  # slow calls stay in one window
        codes = []
        for _ in range(5):
            try:
                client.put_record(StreamName=stream, Data=b"z", PartitionKey="k")
                codes.append("ok")
            except ClientError as exc:
                codes.append(exc.response["Error"]["Code"])
                assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # three per window, and the window outlasts five calls even on a busy machine
    assert codes == ["ok"] * 3 + ["ProvisionedThroughputExceededException"] * 2
    restored = control.limits(endpoint)
    assert (restored["write_records_per_s"], restored["window_s"]) == (1000, 1.0), "restored after the block"


def test_cbor_requests_are_limited_and_answered_in_cbor(endpoint: str) -> None:
    client = local_client(endpoint, NO_RETRY)
    stream = _stream(client, 1)
    body = cbor2.dumps({"StreamName": stream,
                        "Records": [{"Data": b"c" * 100, "PartitionKey": f"k{i}"} for i in range(500)]})
    answers = []
    for _ in range(3):
        request = urllib.request.Request(endpoint, data=body, method="POST", headers={
            "Content-Type": "application/x-amz-cbor-1.1", "X-Amz-Target": "Kinesis_20131202.PutRecords",
            "X-Amz-Date": "20260101T000000Z",
            "Authorization": "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/kinesis/aws4_request, "
                             "SignedHeaders=host, Signature=0"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert "cbor" in response.headers["Content-Type"]
            answers.append(cbor2.loads(response.read()))
    failed = [a["FailedRecordCount"] for a in answers]
    print(f"\nCBOR PutRecords of 500, three times: FailedRecordCount {failed}")
    assert failed[0] == 0 and failed[1] == 0 and failed[2] == 500
    assert answers[2]["Records"][0]["ErrorCode"] == "ProvisionedThroughputExceededException"


def test_batching_producer_retries_throttled_entries_and_loses_nothing(endpoint: str) -> None:
    client = local_client(endpoint, Config(retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=8))
    stream = _stream(client, 1)
    acked: list[bytes] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def on_ack(value: bytes, error: BaseException | None) -> None:
        with lock:
            (errors.append(error) if error else acked.append(value))

    producer = BatchingProducer(client, stream, {"max_attempts": 50, "backoff_ms": 100}, on_ack)
    values = [f"record-{i:05d}".encode().ljust(100, b".") for i in range(3000)]
    for i, value in enumerate(values):
        producer.send(str(i).encode(), value)
    assert producer.flush(60) == 0
    counters = producer.counters()
    producer.close()
    print(f"\nbatching producer, 3,000 records into 1 shard: throttled entries {counters.throttles}, "
          f"retries {counters.retries}, calls {counters.requests}, errors {len(errors)}")
    assert errors == []
    assert counters.throttles > 0 and counters.retries > 0
    assert sorted(acked) == sorted(values)
    found = _read_all(client, stream)
    assert set(found) == set(values), "every acknowledged record is in the stream"


def test_faults_500_503_reset_and_dropped_responses(endpoint: str) -> None:
    client = local_client(endpoint, NO_RETRY)
    stream = _stream(client, 1)
    with control.injected(endpoint, internal_failure=1.0):
        with pytest.raises(ClientError) as err:
            client.put_record(StreamName=stream, Data=b"a", PartitionKey="k")
        assert err.value.response["Error"]["Code"] == "InternalFailure"
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
        client.list_shards(StreamName=stream)  # control plane is not in the fault's operations
    with control.injected(endpoint, service_unavailable=1.0), pytest.raises(ClientError) as err:
        client.put_record(StreamName=stream, Data=b"a", PartitionKey="k")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    with control.injected(endpoint, connection_reset=1.0), pytest.raises(BotoCoreError):
        client.put_record(StreamName=stream, Data=b"never-written", PartitionKey="k")
    with control.injected(endpoint, drop_response=1.0), pytest.raises(BotoCoreError):
        client.put_records(StreamName=stream, Records=[{"Data": b"written-unacked", "PartitionKey": "k"}])
    counters = control.stats(endpoint)["counters"]
    # urllib3 may resend once on a dropped pooled connection: each send counts, and each one wrote
    assert counters["faults.drop_response"] >= 1 and counters["faults.connection_reset"] >= 1
    time.sleep(1.1)
    found = _read_all(client, stream)
    assert set(found) == {b"written-unacked"}, "a dropped response still wrote; a reset before forwarding did not"
    assert len(found) == counters["faults.drop_response"], "one write per dropped response (duplicates)"


def test_service_time_is_added_to_data_plane_calls(endpoint: str) -> None:
    client = local_client(endpoint, NO_RETRY)
    stream = _stream(client, 1)
    with control.injected(endpoint, service_time={"distribution": "constant", "ms": 80}):
        started = time.monotonic()
        for _ in range(3):
            client.put_record(StreamName=stream, Data=b"a", PartitionKey="k")
        assert (time.monotonic() - started) / 3 >= 0.08
    assert control.faults(endpoint)["service_time"]["distribution"] == "none"


def test_control_endpoint_rejects_bad_settings(endpoint: str) -> None:
    with pytest.raises(ConfigError) as err:
        control.set_faults(endpoint, internal_failure=2)
    assert err.value.field == "faults.internal_failure"
    with pytest.raises(ConfigError):
        control.set_limits(endpoint, read_calls_per_s=-1)


def test_resharding_is_followed(endpoint: str) -> None:
    client = local_client(endpoint, NO_RETRY)
    stream = _stream(client, 1)
    client.update_shard_count(StreamName=stream, TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    client.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.5})
    for _ in range(40):
        if client.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
            break
        time.sleep(0.25)
    time.sleep(1.1)
    accepted = 0
    for call in range(6):
        response = client.put_records(StreamName=stream, Records=[
            {"Data": b"r" * 100, "PartitionKey": f"key-{call}-{i}"} for i in range(500)])
        accepted += 500 - response["FailedRecordCount"]
    print(f"\nafter resharding 1 -> 2: accepted {accepted} of 3,000 within one second")
    assert 1_850 <= accepted <= 2_150


def test_limits_off_gives_the_bare_emulator(tmp_path: Path, kinesis_stack: LocalStack) -> None:
    with local_stack(run_dir=tmp_path / "bare", with_kafka=False, kinesis_limits=False) as bare:
        assert bare.state.kinesis_limits is None
        assert bare.kinesis_endpoint == bare.state.kinesis_emulator_endpoint
        client = local_client(bare.kinesis_endpoint, NO_RETRY)
        stream = _stream(client, 1)
        failed = sum(client.put_records(StreamName=stream, Records=[
            {"Data": b"x" * 100, "PartitionKey": f"k{i}"} for i in range(500)])["FailedRecordCount"]
            for _ in range(6))
        assert failed == 0, "the emulator alone never throttles"
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(bare.kinesis_endpoint + "/__streamcompare/limits", timeout=3)
