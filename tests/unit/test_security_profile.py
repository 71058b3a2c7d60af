"""The secure profile's pure parts: certificates, broker settings, clients.json, expectations, effort, scrubbing."""

from __future__ import annotations

import ipaddress
import json
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key, pkcs12

from streamcompare.bench.metadata import describe_target
from streamcompare.bench.store import ResultStore
from streamcompare.errors import StackError
from streamcompare.probes import security_effort
from streamcompare.probes.authorization import ALLOWED, DENIED, KAFKA_ACTIONS, kafka_expectations, matrix_table
from streamcompare.probes.authorization_kinesis import KINESIS_ACTIONS, aws_expectation, moto_expectation
from streamcompare.report.scrub import find_secrets, target_secrets
from streamcompare.stack import certs, kafka, kinesis_iam, security
from streamcompare.stack.local import StackState, up
from streamcompare.target import Target

pytestmark = pytest.mark.unit


def test_ca_issues_loopback_certificates_and_an_encrypted_keystore(tmp_path: Path) -> None:
    ca = certs.CertificateAuthority(tmp_path)
    ca.write_ca()
    keystore = ca.pkcs12_keystore(tmp_path / "node.p12", "broker", "s3cret-pw", "node 1")
    key, cert, chain = pkcs12.load_key_and_certificates(keystore.read_bytes(), b"s3cret-pw")
    assert key is not None and cert is not None and len(chain) == 1
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in sans.get_values_for_type(x509.IPAddress)
    assert "localhost" in sans.get_values_for_type(x509.DNSName)
    assert cert.subject.rfc4514_string() == "CN=broker,O=streamcompare"  # what the principal rule maps
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(keystore.read_bytes(), b"wrong")
    _cert_path, key_path = ca.pem_pair(tmp_path / "c.pem", tmp_path / "c.key", "bench", server=False, client=True,
                                       purpose="client", password="key-pw")
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600 and stat.S_IMODE(keystore.stat().st_mode) == 0o600
    with pytest.raises(TypeError):
        load_pem_private_key(key_path.read_bytes(), password=None)  # encrypted: needs its password
    assert load_pem_private_key(key_path.read_bytes(), password=b"key-pw") is not None
    assert [i.name for i in ca.issued] == ["certificate authority", "node 1", "client"]
    assert certs.describe_certificate(ca.ca_file)["subject"].startswith("CN=streamcompare local CA")


def test_secure_node_settings(tmp_path: Path) -> None:
    files = security.SecureFiles(tmp_path)
    secrets = security.KafkaSecrets.generate()
    node = kafka.KafkaNode(1, 9001, 9002, tmp_path / "n1", ssl_port=9003, plaintext_port=9004)
    lines = security.node_properties(1, {"SASL_SSL": 9001, "SSL": 9003, "PLAINTEXT": 9004, "CONTROLLER": 9002},
                                     files, secrets)
    text = kafka.server_properties(node, [node], lines)
    props = dict(line.split("=", 1) for line in text.splitlines() if line)
    assert props["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert props["allow.everyone.if.no.acl.found"] == "false"
    assert props["super.users"] == "User:admin;User:broker"
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert "CONTROLLER:SSL" in props["listener.security.protocol.map"]  # never SCRAM on the controller
    assert props["listener.name.controller.ssl.client.auth"] == "required"
    assert props["listeners"].count("://127.0.0.1:") == 4 and "PLAINTEXT://127.0.0.1:9004" in props["listeners"]
    assert text.count("listeners=") == 2  # the plaintext listener lines are replaced, not duplicated
    plain = kafka.server_properties(node, [node])
    assert "authorizer" not in plain and "listener.security.protocol.map=PLAINTEXT:PLAINTEXT" in plain
    format_args = security.format_arguments(secrets)
    assert format_args[0] == "--add-scram" and "name=admin" in format_args[1]


def test_client_settings_use_librdkafka_names(tmp_path: Path) -> None:
    from streamcompare.drivers.kafka import SECURITY_KEYS

    files, secrets = security.SecureFiles(tmp_path), security.KafkaSecrets.generate()
    for listener in ("PLAINTEXT", "SSL", "SASL_SSL"):
        assert set(security.client_settings(listener, files, secrets)) <= set(SECURITY_KEYS)
    assert security.client_settings("SASL_SSL", files, secrets)["sasl.password"] == secrets.passwords["admin"]
    with pytest.raises(StackError, match="listener"):
        security.client_settings("SASL_PLAINTEXT", files, secrets)


def test_clients_file_is_private_and_names_every_principal(tmp_path: Path) -> None:
    files, secrets = security.SecureFiles(tmp_path / "security"), security.KafkaSecrets.generate()
    path = security.write_clients_file(files, secrets, {"SASL_SSL": "127.0.0.1:1"}, {"users": [
        {"user": "sc-producer", "secret_access_key": "AWS-SECRET-1", "access_key_id": "AKIA1"}]})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = security.load_clients(tmp_path)
    names = {p["name"]: p for p in data["kafka_principals"]}
    assert {"admin", "producer", "consumer", "outsider", "bench", "ANONYMOUS"} <= set(names)
    assert names["producer"]["acls"] == ["WRITE topic orders*"]
    assert names["consumer"]["acls"] == ["READ topic orders*", "READ group billing*"]
    assert names["outsider"]["acls"] == [] and names["admin"]["super_user"]
    found = security.secret_values(data)
    assert set(secrets.passwords.values()) <= set(found) and "AWS-SECRET-1" in found and "AKIA1" in found
    with pytest.raises(StackError, match="secure profile"):
        security.load_clients(tmp_path / "elsewhere")


def test_kafka_expectations_follow_the_grants() -> None:
    table = kafka_expectations()
    assert all(set(row) == set(KAFKA_ACTIONS) for row in table.values())
    assert all(v == ALLOWED for v in table["admin (super user)"].values())
    assert [a for a, v in table["producer"].items() if v == ALLOWED] == ["produce to allowed topic",
                                                                         "describe the cluster"]
    assert all(v == DENIED for v in table["wrong password"].values())


def test_kinesis_expectations_and_moto_coarseness() -> None:
    assert aws_expectation("producer", "arn", "put to allowed stream") == ALLOWED
    assert aws_expectation("producer", "arn", "put to denied stream") == DENIED
    assert aws_expectation("producer", "any", "put to denied stream") == ALLOWED  # Resource * allows all streams
    assert aws_expectation("consumer", "arn", "put to allowed stream") == DENIED
    assert moto_expectation("producer", "arn", "put to allowed stream")[0] == DENIED  # ARN never matches in moto
    assert moto_expectation("producer", "any", "put to allowed stream") == (ALLOWED, "")
    assert all(aws_expectation("outsider", "any", a) == DENIED for a in KINESIS_ACTIONS)
    arn = kinesis_iam.policy("producer", "arn")
    assert arn is not None and arn["Statement"][0]["Resource"] == kinesis_iam.stream_arn("orders")
    assert kinesis_iam.policy("outsider", "any") is None
    assert set(kinesis_iam.ROLE_ACTIONS["consumer"]) >= {"kinesis:GetShardIterator", "kinesis:GetRecords",
                                                         "kinesis:ListShards"}


def test_matrix_table_marks_mismatches_and_aws_differences() -> None:
    rows = [{"principal": "p", "action": "a", "observed": "allowed", "expected": "denied", "ok": False,
             "expected_aws": "denied"},
            {"principal": "p", "action": "b", "observed": "denied", "expected": "denied", "ok": True,
             "expected_aws": "allowed"}]
    (row,) = matrix_table(rows)
    assert row["a"].startswith("allowed MISMATCH") and row["b"] == "denied [AWS: allowed]"


def test_effort_counts_what_was_generated(tmp_path: Path) -> None:
    files, secrets = security.SecureFiles(tmp_path / "security"), security.KafkaSecrets.generate()
    files.root.mkdir(parents=True)
    ca = certs.CertificateAuthority(files.root)
    ca.write_ca()
    for node_id in (1, 2):
        ca.pkcs12_keystore(files.keystore(node_id), "broker", secrets.keystore_password, f"node {node_id}")
        node = kafka.KafkaNode(node_id, 1, 2, tmp_path / "kafka" / f"node-{node_id}", ssl_port=3, plaintext_port=4)
        node.home.mkdir(parents=True)
        node.config_file.write_text(kafka.server_properties(node, [node], security.node_properties(
            node_id, {"SASL_SSL": 1, "SSL": 3, "PLAINTEXT": 4, "CONTROLLER": 2}, files, secrets)))
    (files.root / "certificates.json").write_text(json.dumps([vars(i) for i in ca.issued]))
    security.write_clients_file(files, secrets, {}, None)
    clients = security.load_clients(tmp_path)
    effort = security_effort.kafka_effort(tmp_path, clients)
    assert effort["certificates"] == 3 and effort["configuration_lines_per_node"] == 19
    assert effort["configuration_lines"] == 38 and effort["secrets"] == 7  # 5 SASL, client key, keystore
    assert effort["acls"] == sum(len(g) for g in security.ROLE_GRANTS.values()) + len(security.ANONYMOUS_GRANTS)
    assert len(effort["certificate_expiry"]) == 2  # CA and leaf expiries differ
    table = security_effort.effort_table(tmp_path, clients)
    assert table[-1]["evidence"] == "documented" and "docs.aws.amazon.com" in table[-1]["sources"]


def test_switching_profiles_needs_down_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = StackState(run_dir=str(tmp_path), started_utc="2026-11-30T00:00:00+00:00", security="plaintext")
    state.save()
    monkeypatch.setattr(StackState, "is_up", lambda self: True)
    with pytest.raises(StackError, match="stack down"):
        up(tmp_path, brokers=1, security_profile="sasl_ssl")
    assert up(tmp_path, brokers=1)[1] is False  # no profile asked: the running stack is used as it is
    with pytest.raises(StackError, match="unknown security profile"):
        up(tmp_path, brokers=1, security_profile="kerberos")


def test_planted_secrets_reach_no_file_the_kit_writes(tmp_path: Path) -> None:
    """Secrets in a target and in clients.json: the result store, result targets and scrub keep them out."""
    files, secrets = security.SecureFiles(tmp_path / "run" / "security"), security.KafkaSecrets.generate()
    clients_path = security.write_clients_file(files, secrets, {}, {"users": [
        {"user": "u", "access_key_id": "AKIAPLANTED0001", "secret_access_key": "planted/aws+secret=="}]})
    target = {"kind": "local", "kafka_bootstrap": "127.0.0.1:1", "security": "sasl_ssl",
              "security_file": str(clients_path),
              "kafka_security": security.client_settings("SASL_SSL", files, secrets)}
    target = Target.from_json(target)
    planted = target_secrets(target)
    assert secrets.passwords["admin"] in planted and "planted/aws+secret==" in planted
    assert set(secrets.values()) <= set(planted)
    out = tmp_path / "out"
    store = ResultStore(out)
    row_with_leak = {"error": f"SASL failed for admin:{secrets.passwords['admin']}"}
    scrubbed = security.scrub_value([row_with_leak], planted)
    store.write_rows("run1", "security-kafka", scrubbed, evidence="measured", target=target)
    (out / "result-target.json").write_text(json.dumps(describe_target("kafka", target)))
    assert find_secrets(out, planted) == []
    assert "***" in (out / "experiments" / "run1-security-kafka.json").read_text()


def test_probe_security_without_a_stack_says_how(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from streamcompare.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["probe", "security", "--run-dir", str(tmp_path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--security sasl_ssl" in err and "Traceback" not in err
    with pytest.raises(SystemExit):
        main(["probe", "security", "--rates", "fast", "--run-dir", str(tmp_path)])
    assert "--rates" in capsys.readouterr().err
