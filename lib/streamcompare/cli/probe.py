"""`streamcompare probe <experiment>`: live experiments on the local stack (one function per probe)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from streamcompare.errors import ConfigError, StackError

app = typer.Typer(no_args_is_help=True, help="Live experiments on the local stack.")
console = Console(soft_wrap=True)


def _running_target(run_dir: Path | None) -> dict[str, object]:
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
