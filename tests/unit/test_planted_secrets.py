"""A distinct secret planted in every client setting that can carry one: none may reach any file the kit writes.

The settings come from librdkafka's `_RK_SENSITIVE` list, the Java client's password settings and
botocore's credential names (streamcompare/secrets.py). The kit writes: a benchmark result, a probe's
stored rows, the report summary (config.redacted()), a log line of the run, and the report tree after
its final scrub.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import fakes
import pytest

from streamcompare.bench.runner import run_benchmark
from streamcompare.bench.store import ResultStore
from streamcompare.bench.workload import validate_workload
from streamcompare.config import KafkaSecurity, parse_config
from streamcompare.drivers.base import DriverRegistry
from streamcompare.errors import ConfigError
from streamcompare.report.scrub import find_secrets, scrub_tree
from streamcompare.secrets import JAVA_KAFKA_SENSITIVE, LIBRDKAFKA_SENSITIVE, SHOWN, is_sensitive, mask
from streamcompare.target import Target

pytestmark = pytest.mark.unit


def planted() -> dict[str, str]:
    """One distinct secret for every sensitive setting the kit's Kafka target accepts."""
    aliases = [info.alias for info in KafkaSecurity.model_fields.values() if info.alias]
    fields = [a for a in aliases if is_sensitive(a) and a != "sasl.jaas.config"]
    return {alias: f"Planted-{i:02d}-{alias.replace('.', '_')}-zq7" for i, alias in enumerate(fields)}


def test_every_sensitive_setting_of_the_clients_is_recognised() -> None:
    for name in (LIBRDKAFKA_SENSITIVE | JAVA_KAFKA_SENSITIVE) - SHOWN:
        assert is_sensitive(name), name
    for name in ("aws_secret_access_key", "aws_session_token", "SessionToken", "SecretAccessKey",
                 "sasl.oauthbearer.config", "sasl.oauthbearer.client.secret", "ssl.key.password",
                 "ssl.keystore.password", "ssl.key.pem", "sasl.jaas.config"):
        assert is_sensitive(name), name
    for name in ("bootstrap.servers", "security.protocol", "sasl.mechanism", "region", "record_bytes",
                 "sasl.username", "partitions"):
        assert not is_sensitive(name), name
    expected = {"sasl.password", "sasl.oauthbearer.config", "sasl.oauthbearer.client.secret", "ssl.key.password",
                "ssl.keystore.password", "ssl.key.pem", "sasl.oauthbearer.assertion.private.key.passphrase",
                "sasl.oauthbearer.assertion.private.key.pem"}
    assert expected <= set(planted())


def test_no_planted_secret_in_any_file_the_kit_writes(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = planted()
    aws = {"aws_secret_access_key": "Planted-aws-secret-zq7", "aws_session_token": "Planted-aws-session-zq7",
           "SessionToken": "Planted-sts-token-zq7"}
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "Planted-env-secret-zq7")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "Planted-env-session-zq7")
    everything = [*secrets.values(), *aws.values(), "Planted-env-secret-zq7", "Planted-env-session-zq7"]
    assert len(set(everything)) == len(everything)
    config = parse_config({"target": {"kind": "kafka", "kafka": {
        "bootstrap_servers": "broker.invalid:9096",
        "security": {"security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER", **secrets}}},
        "results_dir": str(tmp_path / "results"), "reports_dir": str(tmp_path / "reports")})
    assert set(config.secrets()) >= set(secrets.values()) | {"Planted-env-secret-zq7", "Planted-env-session-zq7"}

    target = {**config.target.driver_target().to_json(), **aws, "nested": {"credentials": {"SecretAccessKey": aws[
        "aws_secret_access_key"]}}}
    assert target["kafka_security"]["sasl.oauthbearer.config"] == secrets["sasl.oauthbearer.config"]
    registry = DriverRegistry()
    registry.register("fake", fakes.FakeDriver)
    workload = validate_workload({"name": "planted", "rate": 200, "duration_s": 0.5, "partitions": 1,
                                  "drain_timeout_s": 5})
    with caplog.at_level(logging.DEBUG):
        result = run_benchmark("fake", Target.from_json({**target, "broker": "planted"}), workload, registry=registry,
                               consumer_in_subprocess=False, seed=1)
        logging.getLogger("streamcompare").info("target %s", mask(target))
    written = [result.write(tmp_path / "results")]
    store = ResultStore(tmp_path / "results")
    written.append(store.write_rows("20261130T000000Z", "planted", [{"ok": 1}], evidence="measured",
                                    target=Target.from_json(target)))
    summary = tmp_path / "reports" / "run" / "summary.json"
    summary.parent.mkdir(parents=True)
    summary.write_text(json.dumps({"config": config.redacted()}))
    (tmp_path / "reports" / "run" / "log.txt").write_text(caplog.text + repr(config))
    # a notebook output that echoed a secret is caught by the report's last line of defence
    (tmp_path / "reports" / "run" / "echo.html").write_text(f"<pre>{secrets['ssl.key.pem']}</pre>")
    scrub_tree(tmp_path / "reports", config.secrets())
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) >= 5 and all(p in files for p in written)
    assert find_secrets(tmp_path, everything) == []
    stored = json.loads(written[0].read_text())["target"]["kafka_security"]
    assert all(stored[k] == "***" for k in secrets)


def test_java_only_jaas_config_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"target": {"kind": "kafka", "kafka": {"bootstrap_servers": "b:9092", "security": {
            "sasl.jaas.config": 'org.apache.kafka.common.security.plain.PlainLoginModule required '
                                'username="u" password="Planted-jaas-zq7";'}}}})
    assert "Planted-jaas-zq7" not in str(caught.value) and "sasl.jaas.config" in str(caught.value)
