"""Report parts without papermill: page cleaning and export, network check, scrub, discovery, index."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

import report_fixtures as fx
from streamcompare.bench.store import ResultStore
from streamcompare.config import parse_config
from streamcompare.errors import ConfigError
from streamcompare.headlines import MIME_TYPE
from streamcompare.report import (
    NotebookError,
    NotebookRun,
    ReportError,
    build_report,
    discover_notebooks,
    notebook_title,
    resolve_replay,
)
from streamcompare.report.html import clean_for_readers, export_html, failure_page, network_references
from streamcompare.report.index import format_value, index_html, summary
from streamcompare.report.scrub import find_secrets, scrub_text, scrub_tree

pytestmark = pytest.mark.unit

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect id="r" width="5" height="5"/></svg>'
VEGALITE = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "mark": "bar",
            "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a", "type": "quantitative"}}}


@pytest.mark.parametrize("snippet", [
    '<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>',
    "<script type='text/javascript' src='//cdn.example/require.js'></script>",
    '<link rel="stylesheet" href="https://fonts.googleapis.com/css">',
    '<style>@import url("https://fonts.example/x.css");</style>',
    "<style>@import 'http://example.com/a.css';</style>",
    "<div style=\"background: url(http://example.com/a.png)\"></div>",
    '<img src="http://example.com/chart.png">',
])
def test_network_loads_are_detected(snippet: str) -> None:
    assert network_references(f"<html><body>{snippet}</body></html>")


def test_namespaces_links_and_data_uris_are_not_network_loads() -> None:
    page = (f'<a href="https://aws.amazon.com/kinesis/">docs</a>{SVG}<img src="data:image/png;base64,AAAA">'
            '<style>.x { background: url(data:image/svg+xml;base64,AAAA) }</style>')
    assert network_references(page) == []


def executed_notebook() -> nbformat.NotebookNode:
    code = new_code_cell("secret_code_here()")
    code.outputs = [
        new_output("stream", name="stdout", text="kept stdout\n"),
        new_output("stream", name="stderr", text="UserWarning: noisy\n"),
        new_output("display_data", data={MIME_TYPE: {"kind": "headlines", "values": {}}, "text/plain": ""}),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "x"},
                                         "text/plain": "interactive(children=...)"}),
        new_output("display_data", data={"image/svg+xml": '<?xml version="1.0"?>\n<!DOCTYPE svg>\n' + SVG}),
        new_output("display_data", data={"application/vnd.vegalite.v6+json": VEGALITE,
                                         "text/html": '<script src="https://cdn.jsdelivr.net/npm/vega"></script>',
                                         "text/plain": "alt.Chart(...)"}),
        new_output("error", ename="ValueError", evalue="bad", traceback=["----> 1 secret_code_here()"]),
    ]
    marker = new_markdown_cell("An Exception was encountered")
    marker.metadata["tags"] = ["papermill-error-cell-tag"]
    return new_notebook(cells=[marker, new_markdown_cell("# Title\n\nNarrative."), code],
                        metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}})


def test_clean_for_readers_keeps_what_readers_need() -> None:
    nb = executed_notebook()
    cleaned = clean_for_readers(nb, "Title", failure="ValueError: bad")
    outputs = cleaned.cells[-1].outputs
    kinds = [(o.output_type, sorted(o.get("data", {}))) for o in outputs]
    assert kinds == [("stream", []), ("display_data", ["image/svg+xml"]),
                     ("display_data", ["image/svg+xml", "text/plain"])]
    assert outputs[1].data["image/svg+xml"].startswith("<svg")
    assert outputs[2].data["image/svg+xml"].startswith("<svg")  # Vega-Lite rendered offline
    assert "This section did not complete." in cleaned.cells[0].source
    assert all("papermill-error-cell-tag" not in c.metadata.get("tags", []) for c in cleaned.cells)
    assert "widgets" not in cleaned.metadata and len(nb.cells[-1].outputs) == 7  # the original is untouched


def test_exported_page_has_inline_svg_no_code_no_scripts() -> None:
    page = export_html(clean_for_readers(executed_notebook(), "Title"))
    assert "secret_code_here" not in page and "noisy" not in page and "kept stdout" in page
    assert len(re.findall(r"<svg\b", page)) == 2 and "<?xml" not in page
    assert "<script" not in page and network_references(page) == []
    assert 'href="index.html"' in page and "<title>Title</title>" in page


def test_export_without_cleaning_would_show_code() -> None:
    """Guards the test above: the exporter hides code cells' inputs, nothing else does."""
    from nbconvert import HTMLExporter

    page, _ = HTMLExporter(template_name="lab").from_notebook_node(executed_notebook())
    assert "secret_code_here" in page and network_references(page)


def test_failure_page_is_self_contained() -> None:
    page = failure_page("Latency", "NoSuchKernel: python3")
    assert "NoSuchKernel: python3" in page and network_references(page) == [] and "<script" not in page


def test_scrub_replaces_every_encoding_in_every_file(tmp_path: Path) -> None:
    secret = fx.SECRET
    (tmp_path / "a.html").write_text(f"<p>{__import__('html').escape(secret)}</p>")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.json").write_text(json.dumps({"pw": secret}))
    (tmp_path / "c.txt").write_text(f"raw {secret} raw")
    (tmp_path / "clean.txt").write_text("nothing here")
    assert len(find_secrets(tmp_path, [secret])) == 3
    changed = scrub_tree(tmp_path, [secret])
    assert sorted(p.name for p in changed) == ["a.html", "b.json", "c.txt"]
    assert find_secrets(tmp_path, [secret]) == []
    assert (tmp_path / "c.txt").read_text() == "raw *** raw"
    assert scrub_text("a secret-1 and secret-12", ["secret-1", "secret-12"]) == "a *** and ***"


def write_dir(tmp: Path, names: list[str]) -> Path:
    directory = tmp / "notebooks"
    directory.mkdir()
    for name in names:
        nbformat.write(new_notebook(cells=[new_markdown_cell(f"# Title of {name}")]), directory / f"{name}.ipynb")
    return directory


def test_discovery_orders_by_number_with_decision_last(tmp_path: Path) -> None:
    directory = write_dir(tmp_path, ["00_decision", "20_cost", "10_latency", "notes", "30_x.out"])
    config = parse_config({"notebooks_dir": str(directory)})
    assert [p.stem for p in discover_notebooks(config)] == ["10_latency", "20_cost", "00_decision"]
    only = parse_config({"notebooks_dir": str(directory), "notebooks": ["20_cost", "00_decision"]})
    assert [p.stem for p in discover_notebooks(only)] == ["20_cost", "00_decision"]


@pytest.mark.parametrize(("settings", "field"), [
    ({"notebooks": ["99_nope"]}, "notebooks"),
    ({"parameters": {"99_nope": {"a": 1}}}, "parameters"),
])
def test_unknown_notebook_names_are_config_errors(tmp_path: Path, settings: dict, field: str) -> None:
    directory = write_dir(tmp_path, ["10_latency"])
    with pytest.raises(ConfigError, match="99_nope") as caught:
        discover_notebooks(parse_config({"notebooks_dir": str(directory), **settings}))
    assert caught.value.field == field and "10_latency" in str(caught.value)


def test_no_notebooks_is_a_report_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="no notebooks"):
        discover_notebooks(parse_config({"notebooks_dir": str(tmp_path)}))


def test_titles_come_from_the_first_heading_or_the_name(tmp_path: Path) -> None:
    directory = write_dir(tmp_path, ["10_latency"])
    assert notebook_title(directory / "10_latency.ipynb") == "Title of 10_latency"
    assert notebook_title(tmp_path / "30_flow_control.ipynb") == "Flow control"


def _store_with_runs(results: Path, *run_ids: str) -> ResultStore:
    store = ResultStore(results)
    for run_id in run_ids:
        store.write_rows(run_id, "delivery", [{"system": "kafka", "lost": 0}], evidence="measured")
    return store


def test_replay_resolves_a_report_folder_to_exactly_its_run(tmp_path: Path) -> None:
    results = tmp_path / "results"
    _store_with_runs(results, "20260101T000000Z", "20260102T000000Z")
    report = tmp_path / "reports" / "20260101T000000Z"
    report.mkdir(parents=True)
    (report / "summary.json").write_text(json.dumps({"run_id": "20260101T000000Z",
                                                     "config": {"results_dir": str(results)}}))
    assert resolve_replay(report, tmp_path / "elsewhere") == (results.resolve(), "20260101T000000Z")


def test_replay_of_a_results_folder_takes_its_newest_run_and_a_run_id_is_found_in_results_dir(
        tmp_path: Path) -> None:
    results = tmp_path / "results"
    _store_with_runs(results, "20260101T000000Z", "20260102T000000Z")
    assert resolve_replay(results, tmp_path)[1] == "20260102T000000Z"
    assert resolve_replay("20260101T000000Z", results) == (results.resolve(), "20260101T000000Z")


@pytest.mark.parametrize("what", ["missing/folder", "empty", "20991231T000000Z"])
def test_replay_of_nothing_is_an_error_naming_the_flag(tmp_path: Path, what: str) -> None:
    (tmp_path / "empty").mkdir()
    target = str(tmp_path / what) if what != "20991231T000000Z" else what
    with pytest.raises(ConfigError) as caught:
        resolve_replay(target, tmp_path / "empty")
    assert caught.value.field == "--replay"


def test_replay_without_stored_results_fails_before_running(tmp_path: Path) -> None:
    fx.write_notebooks(tmp_path / "notebooks", ("10_alpha",))
    config = parse_config({**fx.config_data(tmp_path), "mode": "replay"})
    with pytest.raises(ConfigError, match="no stored results"):
        build_report(config)
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize(("value", "unit", "text"), [
    (4.0, "ms", "4 ms"), (1234.5, "USD", "1,234 USD"), (0.012345, "", "0.01235"), (12, "", "12"),
    (None, "ms", "n/a"), (True, "", "yes"), ("kafka", "", "kafka"), (float("inf"), "", "n/a"),
])
def test_format_value(value: object, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


def test_index_for_local_target_notes_the_emulator_and_a_missing_recommendation(tmp_path: Path) -> None:
    config = parse_config({})
    failed = NotebookRun("00_decision", "Decision", tmp_path / "00_decision.ipynb", status="failed",
                         error=NotebookError("KeyError", "'latency'"), html=tmp_path / "00_decision.html")
    when = datetime(2026, 1, 1, tzinfo=UTC)
    data = summary(config, [failed], "20260101T000000Z", when, when, "local stack")
    page = index_html(data, [failed])
    assert "a Kinesis emulator (named in the target line" in page and "No recommendation" in page
    assert "KeyError: &#x27;latency&#x27;" in page and data["recommendation"] is None
    assert network_references(page) == [] and "<script" not in page
