"""The one Kafka admin-client builder and the quiet logger (streamcompare.clients)."""

from __future__ import annotations

import pytest

from streamcompare.clients import QuietLogger, kafka_admin, quiet

pytestmark = pytest.mark.unit


def test_quiet_settings_silence_librdkafka_and_keep_the_rest() -> None:
    settings = quiet({"bootstrap.servers": "127.0.0.1:1", "socket.timeout.ms": 2000})
    assert settings["log_level"] == 0 and isinstance(settings["logger"], QuietLogger)
    assert settings["bootstrap.servers"] == "127.0.0.1:1" and settings["socket.timeout.ms"] == 2000
    logger = QuietLogger()
    assert logger.log(7, "refused") is None and logger.warning("x") is None and logger.debug("y") is None


def test_builder_makes_an_admin_client_without_connecting() -> None:
    from confluent_kafka.admin import AdminClient

    admin = kafka_admin({"bootstrap.servers": "127.0.0.1:1"}, quiet_logs=True)
    assert isinstance(admin, AdminClient)
