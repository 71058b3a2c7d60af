"""A full report from tiny notebooks, executed for real with papermill (no stack needed).

Fixture notebooks (tests/report_fixtures.py): 10_alpha shows two charts (one through a widget panel),
warns, prints the SASL password it reads from the target file, records headlines and scores;
20_beta fails; 00_decision reads the run's headlines and recommends.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest

import report_fixtures as fx
from streamcompare.config import parse_config
from streamcompare.report import ReportError, ReportOutcome, build_report
from streamcompare.report.html import network_references
from streamcompare.report.scrub import encodings

pytestmark = pytest.mark.notebooks

NOW = datetime(2026, 3, 1, 12, 30, 45, tzinfo=UTC)
PAGES = ("10_alpha", "20_beta", "00_decision")


@dataclass
class Built:
    outcome: ReportOutcome
    events: list[tuple[str, int, int, str, str]]
    tmp: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    tmp = tmp_path_factory.mktemp("report")
    fx.write_notebooks(tmp / "notebooks")
    config = parse_config(fx.config_data(tmp))
    events: list[tuple[str, int, int, str, str]] = []
    outcome = build_report(config, now=NOW, progress=lambda e: events.append(
        (e.kind, e.index, e.total, e.run.name, e.run.status)))
    return Built(outcome, events, tmp)


def pages(built: Built) -> dict[str, str]:
    return {name: (built.outcome.report_dir / f"{name}.html").read_text(encoding="utf-8") for name in PAGES}


def test_report_goes_to_a_utc_timestamped_folder(built: Built) -> None:
    assert built.outcome.report_dir == built.tmp / "reports" / "20260301T123045Z"
    names = {p.name for p in built.outcome.report_dir.iterdir()}
    assert {"index.html", "summary.json", "headlines.json"} <= names
    assert {f"{n}.{ext}" for n in PAGES for ext in ("html", "ipynb")} <= names


def test_existing_report_folder_is_never_overwritten(built: Built) -> None:
    config = parse_config(fx.config_data(built.tmp))
    with pytest.raises(ReportError, match="never overwritten"):
        build_report(config, now=NOW)


def test_notebooks_run_in_order_with_decision_last_and_progress_per_notebook(built: Built) -> None:
    assert [r.name for r in built.outcome.runs] == ["10_alpha", "20_beta", "00_decision"]
    assert built.events == [("start", 1, 3, "10_alpha", "pending"), ("done", 1, 3, "10_alpha", "ok"),
                            ("start", 2, 3, "20_beta", "pending"), ("done", 2, 3, "20_beta", "failed"),
                            ("start", 3, 3, "00_decision", "pending"), ("done", 3, 3, "00_decision", "ok")]


def test_a_failed_notebook_does_not_stop_the_others_and_the_exit_code_is_non_zero(built: Built) -> None:
    outcome = built.outcome
    assert outcome.exit_code == 1 and [r.name for r in outcome.failed] == ["20_beta"]
    beta = outcome.failed[0]
    assert beta.error is not None and beta.error.name == "RuntimeError"
    assert beta.error.message == fx.FAILURE_MESSAGE
    assert any(fx.FAILURE_MESSAGE in line for line in beta.error.last_lines)


def test_index_links_every_page_and_shows_the_failure_and_why(built: Built) -> None:
    index = built.outcome.index.read_text(encoding="utf-8")
    for name in PAGES:
        assert f'href="{name}.html"' in index
    assert "Alpha latency" in index and "Beta flow control" in index
    assert re.search(r'Beta flow control</a></td><td><span class="failed">failed</span>'
                     rf'<div class="why">RuntimeError: {fx.FAILURE_MESSAGE}</div>', index)
    assert "1 of 3 sections failed" in index
    assert "Kafka at broker.invalid:9096" in index and "2026-03-01T12:30:45+00:00" in index


def test_index_shows_headlines_marked_by_evidence_and_the_recommendation(built: Built) -> None:
    index = built.outcome.index.read_text(encoding="utf-8")
    assert re.search(r"Kafka p99 end-to-end: <strong>4 ms</strong><span class=\"badge measured\">", index)
    assert re.search(r"Kinesis monthly cost: <strong>1,234 USD</strong><span class=\"badge modelled\">", index)
    # alpha scored latency kafka 9 / kinesis 6; beta's cost scores are ignored because beta failed
    assert "Recommendation: kafka</div>" in index and "Margin over kinesis: 3 points of 10" in index


def test_local_emulator_note_only_for_local_targets(built: Built) -> None:
    index = built.outcome.index.read_text(encoding="utf-8")
    assert "kinesis-mock" not in index and '<div class="note">Kinesis figures' not in index


def test_summary_json_records_status_errors_and_headlines(built: Built) -> None:
    summary = json.loads(built.outcome.summary.read_text(encoding="utf-8"))
    assert summary["ok"] is False and summary["run_id"] == "20260301T123045Z" and summary["mode"] == "live"
    by_name = {n["name"]: n for n in summary["notebooks"]}
    assert by_name["20_beta"]["status"] == "failed"
    assert by_name["20_beta"]["error"]["name"] == "RuntimeError"
    assert by_name["10_alpha"]["headlines"]["kafka_p99_ms"]["evidence"] == "measured"
    assert summary["recommendation"]["recommendation"] == "kafka"
    assert summary["config"]["target"]["kafka"]["security"]["sasl.password"] == "***"


def test_headlines_reach_the_output_notebook_metadata_and_the_decision(built: Built) -> None:
    alpha = nbformat.read(built.outcome.report_dir / "10_alpha.ipynb", as_version=4)
    assert alpha.metadata["streamcompare"]["headlines"]["kafka_p99_ms"]["value"] == 4.0
    headlines = json.loads((built.outcome.report_dir / "headlines.json").read_text(encoding="utf-8"))
    assert list(headlines) == list(PAGES)
    decision = nbformat.read(built.outcome.report_dir / "00_decision.ipynb", as_version=4)
    parameters = decision.metadata["papermill"]["parameters"]
    assert parameters["choices_file"] == ""  # the default choices file


def test_notebooks_get_a_target_reference_never_the_secret(built: Built) -> None:
    alpha = nbformat.read(built.outcome.report_dir / "10_alpha.ipynb", as_version=4)
    parameters = alpha.metadata["papermill"]["parameters"]
    assert set(parameters) == {"target_file", "workload", "results_dir", "run_id", "mode", "cost_scenario"}
    assert parameters["run_id"] == "20260301T123045Z" and parameters["mode"] == "live"
    assert not Path(parameters["target_file"]).exists()  # removed after the run
    assert not Path(parameters["target_file"]).is_relative_to(built.outcome.report_dir)


def test_no_html_page_loads_anything_from_the_network(built: Built) -> None:
    for name, page in {**pages(built), "index": built.outcome.index.read_text(encoding="utf-8")}.items():
        assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I), name  # no external script at all
        assert not re.search(r"<link[^>]*href\s*=\s*[\"']?(https?:)?//", page, re.I), name
        assert not re.search(r"@import\s+(url\()?\s*[\"']?(https?:)?//", page, re.I), name
        assert not re.search(r"url\(\s*[\"']?(https?:)?//", page, re.I), name
        assert network_references(page) == [], name
    assert not any(r.warnings for r in built.outcome.runs)


def test_no_code_and_no_warnings_are_shown(built: Built) -> None:
    for name, page in pages(built).items():
        for marker in fx.CODE_MARKERS:
            assert marker not in page, name
        assert "load_target" not in page and "import pandas" not in page, name
        assert fx.WARNING_MARKER not in page, name
        assert not re.search(r'class="[^"]*(jp-CodeMirrorEditor|jp-InputPrompt|jp-OutputPrompt)', page), name
    executed = (built.outcome.report_dir / "10_alpha.ipynb").read_text(encoding="utf-8")
    assert fx.CODE_MARKERS[0] in executed and fx.WARNING_MARKER in executed  # the markers were really there


def test_every_chart_is_an_inline_svg(built: Built) -> None:
    counts = {name: len(re.findall(r"<svg\b", page)) for name, page in pages(built).items()}
    assert counts == {"10_alpha": 3, "20_beta": 1, "00_decision": 1}
    alpha = pages(built)["10_alpha"]
    assert "Kinesis with 3 shard(s)" in alpha  # the panel rendered its view at the knobs given
    assert "Kinesis shards = 3" in alpha


def test_failed_page_has_a_banner_instead_of_a_traceback(built: Built) -> None:
    beta = pages(built)["20_beta"]
    assert "This section did not complete." in beta and f"RuntimeError: {fx.FAILURE_MESSAGE}" in beta
    assert "Traceback" not in beta and "never reached" not in beta


def test_the_secret_appears_in_no_file_of_the_report(built: Built) -> None:
    forms = [f.encode() for f in encodings(fx.SECRET)]
    for path in built.outcome.report_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(form in content for form in forms), path
    # the notebook did print it: the scrub, not luck, kept it out
    assert "password seen by the notebook: ***" in pages(built)["10_alpha"]
