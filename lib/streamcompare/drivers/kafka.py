"""Kafka driver (confluent-kafka / librdkafka): topics, producer, consumer. Reads no clock."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Mapping
from typing import Any

import confluent_kafka
from confluent_kafka import Consumer as _RdConsumer
from confluent_kafka import KafkaError, KafkaException, TopicPartition
from confluent_kafka import Producer as _RdProducer
from confluent_kafka.admin import NewTopic

from streamcompare.clients import kafka_admin
from streamcompare.drivers.base import AckCallback, DriverCounters, StreamSpec
from streamcompare.errors import ConfigError
from streamcompare.stack.ledger import Ledger, ledger_for
from streamcompare.target import Target

PRODUCER_SETTINGS = {
    "acks": "acks",
    "linger_ms": "linger.ms",
    "batch_size": "batch.size",
    "compression": "compression.type",
    "idempotence": "enable.idempotence",
}
"""Workload names -> librdkafka property names, for the settings that move latency and throughput."""

SECURITY_KEYS = ("security.protocol", "sasl.mechanism", "sasl.username", "sasl.password",
                 "ssl.ca.location", "ssl.certificate.location", "ssl.key.location", "ssl.key.password",
                 "ssl.endpoint.identification.algorithm", "sasl.oauthbearer.config", "sasl.oauthbearer.method",
                 "sasl.oauthbearer.client.id", "sasl.oauthbearer.client.secret",
                 "sasl.oauthbearer.token.endpoint.url", "sasl.oauthbearer.scope",
                 "sasl.oauthbearer.assertion.private.key.passphrase", "sasl.oauthbearer.assertion.private.key.pem",
                 "ssl.key.pem", "ssl.certificate.pem", "ssl.keystore.location", "ssl.keystore.password")


def client_config(target: Target) -> dict[str, Any]:
    """bootstrap.servers plus the target's security settings, passed through unchanged."""
    if target.kafka is None or not target.kafka.bootstrap:
        raise ConfigError("no Kafka bootstrap servers", field="target.kafka_bootstrap",
                          fix="start the local stack (`streamcompare stack up`) or set kafka.bootstrap_servers")
    config: dict[str, Any] = {"bootstrap.servers": target.kafka.bootstrap}
    security = dict(target.kafka.security)
    unknown = sorted(set(security) - set(SECURITY_KEYS))
    if unknown:
        raise ConfigError(f"unknown Kafka security settings {unknown}", field="kafka.security",
                          fix=f"use librdkafka names: {', '.join(SECURITY_KEYS)}")
    config.update(security)
    return config


class KafkaAdmin:
    def __init__(self, config: dict[str, Any], system_version: str | None, ledger: Ledger | None = None) -> None:
        self._admin = kafka_admin(config)
        self._config = dict(config)
        self._system_version = system_version
        self._ledger = ledger
        self.notes: list[str] = []
        """What `create` changed from what was asked (replication capped at the broker count)."""

    def broker_count(self) -> int:
        return len(self._admin.list_topics(timeout=10).brokers)

    def max_message_bytes(self) -> int | None:
        """The brokers' `message.max.bytes` (the smallest), or None when the cluster does not say."""
        from confluent_kafka.admin import ConfigResource, ResourceType

        try:
            ids = sorted(self._admin.list_topics(timeout=10).brokers)
            resources = [ConfigResource(ResourceType.BROKER, str(i)) for i in ids]
            values = []
            for future in self._admin.describe_configs(resources, request_timeout=10).values():
                entry = future.result(timeout=15).get("message.max.bytes")
                if entry is not None and entry.value is not None:
                    values.append(int(entry.value))
        except (KafkaException, ValueError, TypeError):
            return None
        return min(values) if values else None

    def fit(self, spec: StreamSpec) -> StreamSpec:
        """The spec with replication factor and min.insync.replicas capped at the cluster's broker count."""
        brokers = self.broker_count()
        isr = int(spec.config.get("min.insync.replicas", 1))
        if spec.replication_factor <= brokers and isr <= brokers:
            return spec
        rf, capped_isr = min(spec.replication_factor, brokers), min(isr, brokers)
        self.notes.append(f"replication factor {spec.replication_factor} and min.insync.replicas {isr} capped at "
                          f"{rf} and {capped_isr}: the cluster has {brokers} broker(s)")
        return dataclasses.replace(spec, replication_factor=rf,
                                   config={**spec.config, "min.insync.replicas": str(capped_isr)})

    def create(self, spec: StreamSpec) -> None:
        spec = self.fit(spec)
        if self._ledger is not None:  # written down first: a kill after the create still leaves a record
            self._ledger.add_stream("kafka", spec.name)
        topic = NewTopic(spec.name, num_partitions=spec.partitions, replication_factor=spec.replication_factor,
                         config=dict(spec.config))
        for future in self._admin.create_topics([topic], operation_timeout=30).values():
            try:
                future.result(timeout=60)
            except KafkaException as exc:
                if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise
        self._wait_for_leaders(spec)

    def _wait_for_leaders(self, spec: StreamSpec, attempts: int = 100) -> None:
        for _ in range(attempts):
            topic = self._admin.list_topics(spec.name, timeout=10).topics.get(spec.name)
            if topic and topic.error is None and len(topic.partitions) == spec.partitions and all(
                    p.leader >= 0 and len(p.isrs) >= min(spec.replication_factor, 2)
                    for p in topic.partitions.values()):
                return
            threading.Event().wait(0.1)
        raise KafkaException(f"topic {spec.name} has no leader for every partition")

    def create_pinned(self, name: str, assignment: list[list[int]], config: Mapping[str, str]) -> None:
        """A topic whose partition i lives on the nodes assignment[i] (the first one is the preferred leader)."""
        topic = NewTopic(name, num_partitions=len(assignment), replication_factor=-1, replica_assignment=assignment,
                         config=dict(config))
        for future in self._admin.create_topics([topic], operation_timeout=30).values():
            future.result(timeout=60)
        self._wait_for_leaders(StreamSpec(name=name, partitions=len(assignment),
                                          replication_factor=len(assignment[0])))

    def delete(self, name: str) -> None:
        for future in self._admin.delete_topics([name], operation_timeout=30).values():
            try:
                future.result(timeout=60)
            except KafkaException as exc:
                if exc.args[0].code() != KafkaError.UNKNOWN_TOPIC_OR_PART:
                    raise
        if self._ledger is not None:
            self._ledger.drop_stream("kafka", name)

    def add_partitions(self, name: str, total: int, timeout_s: float = 120) -> None:
        """Grow topic `name` to `total` partitions (CreatePartitions); returns when the brokers accepted it."""
        from confluent_kafka.admin import NewPartitions

        self._admin.create_partitions([NewPartitions(name, total)])[name].result(timeout=timeout_s)

    def led_partitions(self, name: str) -> tuple[int, int]:
        """(partitions of topic `name`, how many of them have a leader), from fresh metadata."""
        topic = self._admin.list_topics(name, timeout=10).topics[name]
        return len(topic.partitions), sum(p.leader >= 0 for p in topic.partitions.values())

    def partitions(self, name: str) -> int:
        return len(self._admin.list_topics(name, timeout=10).topics[name].partitions)

    def read_back(self, name: str, timeout_s: float = 60.0) -> list[tuple[int, int, bytes, bytes]]:
        """Every record of every partition from the beginning: (partition, offset, key, value).

        The verification read of a fault experiment: a fresh consumer assigned to each partition
        from offset 0 up to the high watermark seen when it starts (what the cluster holds now).
        """
        config = dict(self._config)
        partitions = self.partitions(name)
        consumer = _RdConsumer({**config, "group.id": f"streamcompare-verify-{name}", "enable.auto.commit": False,
                                "auto.offset.reset": "earliest", "enable.partition.eof": True})
        try:
            ends = {p: consumer.get_watermark_offsets(TopicPartition(name, p), timeout=10)[1]
                    for p in range(partitions)}
            consumer.assign([TopicPartition(name, p, confluent_kafka.OFFSET_BEGINNING) for p in range(partitions)])
            pending = {p for p, end in ends.items() if end > 0}
            out: list[tuple[int, int, bytes, bytes]] = []
            idle = 0
            while pending and idle < int(timeout_s):
                batch = consumer.consume(num_messages=10_000, timeout=1.0)
                idle = 0 if batch else idle + 1
                for message in batch:
                    p, offset, error = int(message.partition() or 0), int(message.offset() or 0), message.error()
                    if error is not None:
                        if error.code() == KafkaError._PARTITION_EOF:
                            pending.discard(p)
                        continue
                    out.append((p, offset, message.key() or b"", message.value() or b""))
                    if offset + 1 >= ends[p]:
                        pending.discard(p)
            if pending:
                raise KafkaException(f"verification read of {name} stopped before the end of partitions "
                                     f"{sorted(pending)} ({timeout_s:.0f} s without records)")
            return out
        finally:
            consumer.close()

    def versions(self) -> dict[str, str]:
        return {"system": f"Apache Kafka {self._system_version or 'unknown'}",
                "client": f"confluent-kafka {confluent_kafka.version()[0]} "
                          f"(librdkafka {confluent_kafka.libversion()[0]})"}


class KafkaProducer:
    """Asynchronous produce; acknowledgements arrive through poll().

    The delivery callback is registered once for the whole producer (librdkafka's dr_msg_cb) and
    hands the record's value to on_ack: no closure per record. `poll` is the client's own method.
    """

    def __init__(self, config: dict[str, Any], topic: str, settings: Mapping[str, Any],
                 on_ack: AckCallback) -> None:
        self._topic = topic
        self._on_ack = on_ack
        self._counters = DriverCounters()
        conf = dict(config)
        for name, prop in PRODUCER_SETTINGS.items():
            if settings.get(name) is not None:
                value = settings[name]
                conf[prop] = str(value).lower() if isinstance(value, bool) else value
        conf.update(settings.get("extra") or {})
        self.throttle_ms: list[float] = []
        """Throttle time (ms) of every broker response that carried one (librdkafka's throttle_cb)."""
        self.stats_throttle: list[dict[str, float]] = []
        """Per statistics interval and broker: librdkafka's throttle-time window (p50, p99, max in ms)."""
        conf.update({"statistics.interval.ms": int(settings.get("statistics_interval_ms", 1000)),
                     "stats_cb": self._on_stats,
                     "throttle_cb": self._on_throttle, "error_cb": self._on_error,
                     "on_delivery": self._delivered})
        self._producer = _RdProducer(conf)
        self._produce = self._producer.produce
        self.poll = self._producer.poll  # serves the delivery callbacks; no Python frame in between
        self._retries_seen = 0

    def _delivered(self, err: KafkaError | None, msg: Any) -> None:
        if err is None:
            self._on_ack(msg.value(), None)
        else:
            self._counters.errors += 1
            self._on_ack(msg.value(), KafkaException(err))

    def send(self, key: bytes, value: bytes) -> None:
        while True:
            try:
                self._produce(self._topic, value, key or None)
                return
            except BufferError:  # local queue full: serve callbacks, then try again (back-pressure)
                self._producer.poll(0.05)

    def flush(self, timeout_s: float) -> int:
        return self._producer.flush(timeout_s)

    def counters(self) -> DriverCounters:
        self._counters.retries = self._retries_seen
        return self._counters

    def close(self) -> None:
        self._producer.flush(10)

    def _on_stats(self, raw: str) -> None:
        stats = json.loads(raw)
        self._retries_seen = sum(int(b.get("txretries", 0)) for b in stats.get("brokers", {}).values())
        self._counters.requests = sum(int(b.get("tx", 0)) for b in stats.get("brokers", {}).values())
        for broker in stats.get("brokers", {}).values():
            window = broker.get("throttle") or {}
            if int(window.get("cnt", 0)) and int(window.get("max", 0)):
                self.stats_throttle.append({"p50_ms": float(window.get("p50", 0)),
                                            "p99_ms": float(window.get("p99", 0)),
                                            "max_ms": float(window.get("max", 0)), "count": int(window["cnt"])})

    def _on_throttle(self, event: Any) -> None:
        milliseconds = float(getattr(event, "throttle_time", 0.0)) * 1000
        if milliseconds > 0:
            self._counters.throttles += 1
            if len(self.throttle_ms) < 1_000_000:
                self.throttle_ms.append(milliseconds)

    def _on_error(self, err: KafkaError) -> None:
        if err.fatal():
            self._counters.errors += 1


class KafkaConsumer:
    """Reads every partition of a fresh topic from the beginning (assign), or joins a group."""

    def __init__(self, config: dict[str, Any], topic: str, settings: Mapping[str, Any], partitions: int) -> None:
        self._counters = DriverCounters()
        group = settings.get("group")
        conf = {**config, "group.id": group or f"streamcompare-{topic}", "enable.auto.commit": False,
                "auto.offset.reset": "earliest", "fetch.wait.max.ms": int(settings.get("fetch_wait_max_ms", 100)),
                **(settings.get("consumer_extra") or {})}
        self._consumer = _RdConsumer(conf)
        if group:
            self._consumer.subscribe([topic])
        else:
            self._consumer.assign([TopicPartition(topic, p, confluent_kafka.OFFSET_BEGINNING)
                                   for p in range(partitions)])

    def poll(self, timeout_s: float) -> list[bytes]:
        """Wait up to timeout_s for the first record, then take whatever else is already here."""
        first = self._consumer.poll(timeout_s)
        if first is None:
            return []
        values: list[bytes] = []
        for message in [first, *self._consumer.consume(num_messages=10_000, timeout=0)]:
            error = message.error()
            if error is None:
                values.append(message.value() or b"")
            elif error.code() != KafkaError._PARTITION_EOF:
                self._counters.errors += 1
        self._counters.requests += 1
        return values

    def counters(self) -> DriverCounters:
        return self._counters

    def close(self) -> None:
        self._consumer.close()


class KafkaDriver:
    name = "kafka"

    def __init__(self, target: Target) -> None:
        self._config = client_config(target)
        self._system_version = target.kafka.version if target.kafka else None
        self._ledger = ledger_for(target)

    def admin(self) -> KafkaAdmin:
        return KafkaAdmin(self._config, self._system_version, self._ledger)

    def producer(self, stream: str, settings: Mapping[str, Any], on_ack: AckCallback) -> KafkaProducer:
        return KafkaProducer(self._config, stream, settings, on_ack)

    def consumer(self, stream: str, settings: Mapping[str, Any]) -> KafkaConsumer:
        partitions = settings.get("partitions") or self.admin().partitions(stream)
        return KafkaConsumer(self._config, stream, settings, int(partitions))


