"""The one Target type: the flat JSON form round-trips, old target dicts read, secrets stay masked."""

from __future__ import annotations

import dataclasses
import json
import pickle

import pytest

from streamcompare.errors import ConfigError
from streamcompare.target import Emulated, KafkaPart, Target, load_target

pytestmark = pytest.mark.unit

PASSWORD = "s3cr3t-pw-for-test"
LOCAL = {"kind": "local", "kafka_bootstrap": "127.0.0.1:19092", "kinesis_endpoint": "http://127.0.0.1:14567",
         "region": "us-east-1", "kafka_version": "4.1.0", "kinesis_version": "0.6.2", "brokers": 3,
         "run_dir": "/tmp/stack", "kinesis_emulator_endpoint": "http://127.0.0.1:14568",
         "kinesis_limits": {"endpoint": "http://127.0.0.1:14567"}, "emulator": {"kinesis": True, "kafka": False},
         "security": "sasl_ssl", "kafka_security": {"security.protocol": "SASL_SSL", "sasl.username": "admin",
                                                     "sasl.password": PASSWORD},
         "kafka_listeners": {"SSL": "127.0.0.1:19093"}, "security_file": "/tmp/stack/security/clients.json",
         "kinesis_iam_endpoint": "https://127.0.0.1:14569"}


def test_local_stack_target_round_trips_through_its_json_form() -> None:
    target = Target.from_json(LOCAL)
    assert target.kafka is not None and target.kinesis is not None
    assert target.kafka.bootstrap == "127.0.0.1:19092" and target.kafka.brokers == 3
    assert target.kafka.security["sasl.password"] == PASSWORD
    assert target.kinesis.emulator_endpoint == "http://127.0.0.1:14568"
    assert target.emulated == Emulated(kafka=False, kinesis=True) and target.security_profile == "sasl_ssl"
    assert target.to_json() == LOCAL
    assert Target.from_json(json.loads(json.dumps(target.to_json()))) == target


def test_pickles_for_a_child_process() -> None:
    target = Target.from_json({**LOCAL, "log_dir": "/tmp/l"})
    assert pickle.loads(pickle.dumps(target)) == target
    assert target.kafka is not None and pickle.loads(pickle.dumps(target.kafka)) == target.kafka


def test_secrets_are_masked_in_repr_and_public_form() -> None:
    target = Target.from_json(LOCAL)
    assert PASSWORD not in repr(target) and PASSWORD not in repr(target.kafka)
    assert PASSWORD not in json.dumps(target.public())
    assert target.public()["kafka_security"]["sasl.username"] == "admin"


def test_frozen_and_variants_by_replace() -> None:
    target = Target.from_json(LOCAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        target.kind = "aws"  # type: ignore[misc]
    moved = target.with_kinesis(endpoint="http://elsewhere")
    assert moved.kinesis is not None and moved.kinesis.endpoint == "http://elsewhere"
    assert target.kinesis is not None and target.kinesis.endpoint == "http://127.0.0.1:14567"
    assert Target(kind="kafka").with_kafka(bootstrap="b:9092").kafka == KafkaPart(bootstrap="b:9092")


def test_old_and_partial_dicts_read_with_unknown_keys_kept() -> None:
    aws = Target.from_json({"kind": "aws", "region": "eu-west-1", "profile": None, "allow_create": False})
    assert aws.kafka is None and aws.kinesis is not None and aws.kinesis.region == "eu-west-1"
    assert not aws.emulated.of("kinesis")
    assert Target.from_json({"kind": "local"}).emulated.of("kinesis")  # unsaid: local Kinesis is kinesis-mock
    assert Target.from_json({"kind": "local", "emulator": True}).emulated.of("kafka")
    fake = Target.from_json({"broker": "x", "log_dir": "/tmp/l"})
    assert fake.kind == "local" and fake.options == {"broker": "x", "log_dir": "/tmp/l"}
    assert fake.to_json()["broker"] == "x"


def test_bad_kind_and_bad_file_name_the_field(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="kind"):
        Target.from_json({"kind": "mars"})
    with pytest.raises(ConfigError) as err:
        load_target(tmp_path / "missing.json")
    assert err.value.field == "target_file"
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ConfigError, match="not JSON"):
        load_target(tmp_path / "bad.json")
