"""Building a criterion's Context from a notebook's parameters: target, mode, run id, paths.

`mode="auto"` (the notebooks' default) measures when there is something to measure (a target file from
the report, or a running local stack) and otherwise replays the newest stored run, saying so in one
line. Relative paths are read from the working directory when they exist there, else from the project
(a kernel started in notebooks/ still finds data/results).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from streamcompare.bench.store import ResultStore
from streamcompare.bench.workload import resolve_workload
from streamcompare.criteria.contract import Context, Mode
from streamcompare.errors import ConfigError
from streamcompare.paths import project_root
from streamcompare.target import Emulated, Target, load_target
from streamcompare.targets import running_stack_target

MODES = ("auto", "live", "replay")


def resolve_path(path: str | Path) -> Path:
    """Absolute as given; relative: from the working directory if it exists there, else from the project."""
    candidate = Path(path).expanduser()
    if candidate.is_absolute():
        return candidate
    here = Path.cwd() / candidate
    return here if here.exists() else project_root() / candidate


def interactive_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-interactive"


def make_context(*, target_file: str = "", workload: str = "quick", results_dir: str = "data/results",
                 run_id: str = "", mode: str = "auto", cost_scenario: str = "data/scenarios/default.yaml",
                 **options: Any) -> Context:
    """The Context for `collect`, from a notebook's parameters (see the module docstring for `auto`)."""
    if mode not in MODES:
        raise ConfigError(f"mode must be one of {', '.join(MODES)}, got {mode!r}", field="mode",
                          fix="use auto (measure if a stack runs, else replay), live or replay")
    store = ResultStore(resolve_path(results_dir))
    spec = resolve_workload(workload) if Path(workload).suffix not in (".yaml", ".yml") else resolve_workload(
        resolve_path(workload))
    scenario = resolve_path(cost_scenario)
    target: Target | None = None
    if mode != "replay":
        target = load_target(resolve_path(target_file)) if target_file else running_stack_target()
        if target is None and mode == "live":
            raise ConfigError("no target_file was given and no local stack is running", field="mode",
                              fix="run `streamcompare stack up` (or `make stack-up`), or use mode='replay'")
    if target is not None and not target.replay:
        return Context("live", target, spec, store, run_id or interactive_run_id(), scenario,
                       notes=(f"Live: the target is {describe(target)}; what this page measures is stored as run "
                              f"{run_id or 'interactive'}.",),
                       options=options)
    return dataclasses.replace(_replay_context(store, run_id, spec, scenario, target, asked=mode), options=options)


def _replay_context(store: ResultStore, run_id: str, spec: Any, scenario: Path, target: Target | None,
                    asked: str) -> Context:
    replay: Mode = "replay"
    if run_id:
        if not store.has_run(run_id):
            known = store.run_ids()[-5:]
            raise ConfigError(f"no stored results of run {run_id} in {store.root}", field="run_id",
                              fix=f"use one of the stored runs ({', '.join(known) or 'none yet'}) or mode='auto'")
        chosen = run_id
    else:
        chosen = store.newest_run_id() or ""
    why = "no local stack is running, so " if asked == "auto" else ""
    if chosen:
        note = f"Replay: {why}this page shows stored run {chosen} from {store.root}."
    else:
        note = (f"Replay: {'no local stack is running and ' if asked == 'auto' else ''}{store.root} holds no "
                "stored run yet, so measured sections are empty. Start the stack (`streamcompare stack up`) and "
                "run this notebook again to measure.")
    public = target or Target(kind="local", replay=True, emulated=Emulated(kafka=False, kinesis=True))
    return Context(replay, public, spec, store, chosen, scenario, notes=(note,))


def describe(target: Target) -> str:
    if target.local:
        brokers = target.kafka.brokers if target.kafka else None
        version = (target.kafka.version if target.kafka else None) or "?"
        backend = (target.kinesis.backend if target.kinesis else None) or "kinesis-mock"
        return (f"the local stack (Kafka {version}"
                + (f", {brokers} broker(s)" if brokers else "") + f", {backend})")
    return f"target {target.kind}"
