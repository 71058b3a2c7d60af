"""Report config: defaults, validation errors that name the field, ${ENV} secrets, redaction."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from streamcompare.config import (
    RESERVED_PARAMETERS,
    KafkaSecurity,
    ReportConfig,
    default_config_path,
    expand_env,
    load_config,
    parse_config,
)
from streamcompare.errors import ConfigError
from streamcompare.paths import project_root
from streamcompare.report.target import load_target, replay_target, target_reference
from streamcompare.target import Target

pytestmark = pytest.mark.unit

PASSWORD = "pw-Very-Secret-42"


def kafka_config(**security: str) -> dict:
    return {"target": {"kind": "kafka", "kafka": {"bootstrap_servers": "b1:9096", "security": {
        "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "alice",
        "sasl.password": PASSWORD, **security}}}}


def test_shipped_default_is_a_quick_live_local_run() -> None:
    config = load_config()
    assert default_config_path() == project_root() / "data" / "report" / "default.yaml"
    assert (config.target.kind, config.mode, config.workload.name) == ("local", "live", "quick.yaml")
    assert config.workload.is_file() and config.cost_scenario.is_file()
    assert config.results_dir == project_root() / "data" / "results"


def test_example_msk_config_loads_with_the_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_PASSWORD", PASSWORD)
    config = load_config(project_root() / "data" / "report" / "example-msk.yaml")
    assert config.target.kind == "aws" and config.target.kafka is not None
    assert config.target.driver_target().to_json()["kafka_security"]["sasl.password"] == PASSWORD
    assert PASSWORD in config.secrets()


def test_unset_environment_variable_names_the_field_and_the_variable(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_PW", raising=False)
    with pytest.raises(ConfigError) as caught:
        expand_env({"target": {"kafka": {"security": {"sasl.password": "${NO_SUCH_PW}"}}}})
    assert caught.value.field == "target.kafka.security.sasl.password"
    assert "NO_SUCH_PW" in str(caught.value)


@pytest.mark.parametrize(("data", "field", "expected"), [
    ({"target": {"kind": "pulsar"}}, "target.kind", "'local', 'kafka' or 'aws'"),
    ({"mode": "dry"}, "mode", "'live' or 'replay'"),
    ({"workload": "no-such-workload"}, "workload", "quick"),
    ({"target": {"kind": "kafka"}}, "target", "bootstrap_servers"),
    ({"target": {"local": {"brokerz": 2}}}, "target.local.brokerz", "allowed here: brokers"),
    ({"target": {"local": {"brokers": 12}}}, "target.local.brokers", "less than or equal to 9"),
    ({"timeout_s": 0}, "timeout_s", "greater than 0"),
    ({"parameters": {"10_latency": {"run_id": "x"}}}, "parameters", "run_id"),
    ({"target": {"kind": "local", "aws": {"region": "us-east-1"}}}, "target", "only with kind"),
])
def test_invalid_settings_name_the_field_and_what_is_allowed(data: dict, field: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert caught.value.field == field
    assert expected in str(caught.value)


def test_errors_never_quote_a_secret_value() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(kafka_config(**{"sasl.mechanism": "ROT13"}) | {"timeout_s": PASSWORD})
    assert PASSWORD not in str(caught.value) and PASSWORD not in repr(caught.value)
    assert "target.kafka.security.sasl.mechanism" in str(caught.value)


def test_yaml_syntax_errors_give_the_position_not_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"target:\n  kafka:\n    security: {{sasl.password: {PASSWORD}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "line" in str(caught.value) and PASSWORD not in str(caught.value)


def test_unknown_kafka_security_key_lists_the_librdkafka_names() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(kafka_config(**{"sasl.passwd": "x"}))
    assert caught.value.field == "target.kafka.security.sasl.passwd"
    assert "sasl.password" in str(caught.value)


def test_security_keys_match_the_kafka_driver() -> None:
    from streamcompare.drivers.kafka import SECURITY_KEYS

    aliases = {info.alias for info in KafkaSecurity.model_fields.values()}
    assert aliases - {"sasl.jaas.config"} == set(SECURITY_KEYS)  # the Java-only setting is refused with a fix


def test_redacted_and_repr_hide_secrets_while_the_driver_target_has_them() -> None:
    config = parse_config(kafka_config(**{"ssl.key.password": "key-pass-77"}))
    redacted = config.redacted()
    security = redacted["target"]["kafka"]["security"]
    assert security["sasl.password"] == "***" and security["ssl.key.password"] == "***"
    assert security["sasl.username"] == "alice"
    assert PASSWORD not in repr(config) and PASSWORD not in str(redacted)
    assert set(config.secrets()) >= {PASSWORD, "key-pass-77"}
    target = config.target.driver_target()
    assert target.kafka is not None and target.kafka.bootstrap == "b1:9096"
    assert target.kafka.security["sasl.password"] == PASSWORD and PASSWORD not in repr(target)
    assert PASSWORD not in config.target.describe()


def test_aws_credentials_in_the_environment_count_as_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-key-value")
    assert "aws-secret-key-value" in ReportConfig().secrets()


def test_relative_paths_resolve_against_the_base_dir(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text("name: w\n")
    (tmp_path / "s.yaml").write_text("write_mb_per_s: 1\n")
    config = parse_config({"workload": "w.yaml", "cost_scenario": "s.yaml", "results_dir": "out"},
                          base_dir=tmp_path)
    assert config.workload == tmp_path / "w.yaml"
    assert config.results_dir == tmp_path / "out"


def test_overrides_merge_star_then_notebook_and_replay_switches_mode(tmp_path: Path) -> None:
    config = parse_config({"parameters": {"*": {"rate": 1, "size": 2}, "10_latency": {"rate": 5}}})
    assert config.overrides_for("10_latency") == {"rate": 5, "size": 2}
    assert config.overrides_for("20_cost") == {"rate": 1, "size": 2}
    replay = config.for_replay(tmp_path, "20260101T000000Z")
    assert (replay.mode, replay.results_dir, replay.replay_run, config.mode) == (
        "replay", tmp_path, "20260101T000000Z", "live")
    assert "choices_file" in RESERVED_PARAMETERS


def test_load_config_from_yaml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SC_PW", PASSWORD)
    data = kafka_config(**{"sasl.password": "${SC_PW}"})
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data))
    assert load_config(path).secrets() == [PASSWORD]


def test_target_file_is_private_and_removed_afterwards() -> None:
    with target_reference(Target.from_json({"kind": "kafka", "kafka_security": {"sasl.password": PASSWORD}})) as path:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert load_target(path).to_json()["kafka_security"]["sasl.password"] == PASSWORD
    assert not path.exists() and not path.parent.exists()


def test_replay_target_carries_no_credentials() -> None:
    target = replay_target(parse_config(kafka_config()))
    assert PASSWORD not in str(target.to_json()) and target.replay is True


def test_missing_target_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no target file"):
        load_target(tmp_path / "nope.json")


def test_env_expansion_leaves_other_values_alone() -> None:
    os.environ.setdefault("HOME", "/root")
    assert expand_env({"a": 1, "b": ["x${HOME}y"], "c": None}) == {"a": 1, "b": [f"x{os.environ['HOME']}y"],
                                                                    "c": None}
