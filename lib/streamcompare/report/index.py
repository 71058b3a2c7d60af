"""The report's index.html (recommendation, one row per criterion) and summary.json (machine-readable)."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamcompare.config import ReportConfig

if TYPE_CHECKING:
    from streamcompare.report.runs import NotebookRun

DECISION_NOTEBOOK = "00_decision"
INDEX_FILE = "index.html"
SUMMARY_FILE = "summary.json"
HEADLINES_FILE = "headlines.json"
SUMMARY_SCHEMA_VERSION = 1
EMULATOR_NOTE = ("Kinesis figures from the local stack come from a Kinesis emulator (named in the target line; "
                 "MiniStack by default) behind the kit's fidelity layer, which enforces AWS's per-shard limits: "
                 "its latency and throughput say nothing about Amazon Kinesis. Kafka runs for real, on loopback.")
EVIDENCE_HELP = {"measured": "measured by this run on the target above",
                 "emulated": "measured against an emulator made to enforce AWS's documented limits: not AWS's figure",
                 "modelled": "computed from prices, limits and stated assumptions",
                 "documented": "taken from vendor documentation"}

_CSS = """
body { font: 15px/1.45 Helvetica, Arial, sans-serif; color: #222; max-width: 1100px; margin: 24px auto;
       padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; }
.meta { color: #555; margin: 0 0 16px; }
.recommendation { border-left: 6px solid #2e7d32; background: #edf7ed; padding: 10px 16px; margin: 16px 0; }
.recommendation.none { border-color: #c62828; background: #fdecea; }
.recommendation .what { font-size: 20px; font-weight: bold; }
.note { border-left: 6px solid #ef6c00; background: #fff4e5; padding: 8px 16px; margin: 12px 0; }
table { border-collapse: collapse; width: 100%; margin-top: 12px; }
th, td { text-align: left; vertical-align: top; padding: 8px 10px; border-bottom: 1px solid #ddd; }
th { background: #f5f5f5; }
.ok { color: #2e7d32; font-weight: bold; }
.failed { color: #c62828; font-weight: bold; }
.why { color: #c62828; font-size: 13px; }
.warn { color: #8a5a00; font-size: 13px; }
ul.figures { margin: 0; padding-left: 0; list-style: none; }
.badge { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; margin-left: 6px;
         color: #fff; vertical-align: 1px; }
.badge.measured { background: #1565c0; }
.badge.emulated { background: #00838f; }
.badge.modelled { background: #6a1b9a; }
.badge.documented { background: #616161; }
footer { color: #666; font-size: 13px; margin-top: 24px; }
"""


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)


def format_value(value: Any, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    else:
        text = str(value)
    return f"{text} {unit}".strip()


def recommendation(runs: Sequence[NotebookRun]) -> dict[str, Any] | None:
    """00_decision's recommendation, margin and most sensitive weight, if it ran and recorded them."""
    decision = next((r for r in runs if r.name == DECISION_NOTEBOOK and r.status == "ok"), None)
    if decision is None or "recommendation" not in decision.headlines:
        return None
    values: dict[str, Any] = {k: decision.headlines[k].get("value") for k in (
        "recommendation", "margin", "runner_up", "most_sensitive", "must_haves") if k in decision.headlines}
    return values


def summary(config: ReportConfig, runs: Sequence[NotebookRun], run_id: str, started: datetime,
            finished: datetime, target: str, results_run: str | None = None) -> dict[str, Any]:
    return {
        "schema_version": SUMMARY_SCHEMA_VERSION, "run_id": run_id, "results_run": results_run or run_id,
        "started_utc": started.isoformat(timespec="seconds"), "finished_utc": finished.isoformat(timespec="seconds"),
        "ok": all(r.status == "ok" for r in runs), "mode": config.mode, "target": target,
        "emulator_note": EMULATOR_NOTE if config.target.kind == "local" else None,
        "recommendation": recommendation(runs), "config": config.redacted(),
        "notebooks": [{
            "name": r.name, "title": r.title, "status": r.status, "duration_s": round(r.duration_s, 1),
            "html": r.html.name if r.html else None, "notebook": r.notebook.name if r.notebook else None,
            "error": ({"name": r.error.name, "message": r.error.message, "last_lines": list(r.error.last_lines)}
                      if r.error else None),
            "headlines": r.headlines, "scores": r.scores, "warnings": r.warnings} for r in runs],
    }


def write_index_and_summary(report_dir: Path, config: ReportConfig, runs: Sequence[NotebookRun], run_id: str,
                            started: datetime, finished: datetime, target: str,
                            results_run: str | None = None) -> tuple[Path, Path]:
    data = summary(config, runs, run_id, started, finished, target, results_run)
    summary_path = report_dir / SUMMARY_FILE
    write_json(summary_path, data)
    index_path = report_dir / INDEX_FILE
    index_path.write_text(index_html(data, runs), encoding="utf-8")
    return index_path, summary_path


def index_html(data: dict[str, Any], runs: Sequence[NotebookRun]) -> str:
    e = html.escape
    rows = "\n".join(_row(r) for r in runs)
    note = f'<div class="note">{e(data["emulator_note"])}</div>' if data["emulator_note"] else ""
    failed = [r.title for r in runs if r.status != "ok"]
    failed_note = (f'<div class="note"><strong>{len(failed)} of {len(runs)} sections failed:</strong> '
                   f'{e(", ".join(failed))}. Their rows below say why.</div>' if failed else "")
    legend = " ".join(f'<span class="badge {k}">{k}</span> {e(v)}' for k, v in EVIDENCE_HELP.items())
    config = data["config"]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>streamcompare report {e(data["run_id"])}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>Kafka or Kinesis: streamcompare report</h1>
<p class="meta">{e(data["started_utc"])} (UTC) &middot; target: {e(data["target"])}
&middot; mode: {e(data["mode"])} &middot; workload: {e(Path(config["workload"]).stem)}
&middot; cost scenario: {e(Path(config["cost_scenario"]).name)}</p>
{_recommendation_html(data["recommendation"])}
{failed_note}
{note}
<table>
<thead><tr><th>Criterion</th><th>Status</th><th>Headline figures</th><th>Time</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p class="meta">{legend}</p>
<footer>Run {e(data["run_id"])}. Machine-readable: <a href="{SUMMARY_FILE}">{SUMMARY_FILE}</a>. Each executed
notebook (with its code) is next to its page as an .ipynb file.</footer>
</body>
</html>
"""


def _recommendation_html(found: dict[str, Any] | None) -> str:
    e = html.escape
    if not found:
        return ('<div class="recommendation none"><div class="what">No recommendation</div>'
                f"{DECISION_NOTEBOOK} did not complete or recorded no recommendation; see its row below.</div>")
    lines = [f'<div class="what">Recommendation: {e(format_value(found.get("recommendation")))}</div>']
    if found.get("margin") is not None:
        runner = f' over {e(str(found["runner_up"]))}' if found.get("runner_up") else ""
        lines.append(f"Margin{runner}: {e(format_value(found['margin'], 'points of 10'))}.")
    if found.get("most_sensitive"):
        lines.append(f"<br>Most sensitive weight: {e(str(found['most_sensitive']))}.")
    if found.get("must_haves"):
        lines.append(f"<br>Excluded by the team's must-haves: {e(str(found['must_haves']))}.")
    link = f' <a href="{DECISION_NOTEBOOK}.html">How this was decided</a>.'
    return f'<div class="recommendation">{" ".join(lines)}{link}</div>'


def _row(run: NotebookRun) -> str:
    e = html.escape
    title = f'<a href="{e(run.html.name)}">{e(run.title)}</a>' if run.html else e(run.title)
    if run.status == "ok":
        status = '<span class="ok">ok</span>'
    else:
        why = run.error.summary() if run.error else "did not run"
        status = f'<span class="failed">failed</span><div class="why">{e(why)}</div>'
    warnings = "".join(f'<div class="warn">{e(w)}</div>' for w in run.warnings)
    return (f"<tr><td>{title}</td><td>{status}{warnings}</td><td>{_figures(run.headlines)}</td>"
            f"<td>{run.duration_s:.0f} s</td></tr>")


def _figures(headlines: dict[str, Any]) -> str:
    if not headlines:
        return '<span class="meta">none recorded</span>'
    e = html.escape
    items = []
    for name, item in headlines.items():
        evidence = item.get("evidence", "")
        badge = f'<span class="badge {e(evidence)}">{e(evidence)}</span>' if evidence else ""
        note = f' <span class="meta">({e(item["note"])})</span>' if item.get("note") else ""
        label = item.get("label") or name
        items.append(f"<li>{e(label)}: <strong>{e(format_value(item.get('value'), item.get('unit', '')))}"
                     f"</strong>{badge}{note}</li>")
    return f'<ul class="figures">{"".join(items)}</ul>'
