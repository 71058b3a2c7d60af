"""Shared by the criterion modules: the options compared, Markdown output, and stored experiment rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

OPTIONS = ("kafka-self-managed", "msk", "kinesis")
"""The deployment options the decision weighs (cost models map onto these)."""


def markdown(text: str) -> None:
    """Display Markdown (a verdict, a caveat) in the notebook and the report."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def table(frame: pd.DataFrame, caption: str = "") -> None:
    """Display a DataFrame as an HTML table without the index (renders in the report)."""
    from IPython.display import HTML, display

    styled = frame.to_html(index=False, escape=True, border=0, classes="sc-table", na_rep="n/a")
    display(HTML((f"<p><em>{caption}</em></p>" if caption else "") + styled))


def save_experiment(results_dir: str | Path, run_id: str, name: str, rows: list[dict[str, Any]]) -> Path:
    """Store an experiment's rows as `experiments/<run_id>-<name>.json`; never overwrites."""
    directory = Path(results_dir) / "experiments"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{run_id}-{name}.json"
    payload = {"schema_version": 1, "name": name, "run_id": run_id,
               "utc": datetime.now(UTC).isoformat(timespec="seconds"), "rows": rows}
    with open(path, "x") as out:
        json.dump(payload, out, indent=2, default=str)
    return path


def load_experiment(results_dir: str | Path, name: str) -> pd.DataFrame:
    """The newest stored rows of an experiment (for replay); empty when none was stored."""
    files = sorted((Path(results_dir) / "experiments").glob(f"*-{name}.json"))
    if not files:
        return pd.DataFrame()
    return pd.DataFrame(json.loads(files[-1].read_text())["rows"])


def resolve_target(target_file: str) -> dict[str, Any]:
    """The report's target file, or (interactive use, empty) the running local stack's target."""
    if target_file:
        from streamcompare.report.target import load_target

        return load_target(target_file)
    from streamcompare.errors import StackError
    from streamcompare.paths import project_root
    from streamcompare.stack.local import StackState

    state = StackState.load(project_root() / ".stack")
    if state is None or not state.is_up():
        raise StackError("no target_file was given and no local stack is running",
                         fix="run `streamcompare stack up` (or `make stack-up`), or set target_file")
    return state.target()


def resolve_run_id(run_id: str) -> str:
    """The report's run id, or a fresh UTC one for interactive runs."""
    return run_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-interactive"


def resolve_path(path: str) -> Path:
    """Paths in parameters are absolute under the report; interactively they are relative to the project."""
    from streamcompare.paths import project_root

    candidate = Path(path)
    return candidate if candidate.is_absolute() else project_root() / candidate
