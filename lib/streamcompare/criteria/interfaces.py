"""02_programming_interfaces: the drivers' code side by side and client CPU per record, measured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from streamcompare.criteria.common import load_experiment, markdown, save_experiment
from streamcompare.probes import client_cpu as interfaces

CPU_VARIANTS = (("kafka", {"acks": "all"}), ("kinesis", {"producer_mode": "put_record"}),
                ("kinesis", {"producer_mode": "put_records"}), ("kinesis", {"producer_mode": "aggregated"}))


def show_code() -> None:
    """Producer and consumer code for both systems, taken from the drivers the kit measures with."""
    for row in interfaces.code_samples().itertuples():
        markdown(f"**{row.system}: {row.operation}**\n\n```python\n{row.code}```")


def client_cpu(target: dict[str, Any], mode: str, results_dir: str | Path, run_id: str,
               records: int = 1000) -> pd.DataFrame:
    """Measure client CPU per record for each variant (live) or read the newest stored measurement (replay)."""
    if mode == "replay":
        return load_experiment(results_dir, "client-cpu")
    target = {**target, "replication_factor": 3}
    rows = []
    for system, settings in CPU_VARIANTS:
        synchronous = settings.get("producer_mode") == "put_record"  # a round trip per record: keep it short
        count = max(100, records // 5) if synchronous else records
        row = interfaces.client_cpu_per_record(target, system, settings, records=count)
        rows.append({**row, "target": target.get("kind"),
                     "emulator": bool((target.get("emulator") or {}).get(system, False))})
    save_experiment(results_dir, run_id, "client-cpu", rows)
    return pd.DataFrame(rows)


def cpu_summary(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["system", "mode", "records", "cpu_us_per_record", "records_per_s", "emulator"]
    return frame[[c for c in columns if c in frame.columns]].round(1) if not frame.empty else frame


def headline_cpu(frame: pd.DataFrame, system: str, mode_prefix: str) -> float | None:
    if frame.empty:
        return None
    match = frame[(frame.system == system) & frame["mode"].astype(str).str.startswith(mode_prefix)]
    return None if match.empty else round(float(match.cpu_us_per_record.iloc[0]), 1)
