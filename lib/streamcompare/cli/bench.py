"""`streamcompare bench`: run a workload against one or both systems, write results, print a summary."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from streamcompare import interrupt
from streamcompare.bench.preflight import preflight, record_size_problem
from streamcompare.bench.results import RunResult
from streamcompare.bench.runner import Progress as RunProgress
from streamcompare.bench.runner import run_benchmark
from streamcompare.bench.summary import summary_table
from streamcompare.bench.workload import Workload, resolve_workload
from streamcompare.errors import ConfigError
from streamcompare.paths import ensure_writable
from streamcompare.target import DEFAULT_REGION, Target

console = Console(soft_wrap=True)
SYSTEMS = ("kafka", "kinesis")


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """`kafka.acks=1`-style overrides; numbers become numbers."""
    overrides: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ConfigError(f"override {pair!r} is not NAME=VALUE", field="--set",
                              fix="write it like --set kafka.acks=1 or --set rate=500")
        name, raw = pair.split("=", 1)
        value: Any = raw
        for cast in (int, float):
            try:
                value = cast(raw)
                break
            except ValueError:
                continue
        overrides[name.strip()] = value
    return overrides


def kinesis_run_cost_usd(workload: Workload, prices: Any) -> float:
    """Upper estimate of what one Kinesis run costs in AWS: shard-hours (whole hours) + PUT payload units."""
    hours = math.ceil((workload.duration_s + workload.warmup_s + 120) / 3600)
    records = (workload.duration_s + workload.warmup_s) * (workload.rate if isinstance(workload.rate, int) else 1000)
    units = records * math.ceil(workload.record_bytes / 25_000)
    return (workload.partitions * hours * prices.usd("kinesis-shard-hour")
            + units / 1e6 * prices.usd("kinesis-put-payload-units"))


@contextmanager
def target_for(spec: str, allow_aws_create: bool, brokers: int) -> Iterator[Target]:
    """`local` uses (or starts, then stops) the local stack; otherwise a report config's target section."""
    from streamcompare.config import TargetConfig, load_config
    from streamcompare.targets import open_target

    config = TargetConfig() if spec == "local" else load_config(Path(spec)).target
    with open_target(config, brokers=brokers if spec == "local" else None, allow_create=allow_aws_create,
                     progress=lambda m: console.log(m, markup=False, highlight=False)) as target:
        yield target


def bench_command(
    workload: Annotated[str, typer.Option(help="Workload file or name in data/workloads")] = "quick",
    target: Annotated[str, typer.Option(help="`local`, or a config file with a target section")] = "local",
    system: Annotated[str, typer.Option(help="kafka, kinesis or all")] = "all",
    results_dir: Annotated[Path, typer.Option(help="Where result files go (never overwritten)")] = Path(
        "data/results"),
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a workload field, e.g. "
                                                                "kafka.acks=1 or rate=500")] = None,
    brokers: Annotated[int, typer.Option(help="Kafka nodes if the local stack must be started")] = 3,
    allow_aws_create: Annotated[bool, typer.Option("--allow-aws-create", help="Allow creating (tagged, "
                                                   "deleted afterwards) Kinesis streams in AWS")] = False,
    workers: Annotated[int | None, typer.Option(help="Run on a local Dask cluster of N worker processes "
                                                "(needs streamcompare[distributed])")] = None,
    cluster: Annotated[str | None, typer.Option(help="Run on the Dask cluster whose scheduler is at this "
                                                "address, e.g. tcp://10.0.0.5:8786")] = None,
) -> None:
    """Measure publish latency, end-to-end latency and throughput with one open-loop harness."""
    systems = SYSTEMS if system == "all" else (system,)
    if any(s not in SYSTEMS for s in systems):
        raise ConfigError(f"unknown system {system!r}", field="--system", fix="use kafka, kinesis or all")
    if not 1 <= brokers <= 9:
        raise ConfigError(f"--brokers must be between 1 and 9, got {brokers}", field="--brokers",
                          fix="use 3 (the default) or 1 on a small machine")
    chosen = resolve_workload(workload)
    overrides = parse_overrides(set_ or [])
    if overrides:
        chosen = chosen.with_overrides(**overrides)
    if workers is not None:
        if not 1 <= workers <= 64:
            raise ConfigError(f"--workers must be between 1 and 64, got {workers}", field="--workers",
                              fix="use one worker per core (or per client machine with --cluster)")
        chosen = chosen.with_overrides(workers=workers)
    engine = {"workers": chosen.workers, "cluster": cluster,
              "secrets_from": None if target == "local" else {"kind": "config", "path": str(Path(target).resolve())}}
    for name in systems:  # what needs no cluster is checked before one is started
        if problem := record_size_problem(name, chosen):
            raise problem
    folder = ensure_writable(results_dir if results_dir.is_absolute() else Path.cwd() / results_dir,
                             field="--results-dir", fix="pass --results-dir with a folder you can write to")
    results: list[RunResult] = []
    with target_for(target, allow_aws_create, brokers) as driver_target:
        _check_target(systems, driver_target, chosen)
        if driver_target.kind == "aws" and "kinesis" in systems:
            from streamcompare.cost import load_prices

            region = driver_target.kinesis.region if driver_target.kinesis else DEFAULT_REGION
            cost = kinesis_run_cost_usd(chosen, load_prices(region))
            console.print(f"[yellow]This run creates a Kinesis stream with {chosen.partitions} shard(s) in AWS; "
                          f"estimated cost at most ${cost:.2f} (modelled from dated prices).[/]")
        try:
            for name in systems:
                interrupt.doing(f"bench {name} (workload {chosen.name})")
                results.append(_run_one(name, driver_target, chosen, folder, engine))
        except interrupt.Interrupted:
            interrupt.cleaned("wrote no partial result")
            for done in results:
                interrupt.cleaned(f"kept the complete {done.system} result of run {done.run_id}")
            raise
    console.print(summary_table(results).to_string(index=False))


def _check_target(systems: tuple[str, ...], target: Target, workload: Workload) -> None:
    """Record sizes against the brokers' limit; print what the run will change (replication capped)."""
    from streamcompare.bench.driverref import DriverRef

    for name in systems:
        admin = DriverRef(name, target).build().admin()
        for note in preflight(name, admin, workload):
            console.print(f"note: {note}", markup=False, highlight=False)


def _run_one(name: str, target: Target, workload: Workload, results_dir: Path,
             engine: dict[str, Any] | None = None) -> RunResult:
    total = None if workload.is_max_rate else int(workload.rate) * (workload.duration_s + workload.warmup_s)
    columns = (TextColumn(f"{name:<8}"), TextColumn("{task.fields[phase]:<9}"), BarColumn(),
               TextColumn("sent {task.fields[sent]:>8} acked {task.fields[acked]:>8} "
                          "received {task.fields[received]:>8}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(name, total=total, phase="create", sent=0, acked=0, received=0)

        def on_progress(event: RunProgress) -> None:
            if event.phase == "done":  # whole-run totals, warm-up included
                bar.update(task, phase="done", sent=event.sent, acked=event.acked, received=event.received)
                return
            bar.update(task, completed=event.sent if total else None, phase=event.phase, sent=event.sent,
                       acked=event.acked, received=event.received)

        if engine and (engine.get("workers") or engine.get("cluster")):
            from streamcompare.bench.workers import run_distributed

            result = run_distributed(name, target, workload, workers=engine["workers"], cluster=engine["cluster"],
                                     secrets_from=engine["secrets_from"], progress=on_progress,
                                     partial_dir=results_dir)
        else:
            result = run_benchmark(name, target, workload, progress=on_progress)
    path = result.write(results_dir)
    console.print(f"{name}: result written to {path}", markup=False, highlight=False)
    return result


