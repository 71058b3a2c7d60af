"""Kafka client quotas, set and removed with Kafka's own ConfigCommand (the class behind
kafka-configs.sh, in the Maven-resolved kafka-tools jar): confluent-kafka has no quota API (FACTS.md).

    with client_quota(bootstrap, "probe-client", producer_byte_rate=100_000):
        ...   # the quota is removed on exit, also when the block fails
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from streamcompare.errors import ConfigError, StackError
from streamcompare.stack import kafka, prereqs

MAIN = "org.apache.kafka.tools.ConfigCommand"
QUOTA_KEYS = ("producer_byte_rate", "consumer_byte_rate", "request_percentage")
ENTITY_TYPES = ("clients", "users")
TIMEOUT_S = 120.0


def _run(bootstrap: str, *args: str) -> str:
    java = prereqs.java()
    jars = kafka.ensure_jars()
    argv = [java, "-Xmx256m", "-cp", f"{jars}/*", MAIN, "--bootstrap-server", bootstrap, *args]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S)
    if result.returncode != 0:
        raise StackError(f"Kafka ConfigCommand {' '.join(args)} failed:\n{(result.stdout + result.stderr)[-1500:]}",
                         fix="check that the local Kafka cluster is up (`streamcompare stack status`)")
    return result.stdout


def _check(entity_type: str, name: str) -> None:
    if entity_type not in ENTITY_TYPES:
        raise ConfigError(f"unknown quota entity type {entity_type!r}", field="entity_type",
                          fix=f"use one of: {', '.join(ENTITY_TYPES)}")
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,200}", name):
        raise ConfigError(f"invalid client id or user {name!r}", field="entity_name",
                          fix="use letters, digits, '.', '_' or '-'")


def set_quota(bootstrap: str, name: str, *, entity_type: str = "clients", **rates: int) -> None:
    """Set quotas (bytes/s per broker for the byte rates) for one client id or user."""
    _check(entity_type, name)
    unknown = sorted(set(rates) - set(QUOTA_KEYS))
    if unknown or not rates:
        raise ConfigError(f"unknown or missing quota {unknown or '(none given)'}", field="quota",
                          fix=f"give one or more of: {', '.join(QUOTA_KEYS)}")
    for key, value in rates.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"must be a whole number above zero, got {value!r}", field=key,
                              fix="give bytes per second, e.g. 100000")
    config = ",".join(f"{k}={v}" for k, v in rates.items())
    _run(bootstrap, "--alter", "--add-config", config, "--entity-type", entity_type, "--entity-name", name)


def remove_quota(bootstrap: str, name: str, *, entity_type: str = "clients",
                 keys: tuple[str, ...] | None = None) -> None:
    """Remove the given quota keys (known to be set), or every quota the entity has (one more JVM run)."""
    _check(entity_type, name)
    if keys is None:
        current = describe_quota(bootstrap, name, entity_type=entity_type)
        present = [k for k in QUOTA_KEYS if k in current]
    else:
        present = list(keys)
    if present:
        _run(bootstrap, "--alter", "--delete-config", ",".join(present), "--entity-type", entity_type,
             "--entity-name", name)


def describe_quota(bootstrap: str, name: str, *, entity_type: str = "clients") -> dict[str, float]:
    """The quotas set for one client id or user ({} when none)."""
    _check(entity_type, name)
    out = _run(bootstrap, "--describe", "--entity-type", entity_type, "--entity-name", name)
    return {key: float(value) for key, value in re.findall(r"(\w+_(?:rate|percentage))=([0-9.]+)", out)}


@contextmanager
def client_quota(bootstrap: str, name: str, *, entity_type: str = "clients", **rates: int) -> Iterator[None]:
    """Quotas set for the block and removed afterwards, also when the block fails."""
    set_quota(bootstrap, name, entity_type=entity_type, **rates)
    try:
        yield
    finally:
        remove_quota(bootstrap, name, entity_type=entity_type, keys=tuple(rates))
