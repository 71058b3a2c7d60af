"""Result files: one self-describing JSON file per run, never overwritten; loaders into pandas.

The schema is documented in docs/results-schema.md. Readers accept every version up to
`SCHEMA_VERSION` and upgrade older files through `UPGRADES` (one function per version step).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamcompare.errors import ConfigError, StreamcompareError

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = 1
METRICS = ("publish_latency", "publish_delay", "e2e_latency")
MODES = ("fixed-rate", "max-rate")


class ResultExistsError(StreamcompareError):
    """A result file with this name exists already; results are never overwritten."""


@dataclass(frozen=True)
class RunResult:
    """One benchmark run. Times in microseconds unless a field name says otherwise."""

    run_id: str
    utc: str
    system: str
    mode: str
    workload: Mapping[str, Any]
    target: Mapping[str, Any]
    """As stored: `describe_target` (Target.public() with this system's `emulator` flag), not a Target."""
    driver_settings: Mapping[str, Any]
    versions: Mapping[str, str]
    environment: Mapping[str, Any]
    placement: Mapping[str, Any]
    throughput: Mapping[str, Any]
    counts: Mapping[str, Any]
    quantiles: Mapping[str, Mapping[str, Any]]
    histograms: Mapping[str, str]
    windows: list[Mapping[str, Any]] = field(default_factory=list)
    trials: list[Mapping[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    labels: Mapping[str, str] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    @staticmethod
    def new_run_id() -> str:
        return uuid.uuid4().hex

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False, allow_nan=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResult:
        names = {f.name for f in fields(cls)}
        missing = sorted(n for n in names - set(data) if n not in ("windows", "trials", "notes", "labels"))
        if missing:
            raise ConfigError(f"result is missing {', '.join(missing)}", field="result",
                              fix="is this a streamcompare result file?")
        return cls(**{k: v for k, v in data.items() if k in names})

    def file_name(self) -> str:
        stamp = re.sub(r"[^0-9T]", "", self.utc.split(".")[0]) + "Z"
        return f"{stamp}-{_slug(self.system)}-{_slug(str(self.workload.get('name', 'workload')))}-" \
               f"{self.run_id[:8]}.json"

    def write(self, results_dir: str | Path) -> Path:
        """Write <utc>-<system>-<workload>-<short id>.json into results_dir; never overwrite a file."""
        folder = Path(results_dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / self.file_name()
        text = self.to_json() + "\n"
        try:
            with open(path, "x", encoding="utf-8") as fh:
                try:
                    fh.write(text)
                except BaseException:
                    fh.close()
                    path.unlink(missing_ok=True)
                    raise
        except FileExistsError:
            raise ResultExistsError(f"{path} exists already; results are never overwritten",
                                    field="results_dir",
                                    fix="this run was written before; keep the file or move it away") from None
        return path


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._]+", "_", text).strip("_")[:40] or "x"


Upgrade = Callable[[dict[str, Any]], dict[str, Any]]
UPGRADES: dict[int, Upgrade] = {}
"""version -> function turning a version-N dict into a version-(N+1) dict (none needed yet)."""


def upgrade(data: dict[str, Any], source: str = "result") -> dict[str, Any]:
    version = data.get("schema_version")
    if not isinstance(version, int):
        raise ConfigError(f"{source}: no schema_version", field="schema_version",
                          fix="is this a streamcompare result file?")
    if version > SCHEMA_VERSION:
        raise ConfigError(f"{source}: schema_version {version} is newer than this kit ({SCHEMA_VERSION})",
                          field="schema_version", fix="upgrade streamcompare to read it")
    while version < SCHEMA_VERSION:
        step = UPGRADES.get(version)
        if step is None:
            raise ConfigError(f"{source}: no upgrade from schema_version {version}", field="schema_version")
        data = step(dict(data))
        version += 1
        data["schema_version"] = version
    return data


def load_result(path: str | Path) -> RunResult:
    """Read one result file, upgrading older schema versions."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not valid JSON: {exc}", field="result") from None
    return RunResult.from_dict(upgrade(data, source=str(path)))


def _iter_results(source: str | Path | Iterable[RunResult]) -> list[RunResult]:
    if isinstance(source, str | Path):
        return [load_result(p) for p in sorted(Path(source).glob("*.json"))]
    return list(source)


def _run_columns(r: RunResult) -> dict[str, Any]:
    return {
        "run_id": r.run_id, "utc": r.utc, "system": r.system, "mode": r.mode,
        "target": r.target.get("kind"), "emulator": bool(r.target.get("emulator")),
        "workload": r.workload.get("name"), "target_rate": r.throughput.get("target_rate"),
        "achieved_rate": r.throughput.get("ack_rate"),
    }


def load_results(source: str | Path | Iterable[RunResult]) -> pd.DataFrame:
    """Long form: one row per run, metric and quantile (value_us; NaN where nothing was recorded).

    Columns: run_id, utc (datetime, UTC), system, mode, target, emulator, workload, target_rate,
    achieved_rate, metric, quantile, value_us.
    """
    import pandas as pd

    rows = []
    for r in _iter_results(source):
        base = _run_columns(r)
        for metric, summary in r.quantiles.items():
            for quantile, value in summary.items():
                if quantile == "count":
                    continue
                rows.append({**base, "metric": metric, "quantile": quantile, "value_us": value})
    columns = [*_run_columns_names(), "metric", "quantile", "value_us"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["utc"] = pd.to_datetime(frame["utc"], utc=True)
    frame["value_us"] = pd.to_numeric(frame["value_us"], errors="coerce").astype(float)
    return frame


def windows_frame(source: str | Path | Iterable[RunResult]) -> pd.DataFrame:
    """One row per run and 1 s window: t_s, target (records/s), sent, acked, failed, received, tail."""
    import pandas as pd

    rows = [{**_run_columns(r), **w} for r in _iter_results(source) for w in r.windows]
    columns = [*_run_columns_names(), "t_s", "target", "sent", "acked", "failed", "received", "tail"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["utc"] = pd.to_datetime(frame["utc"], utc=True)
    return frame


def _run_columns_names() -> list[str]:
    return ["run_id", "utc", "system", "mode", "target", "emulator", "workload", "target_rate",
            "achieved_rate"]
