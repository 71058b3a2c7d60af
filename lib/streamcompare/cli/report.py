"""`streamcompare report`: progress per notebook, a final table, and a non-zero exit when a notebook failed.

Register with `app.command("report")(report_command)`; user errors are StreamcompareErrors, which the
main CLI prints with their fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from streamcompare.config import load_config
from streamcompare.report import ProgressEvent, ReportOutcome, build_report, resolve_replay
from streamcompare.report.build import check_before_work
from streamcompare.report.index import format_value
from streamcompare.report.scrub import scrub_text
from streamcompare.report.target import resolve_target

console = Console(soft_wrap=True, highlight=False)


def report_command(
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", help="Report config YAML [default: data/report/default.yaml, a quick live run "
                               "against the local stack]")] = None,
    replay: Annotated[str | None, typer.Option(
        "--replay", help="Re-render one stored run without measuring: an earlier report folder (exactly its run), "
                         "a results folder (its newest run) or a run id")] = None,
    notebook: Annotated[list[str] | None, typer.Option(
        "--notebook", "-n", help="Run only this notebook (repeatable), e.g. -n 01_latency")] = None,
) -> None:
    """Run every notebook with papermill and write reports/<UTC time>/ with index.html and summary.json."""
    settings = load_config(config)
    if notebook:
        settings = settings.model_copy(update={"notebooks": list(notebook)})
    if replay is not None:
        settings = settings.for_replay(*resolve_replay(replay, settings.results_dir))
    secrets = settings.secrets()

    def safe(text: object) -> str:
        """Scrubbed of secrets and of rich markup."""
        return escape(scrub_text(str(text), secrets))

    def on_progress(event: ProgressEvent) -> None:
        run = event.run
        where = f"[{event.index}/{event.total}] {run.name}"
        if event.kind == "start":
            console.print(f"{where}: running ({safe(run.title)})")
            return
        if run.status == "ok":
            console.print(f"{where}: [green]ok[/] in {run.duration_s:.1f} s")
        else:
            why = safe(run.error.summary()) if run.error else "did not run"
            console.print(f"{where}: [red]failed[/] after {run.duration_s:.1f} s: {why}")
        for warning in run.warnings:
            console.print(f"{where}: [yellow]warning[/] {safe(warning)}")

    console.print(f"report: mode {settings.mode}, target {safe(settings.target.describe())}, "
                  f"workload {safe(settings.workload.stem)}")
    check_before_work(settings)  # before a stack starts
    with resolve_target(settings, progress=lambda message: console.print(f"stack: {message}")) as target:
        outcome = build_report(settings, progress=on_progress, target=target)
    _print_table(outcome, secrets)
    if outcome.exit_code:
        raise typer.Exit(outcome.exit_code)


def _print_table(outcome: ReportOutcome, secrets: list[str]) -> None:
    table = Table(title="streamcompare report", title_justify="left")
    for column in ("notebook", "status", "time", "headline figures"):
        table.add_column(column)
    for run in outcome.runs:
        figures = "; ".join(f"{item.get('label') or name}: {format_value(item.get('value'), item.get('unit', ''))}"
                            for name, item in list(run.headlines.items())[:3])
        status = "[green]ok[/]" if run.status == "ok" else "[red]failed[/]"
        table.add_row(run.name, status, f"{run.duration_s:.0f} s", escape(scrub_text(figures, secrets)))
    console.print(table)
    failed = len(outcome.failed)
    summary = f"[red]{failed} of {len(outcome.runs)} notebooks failed[/]" if failed else "[green]all notebooks ok[/]"
    console.print(f"{summary}. Report: {escape(str(outcome.index))}")
