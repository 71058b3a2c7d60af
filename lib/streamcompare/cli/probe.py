"""`streamcompare probe ...`: live experiments on the local stack (one function per probe)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True, help="Live experiments on the local stack.")
console = Console(soft_wrap=True)


@app.command("security")
def security_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON (no secrets)")] = False,
    rates: Annotated[str, typer.Option(help="Comma-separated open-loop rates (records/s) for the cost runs")] = (
        "500,2000"),
    cost: Annotated[bool, typer.Option("--cost/--no-cost", help="Measure the price of TLS and SASL")] = True,
    run_dir: Annotated[Path | None, typer.Option("--run-dir", help="The stack's run dir [default: ./.stack or "
                                                                   "$STREAMCOMPARE_RUN_DIR]")] = None,
) -> None:
    """Authorisation matrices (Kafka ACLs, Kinesis IAM), the price of security and the effort; needs
    `streamcompare stack up --security sasl_ssl`. Exits 1 when any observation differs from the rules."""
    from streamcompare.errors import ConfigError, StackError
    from streamcompare.probes import security as probe
    from streamcompare.probes.authorization import matrix_table
    from streamcompare.stack.local import StackState

    try:
        wanted = [int(r) for r in rates.split(",") if r.strip()]
    except ValueError:
        raise ConfigError(f"--rates must be whole numbers separated by commas, got {rates!r}", field="rates",
                          fix="e.g. --rates 500,2000") from None
    state = StackState.load(run_dir.resolve() if run_dir else None)
    if state is None or not state.is_up():
        raise StackError("no local stack is running here", fix="`streamcompare stack up --security sasl_ssl`")
    pids = [r.pid for r, alive in state.processes() if alive and r.name.startswith("kafka-")]
    say = (lambda _m: None) if as_json else (lambda m: console.log(m, highlight=False))
    findings = probe.run(state.target(), rates=wanted, cost=cost, broker_pids=pids, progress=say)
    if as_json:
        print(json.dumps(findings.as_dict(), indent=2, default=str))
    else:
        for title, rows in (("Kafka (SASL_SSL + ACLs)", findings.kafka), ("Kinesis (IAM on moto)", findings.kinesis)):
            _print_rows(title, matrix_table(rows))
        if findings.cost:
            _print_rows("Price of security (Kafka listeners, same open-loop rate)",
                        [r for r in findings.cost if r["kind"] == "run"])
            _print_rows("Connect time (fresh client to first metadata answer)",
                        [r for r in findings.cost if r["kind"] == "connect"])
        _print_rows("Effort", [{k: v for k, v in r.items() if k not in ("file_names", "command_list")}
                               for r in findings.effort])
        verdict = "[green]every observation matched the rules[/]" if findings.passed else (
            f"[red]{len(findings.mismatches)} observation(s) differ from the rules[/]")
        console.print(verdict)
    if not findings.passed:
        raise typer.Exit(1)


def _print_rows(title: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    table = Table(title=title, title_justify="left")
    columns = list(dict.fromkeys(k for r in rows for k in r))
    for column in columns:
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*[_cell(row.get(c)) for c in columns])
    console.print(table)


def _cell(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
