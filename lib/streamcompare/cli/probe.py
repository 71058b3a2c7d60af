"""`streamcompare probe ...`: live experiments (one function per probe, so merges stay easy)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

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
