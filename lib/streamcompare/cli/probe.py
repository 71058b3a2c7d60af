"""`streamcompare probe ...`: live experiments (one function per probe, so merges stay easy)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from streamcompare.errors import ConfigError, StackError
from streamcompare.target import Target

app = typer.Typer(no_args_is_help=True)
console = Console(soft_wrap=True)


@app.command("reliability")
def reliability_command(
    fault: Annotated[str, typer.Option(help="kafka: kill-leader, kill-follower, pause-leader, kill-controller, "
                                            "stop-leader, two-down; kinesis: none, drop-response, server-errors, "
                                            "connection-reset; `list` lists them")] = "kill-leader",
    system: Annotated[str, typer.Option(help="kafka, or kinesis (client behaviour through the fidelity "
                                             "layer: emulated)")] = "kafka",
    setting: Annotated[str, typer.Option(help="kinesis: put_records or put_record_ordered")] = "put_records",
    acks: Annotated[str, typer.Option(help="0, 1 or all")] = "all",
    min_isr: Annotated[int | None, typer.Option("--min-isr", help="min.insync.replicas [default: 2 for "
                                                "acks=all, 1 otherwise; two-down: 1]")] = None,
    idempotence: Annotated[bool, typer.Option("--idempotence/--no-idempotence")] = False,
    unclean: Annotated[bool, typer.Option("--unclean/--no-unclean",
                                          help="unclean.leader.election.enable (two-down)")] = False,
    runs: Annotated[int, typer.Option(help="Repeats of the experiment")] = 1,
    profile: Annotated[str | None, typer.Option(help="quick or standard: the whole matrix instead of "
                                                     "one cell")] = None,
    duration: Annotated[float, typer.Option(help="Seconds of sending per run")] = 25.0,
    fault_at: Annotated[float, typer.Option(help="Seconds from the first send to the fault")] = 6.0,
    rate: Annotated[int, typer.Option(help="Records per second (kafka 1000, kinesis 200 are sensible)")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON")] = False,
    results_dir: Annotated[Path | None, typer.Option(help="Store the rows here (experiments/<id>-"
                                                          "reliability.json)")] = None,
    run_dir: Annotated[Path | None, typer.Option("--run-dir", help="The local stack's run dir")] = None,
) -> None:
    """Kill, stop or pause Kafka nodes under a steady load; count lost, duplicated and reordered records."""
    from streamcompare.errors import ConfigError, StackError
    from streamcompare.probes import faultplans, reliability, reliability_kinesis
    from streamcompare.probes.reliability_table import matrix_table
    from streamcompare.stack.local import StackState

    if fault == "list":
        for f in faultplans.FAULTS.values():
            console.print(f"kafka    {f.name:<16} {f.describe}")
        for name, fractions in reliability_kinesis.KINESIS_FAULTS.items():
            console.print(f"kinesis  {name:<16} fidelity layer fractions {fractions or 'none (baseline)'}")
        return
    if system not in ("kafka", "kinesis"):
        raise ConfigError(f"unknown system {system!r}", field="system", fix="use kafka or kinesis")
    key = faultplans.setting_for(acks, min_isr, idempotence, unclean, faultplans.fault(fault).name) \
        if system == "kafka" and profile is None else ""
    state = StackState.load(run_dir.resolve() if run_dir else None)
    if state is None or not (state.kafka_bootstrap if system == "kafka" else state.kinesis_endpoint):
        raise StackError(f"no local {system} runs here", fix="start it with `streamcompare stack up`")
    progress = (lambda _m: None) if as_json else (lambda m: console.print(m, highlight=False))
    if system == "kinesis":
        k_timing = reliability_kinesis.KinesisTiming(duration_s=duration, fault_at_s=fault_at, rate=rate)
        rows = [reliability_kinesis.run_one(state.target(), fault, setting, k_timing, run=r)
                for r in range(1, runs + 1)]
    elif profile is not None:
        rows = reliability.run_profile(state, profile, progress=progress)
    else:
        timing = reliability.Timing(duration_s=duration, fault_at_s=fault_at, rate=rate)
        rows = reliability.run_cells(state, [(fault, key)], runs, timing, progress=progress)
    if results_dir is not None:
        from streamcompare.bench.store import ResultStore
        run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = ResultStore(results_dir).write_rows(run_id, "reliability", rows, evidence="measured",
                                                   settings={"profile": profile or "cell"}, target=state.target())
        progress(f"stored {path}")
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
    else:
        console.print(matrix_table(rows).to_string(index=False))


# --- flow control (fidelity) ------------------------------------------------------------------------
def _running_target(run_dir: Path | None) -> Target:
    from streamcompare.stack.local import StackState

    state = StackState.load(run_dir.resolve() if run_dir else None)
    if state is None or not state.is_up():
        raise StackError("no local stack is running here", fix="start one with `streamcompare stack up`")
    return state.target()


@app.command("flow-control")
def flow_control(
    variant: Annotated[str, typer.Option(help="quick (under a minute) or standard (longer runs)")] = "quick",
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole result as JSON")] = False,
    kinesis: Annotated[bool, typer.Option("--kinesis/--no-kinesis", help="Run the Kinesis part")] = True,
    kafka: Annotated[bool, typer.Option("--kafka/--no-kafka", help="Run the Kafka quota part")] = True,
    run_dir: Annotated[Path | None, typer.Option("--run-dir", help="The stack's run directory")] = None,
) -> None:
    """Kinesis per-shard throttling (emulated) beside the simulation, and a Kafka quota (measured)."""
    from streamcompare.criteria.flow_control import live_run

    if variant not in ("quick", "standard"):
        raise ConfigError(f"unknown variant {variant!r}", field="--variant", fix="use quick or standard")
    target = _running_target(run_dir)
    started = time.monotonic()
    say = (lambda _m: None) if as_json else (lambda m: console.log(m, highlight=False))
    result = live_run(target, variant, progress=say, kinesis=kinesis, kafka=kafka)
    if as_json:
        print(json.dumps(result, indent=2, default=str))
        return
    _print_flow(result, time.monotonic() - started)


def _fmt(value: object, pattern: str = "{:,}") -> str:
    return "-" if value is None else pattern.format(value)


def _print_flow(result: dict[str, Any], wall_s: float) -> None:
    runs: list[dict[str, Any]] = result.get("kinesis") or []
    if runs:
        table = Table(title="Kinesis through the fidelity layer (emulated: kinesis-mock with AWS's per-shard "
                            "limits), same shape as the simulation")
        for heading in ("shards", "retries", "offered", "accepted", "throttled % measured",
                        "throttled % simulated", "retried entries", "lost", "publish p50 ms", "publish p99 ms"):
            table.add_column(heading, justify="right")
        for run in runs:
            table.add_row(str(run["shards"]), "on" if run["retries"] else "off", _fmt(run["offered"]),
                          _fmt(run["accepted"]), _fmt(run["throttled_fraction"] * 100, "{:.1f}"),
                          _fmt(run["simulated"]["throttled_fraction"] * 100, "{:.1f}"),
                          _fmt(run["retried_entries"]), _fmt(run["lost"]),
                          _fmt(run["publish_latency_ms"]["p50"], "{:.1f}"),
                          _fmt(run["publish_latency_ms"]["p99"], "{:.1f}"))
        console.print(table)
        console.print(f"simulation's recommended shard count: {result.get('recommended_shards')}")
    kafka = result.get("kafka")
    if kafka:
        k = kafka
        console.print(f"Kafka (measured, local cluster): quota {k['quota_bytes_per_s']:,} B/s, offered "
                      f"{k['offered_bytes_per_s']:,} B/s, achieved {k['achieved_bytes_per_s']:,} B/s "
                      f"({k['achieved_vs_quota']:.2f} of quota); throttle p50 {_fmt(k['throttle_ms']['p50'])} ms, "
                      f"p99 {_fmt(k['throttle_ms']['p99'])} ms over {k['throttle_events']} throttled responses; "
                      f"failed {k['failed']}, lost {k['lost']}; publish p99 {k['publish_latency_ms']['p99']} ms")
    console.print(f"probe wall time: {wall_s:.1f} s")


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
