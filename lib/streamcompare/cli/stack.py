"""`streamcompare stack up|down|status|logs`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from streamcompare.errors import ConfigError, StackError
from streamcompare.stack import kinesis_backends, local, process

app = typer.Typer(no_args_is_help=True)
console = Console(soft_wrap=True)

RunDirOption = Annotated[Path | None, typer.Option(
    "--run-dir", help="Where the stack keeps pid files, ports and logs [default: ./.stack or "
                      "$STREAMCOMPARE_RUN_DIR]")]


@app.command()
def up(
    brokers: Annotated[int, typer.Option(help="Kafka nodes (combined broker+controller); 1 for a small machine")] = 3,
    kafka: Annotated[bool, typer.Option("--kafka/--no-kafka", help="Start the Kafka cluster")] = True,
    kinesis: Annotated[bool, typer.Option("--kinesis/--no-kinesis", help="Start the Kinesis endpoint")] = True,
    kafka_port: Annotated[int | None, typer.Option(help="First Kafka port (brokers use N.., controllers "
                                                        "follow) [default: free ports]")] = None,
    kinesis_port: Annotated[int | None, typer.Option(help="Kinesis endpoint port [default: a free port]")] = None,
    kinesis_limits: Annotated[str, typer.Option(
        "--kinesis-limits", help="on: clients reach kinesis-mock through the fidelity layer that enforces AWS's "
                                 "per-shard limits (results labelled emulated); off: the bare emulator")] = "on",
    kinesis_backend: Annotated[str, typer.Option(
        "--kinesis-backend", help="the Kinesis emulator behind the layer: "
                                  f"{', '.join(kinesis_backends.BACKENDS)} (see docs/kinesis-backends.md)")
    ] = kinesis_backends.DEFAULT,
    security: Annotated[str | None, typer.Option(
        "--security", help="plaintext or sasl_ssl: private CA, TLS, SCRAM users, ACLs, and an IAM-enforcing "
                           "Kinesis endpoint (moto); switching needs `stack down` first "
                           "[default: plaintext; a running stack is kept as it is]")] = None,
    run_dir: RunDirOption = None,
) -> None:
    """Start a real Kafka cluster (KRaft) and a local Kinesis endpoint; a no-op when already up."""
    if not 1 <= brokers <= 9:
        raise StackError(f"--brokers must be between 1 and 9, got {brokers}", field="--brokers",
                         fix="use 3 (the default, replication factor 3) or 1 on a small machine")
    if kinesis_limits not in ("on", "off"):
        raise ConfigError(f"--kinesis-limits must be on or off, got {kinesis_limits!r}", field="--kinesis-limits",
                          fix="use --kinesis-limits on (AWS's per-shard limits enforced) or off (bare emulator)")
    started = time.monotonic()
    with console.status("starting the local stack") as status:
        def progress(message: str) -> None:
            status.update(f"{escape(message)} [dim]({time.monotonic() - started:.0f} s)[/]")
            console.log(message, markup=False, highlight=False)

        state, started_now = local.up(run_dir, brokers=brokers, with_kafka=kafka, with_kinesis=kinesis,
                                      kafka_port=kafka_port, kinesis_port=kinesis_port,
                                      security_profile=security, kinesis_limits=kinesis_limits == "on",
                                      kinesis_backend=kinesis_backend,
                                      progress=progress)
    if not started_now:
        console.print(f"The local stack is already up (since {state.started_utc}); nothing to do.")
    else:
        console.print(f"[green]The local stack is up[/] in {time.monotonic() - started:.1f} s.")
    _print_state(state)


@app.command()
def down(
    keep_data: Annotated[bool, typer.Option("--keep-data", help="Keep Kafka's data for the next `up`")] = False,
    run_dir: RunDirOption = None,
) -> None:
    """Stop the stack's processes by pid (terminate, then kill after a timeout). Logs are kept."""
    outcomes = local.down(run_dir, keep_data=keep_data)
    if not outcomes:
        console.print("No local stack is running here; nothing to stop.")
        return
    for name, pid, outcome in outcomes:
        console.print(f"{name:<14} pid {pid:<8} {outcome}")
    console.print("[green]The local stack is down.[/]" + (" Kafka data kept." if keep_data else ""))


@app.command()
def status(run_dir: RunDirOption = None) -> None:
    """Show where the stack listens and whether each process is running."""
    state = local.StackState.load(run_dir.resolve() if run_dir else None)
    if state is None:
        console.print("No local stack here. Start one with `streamcompare stack up`.")
        raise typer.Exit(1)
    _print_state(state)
    if any(alive and record.is_paused() for record, alive in state.processes()):
        console.print("[yellow]A node is paused (SIGSTOP)[/]: a fault experiment is running or was interrupted; "
                      "`kill -CONT <pid>` resumes it.")
        raise typer.Exit(1)
    if not state.is_up():
        console.print("[red]Some processes are not running[/]; `streamcompare stack logs` shows why, "
                      "`streamcompare stack down` cleans up.")
        raise typer.Exit(1)


@app.command()
def logs(
    component: Annotated[str, typer.Argument(help="kafka-1, kafka-2, ..., kinesis, kinesis-limits, or all")] = "all",
    lines: Annotated[int, typer.Option("--lines", "-n", help="Lines from the end of each log")] = 40,
    run_dir: RunDirOption = None,
) -> None:
    """Print the tail of the stack's logs."""
    state = local.StackState.load(run_dir.resolve() if run_dir else None)
    if state is None:
        raise StackError("no local stack state here", fix="start one with `streamcompare stack up`")
    records = state.records()
    wanted = [r for r in records if component == "all" or r.name in (component, f"{component}-mock")
              or (component == "kinesis" and Path(r.log).parent.name == "kinesis")]
    if not wanted:
        names = ", ".join(r.name for r in records)
        raise StackError(f"no component named {component!r}", field="component", fix=f"use one of: {names}, all")
    for record in wanted:
        console.rule(f"{record.name}: {record.log}")
        console.print(process.tail(record.log, lines), markup=False, highlight=False)


def _print_state(state: local.StackState) -> None:
    console.print(f"run dir:          {state.run_dir}")
    console.print(f"security profile: {state.security}")
    if state.kafka_bootstrap:
        console.print(f"kafka:            Apache Kafka {state.kafka_version}, {state.brokers} node(s), "
                      f"KRaft cluster {state.kafka_cluster_id}")
        console.print(f"kafka bootstrap:  {state.kafka_bootstrap}")
    for kind, bootstrap in state.kafka_listeners.items():
        console.print(f"  {kind:<15} {bootstrap}" + ("  (no authentication: ANONYMOUS may use sc-* only; "
                                                     "kept for the price-of-security baseline)"
                                                     if kind == "PLAINTEXT" else ""))
    if state.security == "sasl_ssl":
        security_dir = Path(state.run_dir) / "security"
        console.print(f"clients:          {security_dir / 'clients.json'} (0600: principals, SASL users, "
                      f"passwords, ACLs), CA {security_dir / 'ca.pem'}")
    if state.kinesis_iam_endpoint:
        console.print(f"kinesis (IAM):    {state.kinesis_iam_endpoint} (moto, IAM enforced; users in clients.json)")
    if state.kinesis_endpoint:
        console.print(f"kinesis:          {state.kinesis_backend} {state.kinesis_version} (an emulator: its "
                      "latency says nothing about AWS)")
        backend = kinesis_backends.BACKENDS.get(state.kinesis_backend)
        for gap in backend.lacks if backend else ():
            console.print(f"  lacks:          {gap}", markup=False, highlight=False)
        console.print(f"kinesis endpoint: {state.kinesis_endpoint} (region us-east-1, any credentials)")
        if state.kinesis_limits:
            console.print(f"kinesis limits:   on: the fidelity layer enforces AWS's per-shard limits (results are "
                          f"emulated); bare emulator at {state.kinesis_emulator_endpoint}")
        else:
            console.print("kinesis limits:   off: clients reach the bare emulator (it never throttles)")
    total = 0.0
    for record, alive in state.processes():
        rss = record.rss_mib() if alive else None
        total += rss or 0.0
        mark = f"[green]running[/] {rss:7.0f} MiB" if rss is not None else "[red]not running (down)[/]"
        if alive and record.is_paused():
            mark = f"[yellow]paused (SIGSTOP)[/] {rss or 0:7.0f} MiB"
        console.print(f"  {record.name:<14} pid {record.pid:<8} {mark}  log {record.log}")
    console.print(f"memory (RSS):     {total:.0f} MiB in all")
