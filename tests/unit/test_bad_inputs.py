"""Hostile-but-honest input for every command: exit 2, no traceback, a message naming the field (issue 15).

Each case runs the real entry point in-process (`streamcompare.cli.main(argv)`), with files made in a
temporary folder. Nothing here may start the local stack or reach AWS: every case must be refused
before any work starts.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from streamcompare.cli import main

pytestmark = pytest.mark.unit

WORKLOAD = {"name": "w", "rate": 10, "duration_s": 1}
SCENARIO_OK: dict[str, object] = {}
PRICE = {"schema_version": 1, "region": "us-east-1", "prices_date": "2024-07-01", "captured_from": "test",
         "prices": [{"key": "kinesis-shard-hour", "usd": 0.015, "unit": "shard-hour", "source": "s",
                     "as_of": "2024-07-01", "verified": True}]}


def y(data: object) -> Callable[[Path], str]:
    return lambda p: yaml.safe_dump(data)


def text(body: str) -> Callable[[Path], str]:
    return lambda p: body


def workload(**kw: object) -> Callable[[Path], str]:
    return y({**WORKLOAD, **kw})


# (id, argv with {f} for the planted file and {d} for the temp folder, file content or None, field named, code)
CASES: list[tuple[str, list[str], Callable[[Path], str] | str | None, str]] = [
    # --- the CLI library's own parse errors, on every command --------------------------------------------------
    ("unknown-command", ["nosuch"], None, "command"),
    ("unknown-command-typo", ["benhc"], None, "command"),
    ("unknown-flag-top", ["--nope"], None, "--nope"),
    ("bench-unknown-flag", ["bench", "--nope"], None, "--nope"),
    ("bench-brokers-letter", ["bench", "--brokers", "x"], None, "--brokers"),
    ("bench-brokers-float", ["bench", "--brokers", "1.5"], None, "--brokers"),
    ("bench-missing-value", ["bench", "--workload"], None, "--workload"),
    ("bench-set-missing-value", ["bench", "--set"], None, "--set"),
    ("bench-extra-arg", ["bench", "extra"], None, "extra"),
    ("cost-letter", ["cost", "--write-mb-per-s", "ten"], None, "--write-mb-per-s"),
    ("cost-int-letter", ["cost", "--avg-record-bytes", "big"], None, "--avg-record-bytes"),
    ("cost-consumers-float", ["cost", "--consumers", "2.5"], None, "--consumers"),
    ("cost-unknown-flag", ["cost", "--cheap"], None, "--cheap"),
    ("cost-missing-value", ["cost", "--region"], None, "--region"),
    ("prices-unknown-sub", ["prices", "list"], None, "command"),
    ("prices-show-unknown-flag", ["prices", "show", "--all"], None, "--all"),
    ("stack-unknown-sub", ["stack", "restart"], None, "command"),
    ("stack-up-brokers-letter", ["stack", "up", "--brokers", "three"], None, "--brokers"),
    ("stack-up-port-letter", ["stack", "up", "--kafka-port", "http"], None, "--kafka-port"),
    ("stack-logs-lines-letter", ["stack", "logs", "-n", "many"], None, "--lines"),
    ("stack-down-unknown-flag", ["stack", "down", "--force"], None, "--force"),
    ("report-unknown-flag", ["report", "--fast"], None, "--fast"),
    ("report-missing-config", ["report", "--config"], None, "--config"),
    ("cleanup-no-region", ["cleanup"], None, "--region"),
    ("cleanup-bad-region", ["cleanup", "--region", "us east 1"], None, "--region"),
    ("cleanup-region-upper", ["cleanup", "--region", "US-EAST-1"], None, "--region"),
    ("cleanup-unknown-flag", ["cleanup", "--all"], None, "--all"),
    # --- bench: flags and workloads -----------------------------------------------------------------------------
    ("bench-system", ["bench", "--system", "pulsar"], None, "--system"),
    ("bench-brokers-zero", ["bench", "--brokers", "0"], None, "--brokers"),
    ("bench-brokers-many", ["bench", "--brokers", "12"], None, "--brokers"),
    ("bench-workers-zero", ["bench", "--workers", "0"], None, "--workers"),
    ("bench-workers-many", ["bench", "--workers", "65"], None, "--workers"),
    ("bench-workload-workers-zero", ["bench", "--workload", "{f}"], workload(workers=0), "workers"),
    ("bench-builtin-missing", ["bench", "--workload", "nosuch"], None, "workload"),
    ("bench-workload-path-missing", ["bench", "--workload", "{d}/missing.yaml"], None, "workload"),
    ("bench-workload-directory", ["bench", "--workload", "{d}"], None, "workload"),
    ("bench-workload-dir-yaml", ["bench", "--workload", "{d}/dir.yaml"], "DIR", "workload"),
    ("bench-workload-binary", ["bench", "--workload", "{f}"], "BINARY", "workload"),
    ("bench-workload-syntax", ["bench", "--workload", "{f}"], text("name: w\nrate: [10\n"), "workload"),
    ("bench-workload-tabs", ["bench", "--workload", "{f}"], text("name: w\n\trate: 10\n"), "workload"),
    ("bench-workload-duplicate", ["bench", "--workload", "{f}"],
     text("name: w\nrate: 10\nrate: 20\nduration_s: 1\n"), "rate"),
    ("bench-workload-dup-nested", ["bench", "--workload", "{f}"],
     text("name: w\nrate: 10\nduration_s: 1\nkafka:\n  acks: all\n  acks: 1\n"), "acks"),
    ("bench-workload-list", ["bench", "--workload", "{f}"], y([1, 2]), "workload"),
    ("bench-workload-scalar", ["bench", "--workload", "{f}"], text("just text\n"), "workload"),
    ("bench-workload-empty", ["bench", "--workload", "{f}"], text(""), "name"),
    ("bench-workload-no-rate", ["bench", "--workload", "{f}"], y({"name": "w", "duration_s": 1}), "rate"),
    ("bench-workload-rate-negative", ["bench", "--workload", "{f}"], workload(rate=-1), "rate"),
    ("bench-workload-rate-text", ["bench", "--workload", "{f}"], workload(rate="fast"), "rate"),
    ("bench-workload-rate-float", ["bench", "--workload", "{f}"], workload(rate=10.5), "rate"),
    ("bench-workload-duration-nan", ["bench", "--workload", "{f}"], text("name: w\nrate: 10\nduration_s: .nan\n"),
     "duration_s"),
    ("bench-workload-duration-inf", ["bench", "--workload", "{f}"], text("name: w\nrate: 10\nduration_s: .inf\n"),
     "duration_s"),
    ("bench-workload-warmup-nan-text", ["bench", "--workload", "{f}"], workload(warmup_s="nan"), "warmup_s"),
    ("bench-workload-duration-zero", ["bench", "--workload", "{f}"], workload(duration_s=0), "duration_s"),
    ("bench-workload-unknown-field", ["bench", "--workload", "{f}"], workload(speed=3), "speed"),
    ("bench-workload-acks", ["bench", "--workload", "{f}"], workload(kafka={"acks": "some"}), "kafka.acks"),
    ("bench-workload-isr-above-rf", ["bench", "--workload", "{f}"],
     workload(replication_factor=1, min_insync_replicas=2), "min_insync_replicas"),
    ("bench-workload-name", ["bench", "--workload", "{f}"], workload(name="bad name!"), "name"),
    ("bench-workload-brackets", ["bench", "--workload", "{f}"], workload(rate="[red]x[/]"), "rate"),
    ("bench-workload-schema", ["bench", "--workload", "{f}"], workload(schema_version=9), "schema_version"),
    ("bench-workload-producers", ["bench", "--workload", "{f}"], workload(streams=2, producers=1), "producers"),
    ("bench-workload-record-small", ["bench", "--workload", "{f}"], workload(record_bytes=8), "record_bytes"),
    ("bench-kinesis-record-2mb", ["bench", "--system", "kinesis", "--workload", "{f}"],
     workload(record_bytes=2_000_000), "record_bytes"),
    ("bench-all-record-1mib", ["bench", "--workload", "{f}"], workload(record_bytes=1024 * 1024), "record_bytes"),
    ("bench-kafka-record-over-client", ["bench", "--system", "kafka", "--workload", "{f}"],
     workload(record_bytes=999_950), "record_bytes"),
    ("bench-set-no-equals", ["bench", "--set", "rate"], None, "--set"),
    ("bench-set-unknown", ["bench", "--set", "speed=3"], None, "speed"),
    ("bench-set-section", ["bench", "--set", "pulsar.acks=1"], None, "pulsar.acks"),
    ("bench-set-nan", ["bench", "--set", "duration_s=nan"], None, "duration_s"),
    ("bench-set-inf", ["bench", "--set", "warmup_s=inf"], None, "warmup_s"),
    ("bench-set-rate-zero", ["bench", "--set", "rate=0"], None, "rate"),
    ("bench-results-unwritable", ["bench", "--results-dir", "/proc/streamcompare-results"], None, "--results-dir"),
    ("bench-results-is-file", ["bench", "--results-dir", "{f}"], text("a file"), "--results-dir"),
    ("bench-target-missing", ["bench", "--target", "{d}/nosuch.yaml"], None, "config"),
    ("bench-target-binary", ["bench", "--target", "{f}"], "BINARY", "config"),
    # --- cost: flags, scenarios and price files -----------------------------------------------------------------
    ("cost-nan", ["cost", "--write-mb-per-s", "nan"], None, "write_mb_per_s"),
    ("cost-inf", ["cost", "--write-mb-per-s", "inf"], None, "write_mb_per_s"),
    ("cost-nan-json", ["cost", "--write-mb-per-s", "nan", "--json"], None, "write_mb_per_s"),
    ("cost-ops-rate-inf", ["cost", "--ops-usd-per-hour", "inf", "--json"], None, "usd_per_hour"),
    ("cost-headroom-nan", ["cost", "--headroom", "nan"], None, "headroom"),
    ("cost-retention-inf", ["cost", "--retention-hours", "inf"], None, "retention_hours"),
    ("cost-hours-nan", ["cost", "--hours-per-month", "nan"], None, "hours_per_month"),
    ("cost-negative", ["cost", "--write-mb-per-s", "-1"], None, "write_mb_per_s"),
    ("cost-region", ["cost", "--region", "mars-1"], None, "region"),
    ("cost-option", ["cost", "--option", "pulsar"], None, "option"),
    ("cost-efo-many", ["cost", "--efo", "--consumers", "50"], None, "efo"),
    ("cost-instance", ["cost", "--broker-instance", "m9.huge"], None, "broker_instance"),
    ("cost-scenario-missing", ["cost", "--scenario", "{d}/none.yaml"], None, "scenario"),
    ("cost-scenario-dir", ["cost", "--scenario", "{d}"], None, "scenario"),
    ("cost-scenario-binary", ["cost", "--scenario", "{f}"], "BINARY", "scenario"),
    ("cost-scenario-syntax", ["cost", "--scenario", "{f}"], text("consumers: [2\n"), "scenario"),
    ("cost-scenario-duplicate", ["cost", "--scenario", "{f}"], text("consumers: 2\nconsumers: 3\n"), "consumers"),
    ("cost-scenario-list", ["cost", "--scenario", "{f}"], y([1]), "scenario"),
    ("cost-scenario-nan", ["cost", "--scenario", "{f}"], text("write_mb_per_s: .nan\n"), "write_mb_per_s"),
    ("cost-scenario-inf", ["cost", "--scenario", "{f}"], text("write_mb_per_s: .inf\n"), "write_mb_per_s"),
    ("cost-scenario-nan-text", ["cost", "--scenario", "{f}"], y({"write_mb_per_s": "NaN"}), "write_mb_per_s"),
    ("cost-scenario-ops-nan", ["cost", "--scenario", "{f}"],
     text("ops:\n  hours_per_month:\n    kafka-ec2: .nan\n"), "kafka-ec2"),
    ("cost-scenario-ops-inf-json", ["cost", "--json", "--scenario", "{f}"], y({"ops": {"usd_per_hour": "inf"}}),
     "usd_per_hour"),
    ("cost-scenario-volume-range", ["cost", "--scenario", "{f}"],
     y({"sizing": {"min_volume_gb": 500, "max_volume_gb": 100}}), "min_volume_gb"),
    ("cost-scenario-unknown", ["cost", "--scenario", "{f}"], y({"speed": 1}), "speed"),
    ("cost-scenario-kb", ["cost", "--scenario", "{f}"], y({"sizing": {"kinesis_kb_bytes": 1001}}), "kinesis_kb_bytes"),
    ("cost-prices-missing", ["cost", "--prices", "{d}/none.yaml"], None, "prices"),
    ("cost-prices-binary", ["cost", "--prices", "{f}"], "BINARY", "prices"),
    ("cost-prices-nan", ["cost", "--prices", "{f}"],
     text(yaml.safe_dump(PRICE).replace("usd: 0.015", "usd: .nan")), "usd"),
    ("cost-prices-inf", ["cost", "--prices", "{f}"],
     text(yaml.safe_dump(PRICE).replace("usd: 0.015", "usd: .inf")), "usd"),
    ("cost-prices-inf-text", ["cost", "--prices", "{f}"],
     y({**PRICE, "prices": [{**PRICE["prices"][0], "usd": "inf"}]}), "usd"),  # type: ignore[index, dict-item]
    ("cost-prices-duplicate-key", ["cost", "--prices", "{f}"],
     text(yaml.safe_dump(PRICE) + "region: us-west-2\n"), "region"),
    ("cost-prices-negative", ["cost", "--prices", "{f}"],
     y({**PRICE, "prices": [{**PRICE["prices"][0], "usd": -1}]}), "usd"),  # type: ignore[index, dict-item]
    ("cost-prices-missing-field", ["cost", "--prices", "{f}"], y({"region": "us-east-1"}), "schema_version"),
    ("prices-show-missing", ["prices", "show", "--prices", "{d}/none.yaml"], None, "prices"),
    ("prices-show-region", ["prices", "show", "--region", "atlantis-1"], None, "region"),
    # --- report: configs and replay -----------------------------------------------------------------------------
    ("report-config-missing", ["report", "--config", "{d}/none.yaml"], None, "config"),
    ("report-config-dir", ["report", "--config", "{d}"], None, "config"),
    ("report-config-binary", ["report", "--config", "{f}"], "BINARY", "config"),
    ("report-config-syntax", ["report", "--config", "{f}"], text("mode: [live\n"), "config"),
    ("report-config-duplicate", ["report", "--config", "{f}"], text("mode: live\nmode: replay\n"), "mode"),
    ("report-config-list", ["report", "--config", "{f}"], y([1]), "config"),
    ("report-config-mode", ["report", "--config", "{f}"], y({"mode": "dry"}), "mode"),
    ("report-config-unknown", ["report", "--config", "{f}"], y({"colour": "red"}), "colour"),
    ("report-config-timeout-nan", ["report", "--config", "{f}"], text("timeout_s: .nan\n"), "timeout_s"),
    ("report-config-kind", ["report", "--config", "{f}"], y({"target": {"kind": "gcp"}}), "target.kind"),
    ("report-config-aws-region", ["report", "--config", "{f}"],
     y({"target": {"kind": "aws", "aws": {"region": "Mars"}}}), "region"),
    ("report-config-env", ["report", "--config", "{f}"],
     y({"target": {"kind": "kafka", "kafka": {"bootstrap_servers": "${SC_UNSET_VAR_FOR_TEST}"}}}),
     "bootstrap_servers"),
    ("report-config-jaas", ["report", "--config", "{f}"],
     y({"target": {"kind": "kafka", "kafka": {"bootstrap_servers": "b:9092",
                                               "security": {"sasl.jaas.config": "x"}}}}), "sasl.jaas.config"),
    ("report-config-workload", ["report", "--config", "{f}"], y({"workload": "nosuch"}), "workload"),
    ("report-config-reserved", ["report", "--config", "{f}"], y({"parameters": {"*": {"run_id": "x"}}}),
     "parameters"),
    ("report-notebook-unknown", ["report", "-n", "99_nosuch"], None, "notebooks"),
    ("report-config-parameter-nan", ["report", "--config", "{f}"], text("parameters:\n  '*':\n    rate: .nan\n"),
     "rate"),
    ("report-replay-missing", ["report", "--replay", "{d}/nothing-here"], None, "--replay"),
    ("report-replay-empty", ["report", "--replay", "{d}/empty"], "EMPTYDIR", "--replay"),
    ("report-reports-unwritable", ["report", "--config", "{f}"], y({"reports_dir": "/proc/sc-reports"}),
     "reports_dir"),
    ("report-results-unwritable", ["report", "--config", "{f}"], y({"results_dir": "/proc/sc-results"}),
     "results_dir"),
    ("report-replay-foreign", ["report", "--replay", "{d}"], text("holiday photos"), "--replay"),
    ("report-replay-file", ["report", "--replay", "{f}"], text("x"), "--replay"),
    # --- stack and cleanup --------------------------------------------------------------------------------------
    ("stack-up-brokers-zero", ["stack", "up", "--brokers", "0", "--run-dir", "{d}/stack"], None, "brokers"),
    ("stack-up-brokers-many", ["stack", "up", "--brokers", "10", "--run-dir", "{d}/stack"], None, "brokers"),
    ("stack-logs-no-stack", ["stack", "logs", "--run-dir", "{d}/stack"], None, "stack"),
    ("stack-status-bad-state", ["stack", "status", "--run-dir", "{d}"], "STATE", "stack.json"),
    ("cleanup-no-credentials", ["cleanup", "--region", "us-east-1"], None, "aws credentials"),
    ("cleanup-profile-missing", ["cleanup", "--region", "us-east-1", "--profile", "nosuch-profile"], None, "profile"),
    ("prices-refresh-no-credentials", ["prices", "refresh", "--region", "us-east-1"], None, "aws credentials"),
]


@pytest.fixture(autouse=True)
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials, no instance metadata, no network: AWS cases must fail on the client side."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("STREAMCOMPARE_RUN_DIR", str(tmp_path / "run-dir"))

    def no_stack(*_a: object, **_k: object) -> None:
        raise AssertionError("a bad input reached the local stack: it must be refused before any work")

    monkeypatch.setattr("streamcompare.stack.local.up", no_stack)


def _plant(tmp_path: Path, content: Callable[[Path], str] | str | None) -> Path:
    path = tmp_path / "input.yaml"
    if content == "BINARY":
        path.write_bytes(bytes(range(128, 256)) * 4)
    elif content == "DIR":
        (tmp_path / "dir.yaml").mkdir()
    elif content == "EMPTYDIR":
        (tmp_path / "empty").mkdir()
    elif content == "STATE":
        (tmp_path / "stack.json").write_text("{not json")
    elif callable(content):
        path.write_text(content(tmp_path))
    return path


@pytest.mark.parametrize(("argv", "content", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_with_the_field_and_no_traceback(
        argv: list[str], content: Callable[[Path], str] | str | None, field: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    planted = _plant(tmp_path, content)
    args = [a.replace("{f}", str(planted)).replace("{d}", str(tmp_path)) for a in argv]
    with pytest.raises(SystemExit) as done:
        main(args)
    out = capsys.readouterr()
    both = out.out + out.err
    assert done.value.code == 2, both
    assert "Traceback" not in both and "please report it" not in both, both
    assert field.lower() in both.lower(), both
    assert both.strip(), "no message"
    assert not list(tmp_path.rglob("*.ipynb")) and not (tmp_path / "reports").exists()


def test_at_least_eighty_cases_of_every_kind() -> None:
    assert len(CASES) >= 80 and len({c[0] for c in CASES}) == len(CASES)
    commands = {c[1][0] for c in CASES if not c[1][0].startswith("-")}
    assert {"bench", "cost", "prices", "report", "stack", "cleanup"} <= commands


def test_a_genuine_bug_keeps_its_traceback_and_asks_for_a_report(capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import streamcompare.cli.cost as cost_cli

    def broken(*_a: object, **_k: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cost_cli, "estimate_all", broken)
    with pytest.raises(SystemExit) as done:
        main(["cost"])
    err = capsys.readouterr().err
    assert done.value.code == 1 and "Traceback" in err and "ZeroDivisionError: a bug" in err
    assert "please report it" in err


def test_messages_are_plain_text_never_markup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "[bold]w[red].yaml"
    path.write_text(yaml.safe_dump({**WORKLOAD, "rate": -1}))
    with pytest.raises(SystemExit):
        main(["bench", "--workload", str(path)])
    assert f"[{path}]" in capsys.readouterr().err


def test_json_output_is_strict(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    with pytest.raises(SystemExit) as done:
        main(["cost", "--json"])
    assert done.value.code == 0
    json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))
    assert os.environ.get("AWS_EC2_METADATA_DISABLED") == "true"
