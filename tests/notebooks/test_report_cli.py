"""`report_command` through a tiny typer app: progress, final table, exit status, replay, local stack, failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

import report_fixtures as fx
from streamcompare.bench.store import ResultStore
from streamcompare.cli.report import report_command
from streamcompare.errors import ConfigError
from streamcompare.target import Target

pytestmark = pytest.mark.notebooks

PASSWORD = "cli-Secret-Pw-31337"


def app() -> typer.Typer:
    cli = typer.Typer()
    cli.command("report")(report_command)
    cli.command("version")(lambda: None)  # two commands, so `report` is a subcommand as in the real CLI
    return cli


def write_config(tmp: Path, **changes: Any) -> Path:
    data = {**fx.config_data(tmp, password="${SC_TEST_KAFKA_PASSWORD}"), **changes}
    path = tmp / "report.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app(), ["report", *args], env={"SC_TEST_KAFKA_PASSWORD": PASSWORD})


def only_report(tmp: Path) -> Path:
    (report,) = (tmp / "reports").iterdir()
    return report


def test_progress_table_and_non_zero_exit_when_a_notebook_fails(tmp_path: Path) -> None:
    fx.write_notebooks(tmp_path / "notebooks")
    result = invoke("--config", str(write_config(tmp_path)), "-n", "10_alpha", "-n", "20_beta")
    assert result.exit_code == 1, result.output
    out = result.output
    assert "[1/2] 10_alpha: running (Alpha latency)" in out and "[1/2] 10_alpha: ok in" in out
    assert "[2/2] 20_beta: failed after" in out and f"RuntimeError: {fx.FAILURE_MESSAGE}" in out
    assert "Kafka p99 end-to-end: 4 ms" in out and "1 of 2 notebooks failed" in out
    assert str(only_report(tmp_path) / "index.html") in out.replace("\n", "")
    assert PASSWORD not in out


def test_replay_of_an_earlier_report_uses_its_results_and_no_credentials(tmp_path: Path) -> None:
    fx.write_notebooks(tmp_path / "notebooks", ("30_probe",))
    results = tmp_path / "stored-results"
    ResultStore(results).write_rows("20260101T000000Z", "delivery", [{"lost": 0}], evidence="measured")
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "summary.json").write_text(json.dumps({"run_id": "20260101T000000Z",
                                                      "config": {"results_dir": str(results)}}))
    result = invoke("--config", str(write_config(tmp_path)), "--replay", str(earlier))
    assert result.exit_code == 0, result.output
    assert "report: mode replay" in result.output
    headlines = json.loads((only_report(tmp_path) / "summary.json").read_text())["notebooks"][0]["headlines"]
    values = {name: item["value"] for name, item in headlines.items()}
    assert values == {"kind": "kafka", "bootstrap": None, "mode": "replay", "replay": True,
                      "results_dir": str(results), "run_id": "20260101T000000Z"}


def test_replay_of_an_empty_or_foreign_folder_says_so(tmp_path: Path) -> None:
    fx.write_notebooks(tmp_path / "notebooks", ("30_probe",))
    empty, foreign = tmp_path / "empty", tmp_path / "foreign"
    empty.mkdir()
    foreign.mkdir()
    (foreign / "holiday.txt").write_text("not a result")
    for folder, words in ((empty, "holds no stored results"), (foreign, "holds no stored results")):
        result = invoke("--config", str(write_config(tmp_path)), "--replay", str(folder))
        assert isinstance(result.exception, ConfigError), result.output  # main() prints it, exit 2
        assert str(folder) in str(result.exception) and words in str(result.exception)
        assert "notebooks ok" not in result.output and not (tmp_path / "reports").exists()


def test_local_target_starts_or_reuses_the_stack_and_passes_its_target(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[int] = []

    class FakeStack:
        def target(self) -> Target:
            return Target.from_json({"kind": "local", "kafka_bootstrap": "127.0.0.1:19092", "kafka_version": "4.4.0",
                                     "kinesis_endpoint": "http://127.0.0.1:14568", "kinesis_version": "0.6.2"})

    @contextmanager
    def fake_local_stack(brokers: int = 3, **_kw: Any) -> Iterator[FakeStack]:
        used.append(brokers)
        yield FakeStack()

    monkeypatch.setattr("streamcompare.stack.local.local_stack", fake_local_stack)
    fx.write_notebooks(tmp_path / "notebooks", ("30_probe",))
    config = write_config(tmp_path, target={"kind": "local", "local": {"brokers": 1}})
    result = invoke("--config", str(config))
    assert result.exit_code == 0, result.output
    assert used == [1]
    report = only_report(tmp_path)
    headlines = json.loads((report / "summary.json").read_text())["notebooks"][0]["headlines"]
    assert headlines["kind"]["value"] == "local" and headlines["bootstrap"]["value"] == "127.0.0.1:19092"
    index = (report / "index.html").read_text()
    assert "a Kinesis emulator (named in the target line" in index and "Kafka 4.4.0, kinesis-mock 0.6.2" in index


def test_a_notebook_over_its_time_budget_or_unreadable_fails_alone(tmp_path: Path) -> None:
    notebooks = fx.write_notebooks(tmp_path / "notebooks", ("30_probe", "40_sleepy"))
    (notebooks / "50_broken.ipynb").write_text("this is not a notebook")
    result = invoke("--config", str(write_config(tmp_path, timeout_s=20)))  # roomy: a loaded 2-core CI
    assert result.exit_code == 1, result.output
    summary = json.loads((only_report(tmp_path) / "summary.json").read_text())
    status = {n["name"]: (n["status"], (n["error"] or {}).get("message", "")) for n in summary["notebooks"]}
    assert status["30_probe"] == ("ok", "")
    assert status["40_sleepy"][0] == "failed" and "time budget of 20 s" in status["40_sleepy"][1]
    assert status["50_broken"][0] == "failed"
    broken_page = (only_report(tmp_path) / "50_broken.html").read_text()
    assert "This section did not run." in broken_page


def test_config_errors_surface_as_config_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("target: {kind: pulsar}\n")
    result = invoke("--config", str(path))
    assert result.exit_code != 0
    assert "target.kind" in str(result.exception)
