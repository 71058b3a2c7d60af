"""The one Kafka admin-client builder and the one quiet logger, for every layer.

    kafka_admin(settings, quiet_logs=False)      a confluent-kafka AdminClient
    QuietLogger                                  swallows librdkafka's log lines (e.g. connection refused
                                                 while brokers boot, or the denials a probe provokes)

The stack (which starts brokers, creates SCRAM users and ACLs, watches a fault) sits *below* the
drivers in the import layers, so the builder cannot live in `drivers/`; it lives here, at the bottom,
and `drivers/kafka.py`, the stack, the probes and cleanup all call it (docs/design-notes.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

QUIET_SETTINGS: Mapping[str, Any] = {"log_level": 0}
"""librdkafka settings that, with `logger=QuietLogger()`, keep a client silent."""


class QuietLogger:
    """A logging.Logger stand-in that drops everything librdkafka hands it."""

    def log(self, *_args: object, **_kwargs: object) -> None:
        pass

    def __getattr__(self, _name: str) -> Callable[..., None]:
        return self.log


def quiet(settings: Mapping[str, Any]) -> dict[str, Any]:
    """`settings` plus what makes a librdkafka client silent."""
    return {**settings, **QUIET_SETTINGS, "logger": QuietLogger()}


def kafka_admin(settings: Mapping[str, Any], *, quiet_logs: bool = False) -> Any:
    """A confluent-kafka AdminClient for librdkafka `settings` (bootstrap.servers, security, timeouts)."""
    from confluent_kafka.admin import AdminClient

    return AdminClient(quiet(settings) if quiet_logs else dict(settings))
