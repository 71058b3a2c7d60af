"""Every notebook through papermill against the live local stack, as one full report with small parameters."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from streamcompare.bench.store import ResultStore
from streamcompare.config import parse_config
from streamcompare.paths import project_root
from streamcompare.report import ReportOutcome, build_report

pytestmark = pytest.mark.notebooks
ROOT = project_root()
SECRET = "sc-test-secret-Zq81xR"  # an AWS secret key in the environment must reach no output
OPTIONS = {"kafka-self-managed", "msk", "kinesis"}
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def report(live_stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReportOutcome]:
    work = tmp_path_factory.mktemp("report")
    workload = work / "tiny.yaml"
    tiny = yaml.safe_load((ROOT / "data" / "workloads" / "quick.yaml").read_text())
    replicas = min(3, live_stack.state.brokers)
    tiny.update(name="tiny", rate=100, duration_s=3, warmup_s=1, replication_factor=replicas,
                min_insync_replicas=min(2, replicas), drain_timeout_s=20)
    workload.write_text(yaml.safe_dump(tiny))
    config = parse_config({
        "target": {"kind": "local", "local": {"brokers": live_stack.state.brokers}},
        "workload": str(workload), "results_dir": str(work / "results"), "reports_dir": str(work / "reports"),
        "parameters": {"01_latency": {"poll_intervals_ms": [200]}, "02_programming_interfaces": {"cpu_records": 200}},
        "timeout_s": 600,
    }, base_dir=ROOT)
    saved = {k: os.environ.get(k) for k in ("STREAMCOMPARE_RUN_DIR", "AWS_SECRET_ACCESS_KEY")}
    os.environ["STREAMCOMPARE_RUN_DIR"] = live_stack.state.run_dir  # the report reuses the session's stack
    os.environ["AWS_SECRET_ACCESS_KEY"] = SECRET
    try:
        yield build_report(config)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def values(outcome: ReportOutcome, notebook: str) -> dict[str, object]:
    headlines = json.loads((outcome.report_dir / "headlines.json").read_text())
    return {k: v["value"] for k, v in headlines[notebook]["headlines"].items()}


def test_every_notebook_ran(report: ReportOutcome) -> None:
    assert {r.name for r in report.runs} == set(NOTEBOOKS)
    failed = {r.name: getattr(r, "error", "") for r in report.failed}
    assert failed == {}
    assert report.exit_code == 0


def test_latency_values_are_recorded_and_plausible(report: ReportOutcome) -> None:
    v = values(report, "01_latency")
    assert v["runs"] == 5  # Kafka acks 0/1/all, Kinesis batching at one poll interval, KPL aggregation
    assert 0 < v["kafka_publish_p99_ms"] <= v["kafka_e2e_p99_ms"] * 5 < 50_000
    assert 100 < v["kinesis_cloud_e2e_ms"] < 5000
    assert 1 < v["kafka_cloud_e2e_ms"] < 100


def test_other_criteria_record_plausible_values(report: ReportOutcome) -> None:
    assert 0 < values(report, "02_programming_interfaces")["kafka_cpu_us_per_record"] < 10_000
    reliability = values(report, "03_reliability")
    assert reliability["lost_records"] == 0
    assert 0 <= values(report, "04_flow_control")["kinesis_throttled_fraction"] <= 1
    cost = values(report, "06_cost")
    assert all(float(cost[f"{o}_usd_per_month"]) > 0 for o in OPTIONS)
    assert float(values(report, "07_scaling_operations")["kafka_add_partitions_s"]) > 0
    decision = values(report, "00_decision")
    assert decision["recommendation"] in OPTIONS


def test_scores_reach_the_decision(report: ReportOutcome) -> None:
    headlines = json.loads((report.report_dir / "headlines.json").read_text())
    criteria = {row["criterion"] for entry in headlines.values() for row in entry.get("scores", [])}
    assert criteria == {"latency", "interfaces", "reliability", "flow_control", "security", "cost", "operations"}


def test_pages_show_no_code_no_network_no_secret(report: ReportOutcome) -> None:
    index = (report.report_dir / "index.html").read_text()
    pages = sorted(report.report_dir.glob("*.html"))
    assert len(pages) == len(NOTEBOOKS) + 1
    for name in NOTEBOOKS:
        assert f'href="{name}.html"' in index
    for page in pages:
        html = page.read_text()
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?(https?:)?//", html), page.name
        assert "@import url(http" not in html
        assert "from streamcompare" not in html, f"{page.name} shows code"
    charts = sum(page.read_text().count("<svg") for page in pages)
    assert charts >= 6
    for path in report.report_dir.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(errors="ignore"), f"secret in {path}"


def test_results_were_written_for_replay(report: ReportOutcome) -> None:
    summary = json.loads((report.report_dir / "summary.json").read_text())
    store = ResultStore(Path(summary["config"]["results_dir"]))
    assert len(store.runs(summary["run_id"])) >= 7  # 5 latency runs + 2 delivery checks
    names = {p.name.split("-", 1)[1] for p in (store.root / "experiments").glob(f"{summary['run_id']}-*.json")}
    assert {"client-cpu.json", "delivery.json", "scaling.json"} <= names


def test_replay_rerenders_the_stored_results_without_measuring(report: ReportOutcome) -> None:
    summary = json.loads((report.report_dir / "summary.json").read_text())
    results = Path(summary["config"]["results_dir"])
    before = sorted(results.rglob("*.json"))
    config = parse_config({"workload": "quick", "results_dir": str(results),
                           "reports_dir": str(report.report_dir.parent / "replayed")}, base_dir=ROOT)
    replayed = build_report(config, replay_dir=results)
    assert replayed.exit_code == 0, [(r.name, getattr(r, "error", "")) for r in replayed.failed]
    assert sorted(results.rglob("*.json")) == before, "replay measures nothing and writes no results"
    assert values(replayed, "01_latency")["kafka_e2e_p99_ms"] == values(report, "01_latency")["kafka_e2e_p99_ms"]
    assert values(replayed, "03_reliability")["lost_records"] == 0


def test_replay_of_the_older_of_two_runs_shows_the_older_runs_figures(report: ReportOutcome, live_stack) -> None:
    """Two live runs into one results folder; replaying the older report re-renders exactly its figures."""
    summary = json.loads((report.report_dir / "summary.json").read_text())
    results = Path(summary["config"]["results_dir"])
    second_config = parse_config({
        "target": {"kind": "local", "local": {"brokers": live_stack.state.brokers}},
        "workload": summary["config"]["workload"], "results_dir": str(results),
        "reports_dir": str(report.report_dir.parent / "second"), "notebooks": ["01_latency"],
        "parameters": {"01_latency": {"poll_intervals_ms": [200]}}, "timeout_s": 600}, base_dir=ROOT)
    os.environ["STREAMCOMPARE_RUN_DIR"] = live_stack.state.run_dir
    try:
        second = build_report(second_config)
    finally:
        os.environ.pop("STREAMCOMPARE_RUN_DIR", None)
    assert second.exit_code == 0
    older, newer = values(report, "01_latency"), values(second, "01_latency")
    replay_config = parse_config({"workload": "quick", "results_dir": str(results), "notebooks": ["01_latency"],
                                  "reports_dir": str(report.report_dir.parent / "replayed-older")}, base_dir=ROOT)
    replayed = build_report(replay_config, replay_dir=report.report_dir)
    assert replayed.exit_code == 0
    shown = values(replayed, "01_latency")
    assert (shown["kafka_e2e_p99_ms"], shown["kafka_publish_p99_ms"]) == (
        older["kafka_e2e_p99_ms"], older["kafka_publish_p99_ms"])
    assert (shown["kafka_e2e_p99_ms"], shown["kafka_publish_p99_ms"]) != (
        newer["kafka_e2e_p99_ms"], newer["kafka_publish_p99_ms"]), "two live runs gave identical figures"
