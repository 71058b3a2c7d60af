"""The secure profile of the local stack: principals, secrets, broker settings, SCRAM users and ACLs.

Each Kafka node exposes three client listener kinds on loopback, so their cost can be compared on
one cluster: SASL_SSL (SCRAM-SHA-512, the profile's front door), SSL (mutual TLS; also the
inter-broker listener) and PLAINTEXT (kept only for the price-of-security baseline; its principal
ANONYMOUS has rights on the benchmark prefix `sc-` and nothing else). The controller listener uses
mutual TLS: Kafka's controller listener cannot use SCRAM (its credentials live in the metadata the
controllers serve). `StandardAuthorizer` runs on every node with allow.everyone.if.no.acl.found=false.

What clients need is written to the run directory: `security/ca.pem` and a 0600 `clients.json`
naming each principal, its SASL user and password and the ACLs granted. Secrets never go elsewhere.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from streamcompare.clients import kafka_admin
from streamcompare.errors import StackError
from streamcompare.stack.certs import write_private

PROFILES = ("plaintext", "sasl_ssl")
SASL_MECHANISM = "SCRAM-SHA-512"
AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
CLIENTS_FILE = "clients.json"
SECURITY_DIR = "security"
ADMIN = "admin"
NODE_PRINCIPAL = "broker"
BENCH_PREFIX = "sc-"
"""Topics and groups the harness creates start with this (bench/runner.py `sc-<workload>-<id>`)."""
ALLOWED_TOPIC_PREFIX = "orders"
ALLOWED_GROUP_PREFIX = "billing"
PRINCIPAL_RULE = "RULE:^CN=([^,]+),O=.*$/$1/,DEFAULT"
"""Certificate subject CN=<name>,O=... -> principal User:<name> (so TLS and SCRAM name the same user)."""


PLAINTEXT_LISTENER_LINES = ("listeners", "advertised.listeners", "controller.listener.names",
                            "inter.broker.listener.name", "listener.security.protocol.map")
"""What the plaintext profile configures for the same purpose (stack/kafka.py listener_lines)."""


@dataclass(frozen=True)
class Grant:
    """One ACL: allow `operation` on a resource (TOPIC or GROUP) named by a literal or a prefix."""

    resource: str
    name: str
    pattern: str
    operation: str

    def describe(self) -> str:
        star = "*" if self.pattern == "PREFIXED" else ""
        return f"{self.operation} {self.resource.lower()} {self.name}{star}"


def _bench_grants() -> tuple[Grant, ...]:
    ops = ("CREATE", "DELETE", "DESCRIBE", "WRITE", "READ")
    return (*(Grant("TOPIC", BENCH_PREFIX, "PREFIXED", op) for op in ops),
            Grant("GROUP", BENCH_PREFIX, "PREFIXED", "READ"),
            Grant("GROUP", "streamcompare-", "PREFIXED", "READ"))


ROLE_GRANTS: dict[str, tuple[Grant, ...]] = {
    "producer": (Grant("TOPIC", ALLOWED_TOPIC_PREFIX, "PREFIXED", "WRITE"),),
    "consumer": (Grant("TOPIC", ALLOWED_TOPIC_PREFIX, "PREFIXED", "READ"),
                 Grant("GROUP", ALLOWED_GROUP_PREFIX, "PREFIXED", "READ")),
    "outsider": (),
    "bench": _bench_grants(),
}
"""SCRAM principals the kit creates with the admin API, and the ACLs each gets (admin is a super user)."""
ANONYMOUS_GRANTS = _bench_grants()
"""User:ANONYMOUS (the PLAINTEXT listener) gets only what the benchmark needs on `sc-*`."""


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    sasl_username: str | None
    password: str | None
    grants: tuple[Grant, ...]
    super_user: bool = False
    how: str = ""

    def public(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "sasl_username": self.sasl_username,
                "super_user": self.super_user, "how": self.how, "acls": [g.describe() for g in self.grants]}


@dataclass(frozen=True)
class KafkaSecrets:
    """Every Kafka secret of the profile, generated fresh for each new cluster."""

    keystore_password: str
    client_key_password: str
    passwords: Mapping[str, str]

    @classmethod
    def generate(cls) -> KafkaSecrets:
        return cls(keystore_password=_secret(), client_key_password=_secret(),
                   passwords={name: _secret() for name in (ADMIN, *ROLE_GRANTS)})

    def values(self) -> list[str]:
        return [self.keystore_password, self.client_key_password, *self.passwords.values()]


def _secret() -> str:
    return secrets.token_urlsafe(24)


def principals(kafka_secrets: KafkaSecrets) -> list[Principal]:
    out = [Principal(ADMIN, "admin", ADMIN, kafka_secrets.passwords[ADMIN], (), super_user=True,
                     how="SCRAM user created at storage format; super user")]
    out += [Principal(name, name, name, kafka_secrets.passwords[name], grants,
                      how="SCRAM user and ACLs created with the admin API")
            for name, grants in ROLE_GRANTS.items()]
    out.append(Principal("ANONYMOUS", "plaintext-baseline", None, None, ANONYMOUS_GRANTS,
                         how="whoever connects to the PLAINTEXT listener (no authentication)"))
    out.append(Principal(NODE_PRINCIPAL, "inter-node", None, None, (), super_user=True,
                         how="Kafka nodes, by their certificate (mutual TLS on SSL and CONTROLLER)"))
    return out


@dataclass(frozen=True)
class SecureFiles:
    """Where the profile's files live (all under <run dir>/security)."""

    root: Path

    @property
    def ca(self) -> Path:
        return self.root / "ca.pem"

    def keystore(self, node_id: int) -> Path:
        return self.root / f"kafka-node-{node_id}.p12"

    @property
    def client_cert(self) -> Path:
        return self.root / "bench-client.pem"

    @property
    def client_key(self) -> Path:
        return self.root / "bench-client.key"

    @property
    def kinesis_cert(self) -> Path:
        return self.root / "kinesis-iam.pem"

    @property
    def kinesis_key(self) -> Path:
        return self.root / "kinesis-iam.key"

    @property
    def clients(self) -> Path:
        return self.root / CLIENTS_FILE


def node_properties(node_id: int, ports: Mapping[str, int], files: SecureFiles,
                    kafka_secrets: KafkaSecrets) -> list[str]:
    """The listener, TLS, SASL and authorizer lines of one node (the rest is shared with plaintext)."""
    sasl, ssl, plain, ctrl = (ports[k] for k in ("SASL_SSL", "SSL", "PLAINTEXT", "CONTROLLER"))
    return [
        f"listeners=SASL_SSL://127.0.0.1:{sasl},SSL://127.0.0.1:{ssl},PLAINTEXT://127.0.0.1:{plain},"
        f"CONTROLLER://127.0.0.1:{ctrl}",
        f"advertised.listeners=SASL_SSL://127.0.0.1:{sasl},SSL://127.0.0.1:{ssl},PLAINTEXT://127.0.0.1:{plain}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=SSL",
        "listener.security.protocol.map=SASL_SSL:SASL_SSL,SSL:SSL,PLAINTEXT:PLAINTEXT,CONTROLLER:SSL",
        f"sasl.enabled.mechanisms={SASL_MECHANISM}",
        f"listener.name.sasl_ssl.{SASL_MECHANISM.lower()}.sasl.jaas.config="
        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
        "ssl.keystore.type=PKCS12",
        f"ssl.keystore.location={files.keystore(node_id)}",
        f"ssl.keystore.password={kafka_secrets.keystore_password}",
        f"ssl.key.password={kafka_secrets.keystore_password}",
        "ssl.truststore.type=PEM",
        f"ssl.truststore.location={files.ca}",
        "listener.name.ssl.ssl.client.auth=required",
        "listener.name.controller.ssl.client.auth=required",
        f"ssl.principal.mapping.rules={PRINCIPAL_RULE}",
        f"authorizer.class.name={AUTHORIZER}",
        "allow.everyone.if.no.acl.found=false",
        f"super.users=User:{ADMIN};User:{NODE_PRINCIPAL}",
    ]


def format_arguments(kafka_secrets: KafkaSecrets) -> list[str]:
    """StorageTool arguments that create the admin's SCRAM credential with the cluster's first metadata."""
    return ["--add-scram", f"{SASL_MECHANISM}=[name={ADMIN},password={kafka_secrets.passwords[ADMIN]}]"]


def client_settings(listener: str, files: SecureFiles, kafka_secrets: KafkaSecrets,
                    user: str = ADMIN, password: str | None = None) -> dict[str, str]:
    """librdkafka settings (drivers/kafka.py SECURITY_KEYS names) for one listener kind."""
    if listener == "PLAINTEXT":
        return {"security.protocol": "PLAINTEXT"}
    if listener == "SSL":
        return {"security.protocol": "SSL", "ssl.ca.location": str(files.ca),
                "ssl.certificate.location": str(files.client_cert), "ssl.key.location": str(files.client_key),
                "ssl.key.password": kafka_secrets.client_key_password}
    if listener == "SASL_SSL":
        return {"security.protocol": "SASL_SSL", "sasl.mechanism": SASL_MECHANISM, "sasl.username": user,
                "sasl.password": password if password is not None else kafka_secrets.passwords[user],
                "ssl.ca.location": str(files.ca)}
    raise StackError(f"unknown listener kind {listener!r}", field="listener", fix="use PLAINTEXT, SSL or SASL_SSL")


def bootstrap_principals(admin_config: Mapping[str, Any], kafka_secrets: KafkaSecrets,
                         timeout_s: float = 60.0) -> None:
    """Create the SCRAM users (all but admin) and every ACL with the admin API, as the admin."""
    from confluent_kafka.admin import (
        AclBinding,
        AclOperation,
        AclPermissionType,
        ResourcePatternType,
        ResourceType,
        ScramCredentialInfo,
        ScramMechanism,
        UserScramCredentialAlteration,
        UserScramCredentialUpsertion,
    )

    admin = kafka_admin(admin_config)
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192)
    upserts: list[UserScramCredentialAlteration] = [
        UserScramCredentialUpsertion(name, info, kafka_secrets.passwords[name].encode()) for name in ROLE_GRANTS]
    for future in admin.alter_user_scram_credentials(upserts, request_timeout=timeout_s).values():
        future.result(timeout=timeout_s)
    bindings = []
    for principal in principals(kafka_secrets):
        for grant in principal.grants:
            bindings.append(AclBinding(ResourceType[grant.resource], grant.name,
                                       ResourcePatternType[grant.pattern], f"User:{principal.name}", "*",
                                       AclOperation[grant.operation], AclPermissionType.ALLOW))
    for future in admin.create_acls(bindings, request_timeout=timeout_s).values():
        future.result(timeout=timeout_s)


def write_clients_file(files: SecureFiles, kafka_secrets: KafkaSecrets, listeners: Mapping[str, str],
                       kinesis: Mapping[str, Any] | None) -> Path:
    """clients.json (0600): every principal, its SASL user and password, its ACLs; Kinesis IAM users."""
    people = []
    for principal in principals(kafka_secrets):
        entry = principal.public()
        if principal.password is not None:
            entry["sasl_password"] = principal.password
        people.append(entry)
    data = {"profile": "sasl_ssl", "sasl_mechanism": SASL_MECHANISM, "ca_file": str(files.ca),
            "listeners": dict(listeners),
            "ssl_client": {"certificate": str(files.client_cert), "key": str(files.client_key),
                           "key_password": kafka_secrets.client_key_password, "principal": "bench"},
            "kafka_principals": people, "kinesis": dict(kinesis or {}),
            "brokers": {"keystore_password": kafka_secrets.keystore_password,
                        "note": "for operators: the nodes' PKCS#12 keystores; clients never need it"}}
    write_private(files.clients, json.dumps(data, indent=2).encode())
    return files.clients


def load_clients(run_dir: Path) -> dict[str, Any]:
    """The secure profile's clients.json of a run directory (secrets included: never print it whole)."""
    path = run_dir / SECURITY_DIR / CLIENTS_FILE
    if not path.is_file():
        raise StackError(f"no {path}: the local stack is not in the secure profile",
                         fix="`streamcompare stack down`, then `streamcompare stack up --security sasl_ssl`")
    return json.loads(path.read_text())


def secret_values(clients: Mapping[str, Any]) -> list[str]:
    """Every secret in a clients.json: to scrub from anything written."""
    found: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and value and any(w in key for w in ("password", "secret", "access_key")):
            found.append(value)

    walk(clients)
    return sorted(set(found), key=len, reverse=True)


def scrub_value(value: Any, secrets: list[str], mask: str = "***") -> Any:
    """A copy of JSON-like data with every secret replaced by `mask` wherever it occurs in a string."""
    if isinstance(value, str):
        for secret in sorted(secrets, key=len, reverse=True):
            if secret:
                value = value.replace(secret, mask)
        return value
    if isinstance(value, Mapping):
        return {k: scrub_value(v, secrets, mask) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(v, secrets, mask) for v in value]
    return value


def grants_table() -> list[dict[str, Any]]:
    """The ACLs the kit creates, as rows (for the effort table)."""
    return [{"principal": p.name, **asdict(g)} for p in principals(KafkaSecrets("x", "x", dict.fromkeys(
        (ADMIN, *ROLE_GRANTS), "x"))) for g in p.grants]
