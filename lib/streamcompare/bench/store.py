"""One result store: every file a report run measures, keyed by the run's id, never overwritten.

Layout under the store's root (default `data/results/`):

    <utc>-<system>-<workload>-<id>.json     a benchmark run (RunResult; labels carry `report_run`)
    experiments/<run_id>-<name>.json        rows of a probe (delivery, client CPU, scaling, quotas...)

Replay asks for one run id and gets exactly that run's files; nothing is found by "newest file" except
`newest_run_id()`, which a caller uses on purpose when no run id was given. Files are self-describing
(`docs/results-schema.md`); experiment files of schema 1 (no machine, no evidence kind) still load.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streamcompare.bench.metadata import run_metadata, utc_now
from streamcompare.bench.results import ResultExistsError, RunResult, load_result
from streamcompare.errors import ConfigError
from streamcompare.target import Target

EXPERIMENTS = "experiments"
EXPERIMENT_SCHEMA_VERSION = 2
RUN_LABEL = "report_run"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class ExperimentFile:
    """A probe's stored rows with what says where and how they were taken."""

    name: str
    run_id: str
    utc: str
    evidence: str
    rows: list[dict[str, Any]]
    meta: Mapping[str, Any]
    path: Path


class ResultStore:
    """Reads and writes one folder of result files."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # --- writing -------------------------------------------------------------------------------
    def write_run(self, result: RunResult) -> Path:
        """Store a benchmark run (its labels should carry `report_run`)."""
        return result.write(self.root)

    def write_rows(self, run_id: str, name: str, rows: Sequence[Mapping[str, Any]], *, evidence: str,
                   settings: Mapping[str, Any] | None = None, target: Target | None = None) -> Path:
        """Store a probe's rows as `experiments/<run_id>-<name>.json`; refuses to overwrite."""
        if not _NAME.match(name):
            raise ConfigError(f"experiment name {name!r} must be lower-case letters, digits, - and _",
                              field="name", fix="use a name such as 'delivery' or 'client-cpu'")
        directory = self.root / EXPERIMENTS
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{_safe(run_id)}-{name}.json"
        payload = {"schema_version": EXPERIMENT_SCHEMA_VERSION, "name": name, "run_id": run_id,
                   "utc": utc_now(), "evidence": evidence, "settings": dict(settings or {}),
                   "target": _public_target(target) if target is not None else {}, "meta": run_metadata(),
                   "rows": [_finite(dict(r)) for r in rows]}
        text = json.dumps(payload, indent=2, default=_json_default, allow_nan=False)
        try:
            with open(path, "x", encoding="utf-8") as out:
                out.write(text + "\n")
        except FileExistsError:
            raise ResultExistsError(f"{path} exists already; results are never overwritten", field="results_dir",
                                    fix="use a new run id for a new measurement") from None
        return path

    # --- reading -------------------------------------------------------------------------------
    def runs(self, run_id: str, notebook: str | None = None) -> list[RunResult]:
        """The benchmark runs of one report run (optionally of one notebook), oldest first."""
        found = [r for r in self._all_runs() if r.labels.get(RUN_LABEL) == run_id
                 and (notebook is None or r.labels.get("notebook") == notebook)]
        return sorted(found, key=lambda r: r.utc)

    def all_runs(self, notebook: str | None = None) -> list[RunResult]:
        """Every stored benchmark run (optionally of one notebook), oldest first: for trends."""
        found = [r for r in self._all_runs() if notebook is None or r.labels.get("notebook") == notebook]
        return sorted(found, key=lambda r: r.utc)

    def experiment(self, run_id: str, name: str) -> ExperimentFile | None:
        """The rows `name` stored under exactly this run id, or None."""
        if not run_id:
            return None
        path = self.root / EXPERIMENTS / f"{_safe(run_id)}-{name}.json"
        return _load_experiment(path) if path.is_file() else None

    def rows(self, run_id: str, name: str) -> list[dict[str, Any]]:
        found = self.experiment(run_id, name)
        return list(found.rows) if found else []

    def run_ids(self) -> list[str]:
        """Every run id with stored files, oldest first (by the time their files were written)."""
        first: dict[str, str] = {}
        for r in self._all_runs():
            run = r.labels.get(RUN_LABEL)
            if run:
                first[run] = min(first.get(run, r.utc), r.utc)
        for path in sorted((self.root / EXPERIMENTS).glob("*.json")):
            loaded = _load_experiment(path)
            first[loaded.run_id] = min(first.get(loaded.run_id, loaded.utc), loaded.utc)
        return [run for run, _ in sorted(first.items(), key=lambda item: (item[1], item[0]))]

    def newest_run_id(self) -> str | None:
        ids = self.run_ids()
        return ids[-1] if ids else None

    def has_run(self, run_id: str) -> bool:
        return run_id in set(self.run_ids())

    def _all_runs(self) -> list[RunResult]:
        if not self.root.is_dir():
            return []
        out = []
        for path in sorted(self.root.glob("*.json")):
            try:
                out.append(load_result(path))
            except ConfigError:
                continue  # not a result file (a user's note, a foreign JSON): ignored, never fatal
        return out


def _load_experiment(path: Path) -> ExperimentFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read stored experiment {path}: {exc}", field="results_dir",
                          fix="move the damaged file away") from None
    data = upgrade_experiment(data, path)
    return ExperimentFile(name=data["name"], run_id=data["run_id"], utc=data["utc"], evidence=data["evidence"],
                          rows=list(data["rows"]), meta=data.get("meta", {}), path=path)


def upgrade_experiment(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """Schema 1 (rows, name, run_id, utc) to 2: evidence unknown, no settings, target or meta."""
    version = int(data.get("schema_version", 1))
    if version > EXPERIMENT_SCHEMA_VERSION:
        raise ConfigError(f"{path} has schema {version}, newer than this kit reads ({EXPERIMENT_SCHEMA_VERSION})",
                          field="results_dir", fix="upgrade streamcompare")
    if version == 1:
        data = {**data, "schema_version": 2, "evidence": "measured", "settings": {}, "target": {}, "meta": {}}
    return data


def _public_target(target: Target) -> dict[str, Any]:
    """What a result may say about the target: its kind, versions and emulator flags, never credentials."""
    keep = ("kind", "kafka_version", "kinesis_version", "kinesis_backend", "emulator", "region", "brokers",
            "kinesis_limits", "security")
    found = target.to_json()
    return {k: found[k] for k in keep if k in found}


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: stored as null (tables show "n/a")."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _safe(run_id: str) -> str:
    if not run_id or "/" in run_id or run_id.startswith("."):
        raise ConfigError(f"run id {run_id!r} cannot name a file", field="run_id",
                          fix="use an id such as 20261130T120000Z")
    return run_id


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in a result file")
