"""The authorisation matrix on Kafka: every principal tries every action; expected against observed.

Run against the local stack in the secure profile (`stack up --security sasl_ssl`). Principals: the
admin (super user), producer (write `orders*`), consumer (read `orders*` in groups `billing*`),
outsider (no ACL), the producer's user with a wrong password, a PLAINTEXT client pointed at the
SASL_SSL port, and ANONYMOUS on the PLAINTEXT listener. Each tries: produce to an allowed and a denied
topic, consume with an allowed and a denied group, create a topic, describe the cluster, read the
cluster's configuration, alter ACLs. Each row records the error a denial returned; any row whose
observation differs from its expectation fails the probe. Rows never carry a secret.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from streamcompare.clients import kafka_admin, quiet
from streamcompare.errors import StreamcompareError
from streamcompare.target import Target

ALLOWED, DENIED = "allowed", "denied"
KAFKA_ACTIONS = ("produce to allowed topic", "produce to denied topic", "consume with allowed group",
                 "consume with denied group", "create a topic", "describe the cluster",
                 "read cluster configuration", "alter ACLs")
WAIT_S = 8.0
FATAL_CODES = {"_AUTHENTICATION", "_ALL_BROKERS_DOWN", "_SSL", "_TRANSPORT"}
"""Client-level errors after which nothing more will succeed: the try stops early."""


class AuthorizationMismatch(StreamcompareError):
    """The observed authorisation differs from what the profile's rules say."""


@dataclass(frozen=True)
class Attempt:
    """One try: who, what, what the rules say, what happened and the error a denial returned."""

    system: str
    principal: str
    action: str
    expected: str
    observed: str
    error: str
    denial: str
    """authorization | authentication | transport | timeout | "" (allowed)."""
    seconds: float
    expected_aws: str = ""
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.expected == self.observed

    def row(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def classify(text: str) -> str:
    upper = text.upper()
    if "AUTHORIZATION" in upper or "ACCESSDENIED" in upper or "NOT AUTHORIZED" in upper:
        return "authorization"
    if "AUTHENTICATION" in upper or "SASL" in upper or "SIGNATURE" in upper or "INVALIDCLIENTTOKEN" in upper:
        return "authentication"
    if "TIMED_OUT" in upper or "TIMEOUT" in upper:
        return "timeout"
    return "transport"


class _Errors:
    """error_cb sink: client-level errors (authentication, transport), deduplicated."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, err: Any) -> None:
        text = f"{err.name()}: {err.str()}"
        if text not in self.seen:
            self.seen.append(text)

    @property
    def fatal(self) -> bool:
        return any(s.split(":")[0] in FATAL_CODES for s in self.seen)


def _wait_future(future: Any, errors: _Errors, timeout_s: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if future.done():
            return future.result()
        if errors.fatal:
            raise RuntimeError(errors.seen[0])
        time.sleep(0.05)
    raise TimeoutError(errors.seen[0] if errors.seen else f"no answer within {timeout_s:g} s")


class KafkaTries:
    """The actions, as one client configuration (bootstrap + security) would perform them."""

    def __init__(self, config: Mapping[str, Any], topics: Mapping[str, str], groups: Mapping[str, str],
                 user: str) -> None:
        self.config, self.topics, self.groups, self.user = dict(config), topics, groups, user

    def _conf(self, errors: _Errors) -> dict[str, Any]:
        return quiet({**self.config, "error_cb": errors, "socket.timeout.ms": 5000,
                       "reconnect.backoff.max.ms": 1000})

    def _admin(self, errors: _Errors) -> Any:
        return kafka_admin(self._conf(errors))

    def produce(self, which: str) -> None:
        from confluent_kafka import Producer

        errors = _Errors()
        producer = Producer({**self._conf(errors), "message.timeout.ms": int(WAIT_S * 1000)})
        outcome: list[Any] = []
        producer.produce(self.topics[which], b"probe", on_delivery=lambda err, _m: outcome.append(err))
        deadline = time.monotonic() + WAIT_S + 2
        while not outcome and time.monotonic() < deadline and not errors.fatal:
            producer.poll(0.1)
        producer.purge()
        producer.flush(1)
        if errors.fatal:
            raise RuntimeError(errors.seen[0])
        if not outcome:
            raise TimeoutError("no delivery report")
        if outcome[0] is not None:
            raise RuntimeError(f"{outcome[0].name()}: {outcome[0].str()}")

    def consume(self, which: str) -> None:
        from confluent_kafka import Consumer, KafkaError

        errors = _Errors()
        consumer = Consumer({**self._conf(errors), "group.id": self.groups[which], "auto.offset.reset": "earliest",
                             "enable.auto.commit": False, "session.timeout.ms": 6000})
        try:
            consumer.subscribe([self.topics["allowed"]])
            deadline = time.monotonic() + WAIT_S + 4
            while time.monotonic() < deadline and not errors.fatal:
                message = consumer.poll(0.2)
                if message is None:
                    continue
                err = message.error()
                if err is None:
                    return
                if err.code() != KafkaError._PARTITION_EOF:
                    raise RuntimeError(f"{err.name()}: {err.str()}")
            raise (RuntimeError if errors.fatal else TimeoutError)(
                errors.seen[0] if errors.seen else "no record within the wait")
        finally:
            consumer.close()

    def create_topic(self) -> None:
        from confluent_kafka.admin import NewTopic

        errors = _Errors()
        admin = self._admin(errors)
        name = f"probe-new-{uuid.uuid4().hex[:8]}"
        future = admin.create_topics([NewTopic(name, 1, 1)], request_timeout=WAIT_S)[name]
        _wait_future(future, errors, WAIT_S + 2)
        admin.delete_topics([name])[name].result(timeout=WAIT_S)

    def describe_cluster(self) -> None:
        errors = _Errors()
        admin = self._admin(errors)  # kept referenced until the answer: a dropped client cancels its futures
        _wait_future(admin.describe_cluster(request_timeout=WAIT_S), errors, WAIT_S + 2)

    def describe_configs(self) -> None:
        from confluent_kafka.admin import ConfigResource, ResourceType

        errors = _Errors()
        resource = ConfigResource(ResourceType.BROKER, "1")
        admin = self._admin(errors)
        future = admin.describe_configs([resource], request_timeout=WAIT_S)[resource]
        _wait_future(future, errors, WAIT_S + 2)

    def alter_acls(self) -> None:
        from confluent_kafka.admin import (
            AclBinding,
            AclBindingFilter,
            AclOperation,
            AclPermissionType,
            ResourcePatternType,
            ResourceType,
        )

        errors = _Errors()
        admin = self._admin(errors)
        spec = (ResourceType.TOPIC, f"probe-acl-{uuid.uuid4().hex[:8]}", ResourcePatternType.LITERAL,
                f"User:{self.user}", "*", AclOperation.READ, AclPermissionType.ALLOW)
        binding = AclBinding(*spec)
        _wait_future(admin.create_acls([binding], request_timeout=WAIT_S)[binding], errors, WAIT_S + 2)
        undo = AclBindingFilter(*spec)
        admin.delete_acls([undo], request_timeout=WAIT_S)[undo].result(timeout=WAIT_S)

    def actions(self) -> dict[str, Callable[[], None]]:
        return {"produce to allowed topic": lambda: self.produce("allowed"),
                "produce to denied topic": lambda: self.produce("denied"),
                "consume with allowed group": lambda: self.consume("allowed"),
                "consume with denied group": lambda: self.consume("denied"),
                "create a topic": self.create_topic, "describe the cluster": self.describe_cluster,
                "read cluster configuration": self.describe_configs, "alter ACLs": self.alter_acls}


def attempt(system: str, principal: str, action: str, expected: str, fn: Callable[[], None],
            expected_aws: str = "", note: str = "") -> Attempt:
    """Run one try; an exception is a denial, classified from its message."""
    started = time.monotonic()
    try:
        fn()
    except Exception as exc:
        text = str(exc) or type(exc).__name__
        kind = "timeout" if isinstance(exc, TimeoutError) and not any(
            code in text for code in FATAL_CODES) else classify(f"{type(exc).__name__} {text}")
        return Attempt(system, principal, action, expected, DENIED, text[:300], kind,
                       round(time.monotonic() - started, 2), expected_aws or expected, note)
    return Attempt(system, principal, action, expected, ALLOWED, "", "", round(time.monotonic() - started, 2),
                   expected_aws or expected, note)


def kafka_expectations() -> dict[str, dict[str, str]]:
    """What the profile's rules say each principal may do (stack/security.py ROLE_GRANTS)."""
    nothing = dict.fromkeys(KAFKA_ACTIONS, DENIED)
    logged_in = {**nothing, "describe the cluster": ALLOWED}
    """Kafka answers DescribeCluster (broker list, cluster id) for any authenticated principal; only the
    authorised-operations part of it needs DESCRIBE on the cluster."""
    return {
        "admin (super user)": dict.fromkeys(KAFKA_ACTIONS, ALLOWED),
        "producer": {**logged_in, "produce to allowed topic": ALLOWED},
        "consumer": {**logged_in, "consume with allowed group": ALLOWED},
        "outsider (no ACL)": logged_in,
        "wrong password": nothing,
        "plaintext client -> SASL_SSL port": nothing,
        "ANONYMOUS on PLAINTEXT listener": logged_in,
    }


def kafka_matrix(target: Target, clients: Mapping[str, Any],
                 progress: Callable[[str], None] = lambda _m: None) -> list[Attempt]:
    """Every principal tries every action on the secure local stack; returns the rows (no secrets)."""
    from confluent_kafka import Producer
    from confluent_kafka.admin import NewTopic

    listeners = clients["listeners"]
    sasl = listeners["SASL_SSL"]
    by_name = {p["name"]: p for p in clients["kafka_principals"]}
    run = uuid.uuid4().hex[:8]
    topics = {"allowed": f"orders-probe-{run}", "denied": f"payroll-probe-{run}"}
    groups = {"allowed": f"billing-probe-{run}", "denied": f"audit-probe-{run}"}

    def sasl_config(user: str, password: str) -> dict[str, Any]:
        return {"bootstrap.servers": sasl, "security.protocol": "SASL_SSL", "sasl.mechanism": clients["sasl_mechanism"],
                "sasl.username": user, "sasl.password": password, "ssl.ca.location": clients["ca_file"]}

    admin_conf = sasl_config("admin", by_name["admin"]["sasl_password"])
    admin = kafka_admin(admin_conf)
    for future in admin.create_topics([NewTopic(t, 1, 1) for t in topics.values()]).values():
        future.result(timeout=30)
    seed = Producer(admin_conf)
    seed.produce(topics["allowed"], b"seed")
    if seed.flush(20) != 0:
        raise AuthorizationMismatch("the admin could not write the seed record", fix="check `stack logs`")
    wrong = by_name["producer"]["sasl_password"][::-1] + "x"
    subjects = {
        "admin (super user)": (admin_conf, "admin"),
        "producer": (sasl_config("producer", by_name["producer"]["sasl_password"]), "producer"),
        "consumer": (sasl_config("consumer", by_name["consumer"]["sasl_password"]), "consumer"),
        "outsider (no ACL)": (sasl_config("outsider", by_name["outsider"]["sasl_password"]), "outsider"),
        "wrong password": (sasl_config("producer", wrong), "producer"),
        "plaintext client -> SASL_SSL port": ({"bootstrap.servers": sasl, "security.protocol": "PLAINTEXT"},
                                              "ANONYMOUS"),
        "ANONYMOUS on PLAINTEXT listener": ({"bootstrap.servers": listeners["PLAINTEXT"]}, "ANONYMOUS"),
    }
    expectations = kafka_expectations()
    rows: list[Attempt] = []
    try:
        for principal, (config, user) in subjects.items():
            progress(f"Kafka: {principal}")
            tries = KafkaTries(config, topics, groups, user).actions()
            for action in KAFKA_ACTIONS:
                rows.append(attempt("kafka", principal, action, expectations[principal][action], tries[action]))
    finally:
        for future in admin.delete_topics(list(topics.values())).values():
            with contextlib.suppress(Exception):  # best effort; the topics carry the probe's run id
                future.result(timeout=30)
    return rows


def mismatches(rows: list[Attempt]) -> list[Attempt]:
    return [r for r in rows if not r.ok]


def matrix_table(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """principal x action from stored rows: 'allowed'/'denied', marked where it differs from the expectation
    (MISMATCH) or where AWS would answer otherwise than moto ([AWS: ...])."""
    table: dict[str, dict[str, str]] = {}
    for r in rows:
        cell = str(r["observed"]) + ("" if r["ok"] else f" MISMATCH (expected {r['expected']})")
        if r.get("expected_aws") and r["expected_aws"] != r["expected"]:
            cell += f" [AWS: {r['expected_aws']}]"
        table.setdefault(str(r["principal"]), {"principal": str(r["principal"])})[str(r["action"])] = cell
    return list(table.values())
