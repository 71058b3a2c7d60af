"""The secure profile against real processes: a 1-node SASL_SSL Kafka cluster with ACLs and moto with IAM.

One secure stack for the module (1 broker: every rule here is per principal, not per replica; set
STREAMCOMPARE_TEST_BROKERS=3 to run on three), stopped at the end even when a test fails.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamcompare.bench.store import ResultStore
from streamcompare.probes import security_cost
from streamcompare.probes.authorization import ALLOWED, DENIED, kafka_matrix, mismatches
from streamcompare.probes.authorization_kinesis import kinesis_matrix
from streamcompare.stack import security
from streamcompare.stack.local import LocalStack, local_stack

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def secure_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    brokers = int(os.environ.get("STREAMCOMPARE_TEST_BROKERS", "1"))
    run_dir = tmp_path_factory.mktemp("secure-stack")
    with local_stack(brokers=brokers, run_dir=run_dir, security_profile="sasl_ssl",
                     progress=lambda msg: print(f"[secure stack] {msg}")) as stack:
        yield stack


@pytest.fixture(scope="module")
def clients(secure_stack: LocalStack) -> dict[str, object]:
    return security.load_clients(Path(secure_stack.state.run_dir))


def cli(run_dir: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "streamcompare", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "STREAMCOMPARE_RUN_DIR": run_dir})


def test_secure_stack_files_status_and_profile_switch(secure_stack: LocalStack) -> None:
    run_dir = secure_stack.state.run_dir
    clients_file = Path(run_dir) / "security" / "clients.json"
    assert stat.S_IMODE(clients_file.stat().st_mode) == 0o600
    assert (Path(run_dir) / "security" / "ca.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")
    for node in secure_stack.state.kafka_nodes:
        config = Path(str(node["log"])).parent / "server.properties"
        assert stat.S_IMODE(config.stat().st_mode) == 0o600  # it holds the keystore password
    status = cli(run_dir, "stack", "status")
    assert status.returncode == 0 and "security profile: sasl_ssl" in status.stdout
    assert "SASL_SSL" in status.stdout and "clients.json" in status.stdout
    switch = cli(run_dir, "stack", "up", "--security", "plaintext")
    assert switch.returncode == 2 and "stack down" in switch.stderr and "Traceback" not in switch.stderr
    target = secure_stack.target()
    assert target.security_profile == "sasl_ssl" and target.need_kafka().security["security.protocol"] == "SASL_SSL"


def test_kafka_authorisation_matrix_holds(secure_stack: LocalStack, clients: dict[str, object]) -> None:
    rows = kafka_matrix(secure_stack.target(), clients, progress=print)
    assert mismatches(rows) == [], "\n".join(f"{r.principal} / {r.action}: {r.observed} ({r.error})"
                                              for r in mismatches(rows))
    by = {(r.principal, r.action): r for r in rows}
    assert by[("producer", "produce to denied topic")].error.startswith("TOPIC_AUTHORIZATION_FAILED")
    assert by[("consumer", "consume with denied group")].error.startswith("GROUP_AUTHORIZATION_FAILED")
    assert by[("outsider (no ACL)", "alter ACLs")].denial == "authorization"
    assert by[("wrong password", "produce to allowed topic")].denial == "authentication"
    assert by[("plaintext client -> SASL_SSL port", "describe the cluster")].observed == DENIED
    assert by[("admin (super user)", "alter ACLs")].observed == ALLOWED


def test_kinesis_iam_matrix_holds_with_moto_coarseness(clients: dict[str, object]) -> None:
    rows = kinesis_matrix(clients["kinesis"], progress=print)  # type: ignore[arg-type]
    assert mismatches(rows) == [], "\n".join(f"{r.principal} / {r.action}: {r.observed} ({r.error})"
                                              for r in mismatches(rows))
    by = {(r.principal, r.action): r for r in rows}
    arn_put = by[("producer (ARN-scoped policy)", "put to allowed stream")]
    assert arn_put.observed == DENIED and arn_put.expected_aws == ALLOWED  # FACTS.md: moto denies ARN scoping
    assert by[("producer (policy on Resource *)", "put to allowed stream")].observed == ALLOWED
    assert by[("producer (policy on Resource *)", "read allowed stream")].denial == "authorization"
    assert by[("wrong secret key", "put to allowed stream")].denial == "authentication"
    assert by[("plain HTTP -> HTTPS port", "list streams (describe)")].observed == DENIED


def test_every_listener_carries_the_benchmark(secure_stack: LocalStack, clients: dict[str, object]) -> None:
    from streamcompare.bench.workload import builtin_workload

    workload = builtin_workload("quick").with_overrides(name="security-cost", replication_factor=1,
                                                        min_insync_replicas=1, duration_s=3, warmup_s=1)
    rows = security_cost.measure(secure_stack.target(), clients, [300], workload=workload)
    runs = {r["listener"]: r for r in rows if r["kind"] == "run"}
    assert set(runs) == set(security_cost.LISTENERS)
    for listener, row in runs.items():
        assert row["lost"] == 0 and row["e2e_p50_ms"] is not None, listener
        assert row["producer_cpu_us_per_record"] > 0
    connects = {r["listener"]: r for r in rows if r["kind"] == "connect"}
    assert all(c["connect_ms_p50"] > 0 for c in connects.values())


def test_planted_secrets_appear_in_no_file_the_kit_wrote(secure_stack: LocalStack, clients: dict[str, object],
                                                         tmp_path: Path) -> None:
    """Every secret of clients.json is searched in every log, state and result file of the run (the files
    that must hold them, clients.json, the 0600 node configs and the key files, excepted)."""
    from streamcompare.probes import security as probe
    from streamcompare.report.scrub import find_secrets

    secrets = security.secret_values(clients)
    assert len(secrets) >= 8
    findings = probe.run(secure_stack.target(), cost=False)
    store = ResultStore(tmp_path / "results")
    store.write_rows("sec-test", "security-kafka", findings.kafka, evidence="measured", target=secure_stack.target())
    store.write_rows("sec-test", "security-kinesis", findings.kinesis, evidence="measured",
                     target=secure_stack.target())
    (tmp_path / "results" / "findings.json").write_text(json.dumps(findings.as_dict(), default=str))
    assert find_secrets(tmp_path / "results", secrets) == []
    run_dir = Path(secure_stack.state.run_dir)
    allowed = {"clients.json", "server.properties"}
    leaks = [p for p in find_secrets(run_dir, secrets) if p.name not in allowed and p.suffix not in (".p12", ".key")]
    assert leaks == []
    assert findings.passed
