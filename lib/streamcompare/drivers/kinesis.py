"""Kinesis driver (boto3): streams, producers (see kinesis_producer), GetRecords polling and EFO consumers.

Against a real AWS account nothing is created without the target's explicit `allow_create` opt-in;
every stream created is tagged `created-by=streamcompare` so `streamcompare cleanup` can find leftovers.
"""

from __future__ import annotations

import base64
import contextlib
import queue
import threading
from collections.abc import Mapping
from typing import Any

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from streamcompare.drivers.base import AckCallback, DriverCounters, StreamSpec
from streamcompare.drivers.kinesis_producer import BatchingProducer, PutRecordProducer
from streamcompare.errors import ConfigError
from streamcompare.stack.ledger import ledger_for
from streamcompare.target import KinesisPart, Target

TAG_KEY = "created-by"
TAG_VALUE = "streamcompare"
PRODUCER_MODES = ("put_record", "put_records", "aggregated")
CONSUMER_MODES = ("polling", "efo")


LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
"""kinesis-mock checks no signature; boto3 still needs some credentials to sign with."""


def local_client(endpoint: str, config: Any = None, region: str = "us-east-1") -> Any:
    """A boto3 Kinesis client for a local endpoint (dummy credentials: the emulator checks no signature)."""
    return boto3.client("kinesis", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                        config=config or Config(retries={"max_attempts": 2, "mode": "standard"}))


def make_client(target: Target) -> Any:
    """A Kinesis client for the target: the local endpoint with dummy credentials, or the default chain."""
    config = Config(retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=32,
                    connect_timeout=5, read_timeout=30)
    kinesis = target.kinesis or KinesisPart()
    region = kinesis.region
    if kinesis.endpoint and target.local:
        return local_client(kinesis.endpoint, config, region)
    if kinesis.endpoint:  # another endpoint (e.g. a VPC endpoint): the default credential chain
        return boto3.client("kinesis", endpoint_url=kinesis.endpoint, region_name=region, config=config)
    session = boto3.Session(profile_name=kinesis.profile) if kinesis.profile else boto3.Session()
    return session.client("kinesis", region_name=region, config=config)


class KinesisAdmin:
    def __init__(self, client: Any, target: Target) -> None:
        self._client, self._target = client, target
        self._kinesis = target.kinesis or KinesisPart()
        self._ledger = ledger_for(target)

    def create(self, spec: StreamSpec) -> None:
        if self._target.kind == "aws" and not self._kinesis.allow_create:
            raise ConfigError("creating a Kinesis stream in a real AWS account needs an explicit opt-in",
                              field="aws.allow_create",
                              fix="set aws.allow_create: true in the config (or --allow-aws-create); "
                                  "the run prints its estimated cost first and deletes what it creates")
        mode = {"StreamModeDetails": {"StreamMode": "ON_DEMAND"}} if spec.on_demand else {"ShardCount": spec.partitions}
        if self._ledger is not None:  # written down first: a kill after the create still leaves a record
            self._ledger.add_stream("kinesis", spec.name)
        self._client.create_stream(StreamName=spec.name, **mode)
        self._client.get_waiter("stream_exists").wait(StreamName=spec.name,
                                                       WaiterConfig={"Delay": 1 if self._is_local else 5,
                                                                     "MaxAttempts": 120})
        self._client.add_tags_to_stream(StreamName=spec.name, Tags={TAG_KEY: TAG_VALUE})

    @property
    def _is_local(self) -> bool:
        return self._target.local

    def delete(self, name: str) -> None:
        with contextlib.suppress(self._client.exceptions.ResourceNotFoundException):
            self._client.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
        # deletion is asynchronous (DELETING): wait until it is gone, as create waits until it exists
        self._client.get_waiter("stream_not_exists").wait(
            StreamName=name, WaiterConfig={"Delay": 1 if self._is_local else 5, "MaxAttempts": 60})
        if self._ledger is not None:
            self._ledger.drop_stream("kinesis", name)

    def read_back(self, name: str, idle_calls: int = 3) -> list[tuple[int, int, bytes, bytes]]:
        """Every record of every shard from TRIM_HORIZON: (shard index, sequence number, partition key, data).

        The verification read of a fault experiment; reads until a shard returns no records
        `idle_calls` times in a row at its end (MillisBehindLatest 0 or no next iterator)."""
        out: list[tuple[int, int, bytes, bytes]] = []
        for index, shard in enumerate(shard_ids(self._client, name)):
            iterator = self._client.get_shard_iterator(StreamName=name, ShardId=shard,
                                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            empty = 0
            while iterator and empty < idle_calls:
                page = self._client.get_records(ShardIterator=iterator, Limit=10_000)
                records = page.get("Records", [])
                out += [(index, int(r["SequenceNumber"]), str(r["PartitionKey"]).encode(), bytes(r["Data"]))
                        for r in records]
                empty = 0 if records else empty + 1
                iterator = page.get("NextShardIterator")
        return out

    def versions(self) -> dict[str, str]:
        backend = self._kinesis.backend or "kinesis-mock"
        system = (f"{backend} {self._kinesis.version or ''} (emulator)".replace("  ", " ")
                  if self._is_local else f"Amazon Kinesis Data Streams ({self._kinesis.region})")
        return {"system": system, "client": f"boto3 {boto3.__version__} (botocore {botocore.__version__})"}


def shard_ids(client: Any, stream: str) -> list[str]:
    shards, token = [], None
    while True:
        page = client.list_shards(NextToken=token) if token else client.list_shards(StreamName=stream)
        shards += [s["ShardId"] for s in page["Shards"]]
        token = page.get("NextToken")
        if not token:
            return shards


def my_shards(shards: list[str], settings: Mapping[str, Any]) -> list[str]:
    """The shards consumer `consumer_index` of `consumers` reads (a static split, as KCL leases would give)."""
    count = max(1, int(settings.get("consumers", 1)))
    return shards[int(settings.get("consumer_index", 0)) % count::count]


class PollingConsumer:
    """GetRecords on its shards; between rounds it waits poll_interval_ms (KCL's default is 1,000 ms)."""

    def __init__(self, client: Any, stream: str, settings: Mapping[str, Any]) -> None:
        self._client = client
        self._interval_s = float(settings.get("poll_interval_ms", 200)) / 1000
        self._aggregated = settings.get("producer_mode") == "aggregated"
        self._counters = DriverCounters()
        self._iterators = {
            shard: client.get_shard_iterator(StreamName=stream, ShardId=shard,
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            for shard in my_shards(shard_ids(client, stream), settings)}
        self._first_round = True

    def poll(self, timeout_s: float) -> list[bytes]:
        if not self._first_round:
            threading.Event().wait(min(self._interval_s, max(timeout_s, 0.0)) if timeout_s else self._interval_s)
        self._first_round = False
        values: list[bytes] = []
        for shard, iterator in list(self._iterators.items()):
            if iterator is None:
                continue
            self._counters.requests += 1
            try:
                page = self._client.get_records(ShardIterator=iterator, Limit=10_000)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                self._counters.throttles += code == "ProvisionedThroughputExceededException"
                self._counters.errors += code != "ProvisionedThroughputExceededException"
                continue
            self._iterators[shard] = page.get("NextShardIterator")
            values += _values(page["Records"], self._aggregated)
        return values

    def counters(self) -> DriverCounters:
        return self._counters

    def close(self) -> None:
        self._iterators.clear()


class EnhancedFanOutConsumer:
    """Registers a stream consumer and subscribes to every shard (HTTP/2 push in AWS; 5-minute leases)."""

    def __init__(self, client: Any, stream: str, settings: Mapping[str, Any]) -> None:
        self._client = client
        self._aggregated = settings.get("producer_mode") == "aggregated"
        self._counters = DriverCounters()
        self._records: queue.Queue[bytes] = queue.Queue()
        self._stop = threading.Event()
        arn = client.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
        name = str(settings.get("consumer_name", "streamcompare-efo"))
        try:
            self._consumer_arn = client.register_stream_consumer(StreamARN=arn, ConsumerName=name)[
                "Consumer"]["ConsumerARN"]
        except ClientError as exc:
            raise ConfigError(f"this endpoint does not support enhanced fan-out ({exc})",
                              field="kinesis.consumer_mode", fix="use consumer_mode: polling") from None
        self._wait_active()
        shards = my_shards(shard_ids(client, stream), settings)
        first = self._open(shards[0], {"Type": "TRIM_HORIZON"})  # fail here, clearly, if unsupported
        self._threads = [threading.Thread(target=self._subscribe, args=(shard, first if i == 0 else None),
                                          daemon=True) for i, shard in enumerate(shards)]
        for thread in self._threads:
            thread.start()

    def _wait_active(self) -> None:
        for _ in range(300):
            status = self._client.describe_stream_consumer(ConsumerARN=self._consumer_arn)[
                "ConsumerDescription"]["ConsumerStatus"]
            if status == "ACTIVE":
                return
            threading.Event().wait(0.2)
        raise ConfigError("the enhanced fan-out consumer never became ACTIVE", field="kinesis.consumer_mode",
                          fix="use consumer_mode: polling")

    def _open(self, shard: str, position: dict[str, Any]) -> Any:
        try:
            response = self._client.subscribe_to_shard(ConsumerARN=self._consumer_arn, ShardId=shard,
                                                       StartingPosition=position)
        except ResponseParserError as exc:
            self.close()
            raise ConfigError(f"this endpoint's SubscribeToShard is not compatible with botocore ({exc}); "
                              "kinesis-mock registers consumers but its event stream cannot be read",
                              field="kinesis.consumer_mode",
                              fix="use consumer_mode: polling locally; measure enhanced fan-out against AWS") from None
        self._counters.requests += 1
        return response["EventStream"]

    def _subscribe(self, shard: str, stream: Any | None) -> None:
        position: dict[str, Any] = {"Type": "TRIM_HORIZON"}
        while not self._stop.is_set():  # a subscription lasts up to 5 minutes: subscribe again
            try:
                events = stream if stream is not None else self._open(shard, position)
                stream = None
                for event in events:
                    if self._stop.is_set():
                        return
                    shard_event = event.get("SubscribeToShardEvent")
                    if not shard_event:
                        continue
                    for value in _values(shard_event["Records"], self._aggregated):
                        self._records.put(value)
                    if shard_event.get("ContinuationSequenceNumber"):
                        position = {"Type": "AFTER_SEQUENCE_NUMBER",
                                    "SequenceNumber": shard_event["ContinuationSequenceNumber"]}
            except (ClientError, ConfigError):
                self._counters.errors += 1
                self._stop.wait(1.0)

    def poll(self, timeout_s: float) -> list[bytes]:
        values = []
        try:
            values.append(self._records.get(timeout=timeout_s))
            while True:
                values.append(self._records.get_nowait())
        except queue.Empty:
            return values

    def counters(self) -> DriverCounters:
        return self._counters

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(ClientError):
            self._client.deregister_stream_consumer(ConsumerARN=self._consumer_arn)


def _values(records: list[dict[str, Any]], aggregated: bool) -> list[bytes]:
    if not aggregated:
        return [r["Data"] for r in records]
    from aws_kinesis_agg.deaggregator import iter_deaggregate_records

    out = []
    for user_record in iter_deaggregate_records(records, data_format="Boto3"):
        record = user_record["kinesis"]  # deaggregated user records come back base64-encoded
        out.append(base64.b64decode(record["data"]) if record.get("aggregated") else record["data"])
    return out


class KinesisDriver:
    name = "kinesis"

    def __init__(self, target: Target) -> None:
        self._target = target
        self.client = make_client(target)

    def admin(self) -> KinesisAdmin:
        return KinesisAdmin(self.client, self._target)

    def producer(self, stream: str, settings: Mapping[str, Any],
                 on_ack: AckCallback) -> PutRecordProducer | BatchingProducer:
        mode = settings.get("producer_mode", "put_records")
        if mode == "put_record":
            return PutRecordProducer(self.client, stream, on_ack,
                                     sequence_for_ordering=bool(settings.get("sequence_for_ordering", False)))
        if mode in ("put_records", "aggregated"):
            return BatchingProducer(self.client, stream, {**settings, "aggregate": mode == "aggregated"}, on_ack)
        raise ConfigError(f"unknown producer mode {mode!r}", field="kinesis.producer_mode",
                          fix=f"use one of: {', '.join(PRODUCER_MODES)}")

    def consumer(self, stream: str, settings: Mapping[str, Any]) -> PollingConsumer | EnhancedFanOutConsumer:
        mode = settings.get("consumer_mode", "polling")
        if mode == "polling":
            return PollingConsumer(self.client, stream, settings)
        if mode == "efo":
            return EnhancedFanOutConsumer(self.client, stream, settings)
        raise ConfigError(f"unknown consumer mode {mode!r}", field="kinesis.consumer_mode",
                          fix=f"use one of: {', '.join(CONSUMER_MODES)}")
