"""03_reliability: a measured delivery check (sent, acknowledged, received, lost, duplicated) per system."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from streamcompare.bench.runner import run_benchmark
from streamcompare.bench.workload import Workload
from streamcompare.criteria.common import load_experiment, save_experiment

CHECKS = (("kafka", {"kafka.acks": "all", "kafka.idempotence": True}),
          ("kinesis", {"kinesis.producer_mode": "put_records"}))


def delivery_check(target: dict[str, Any], workload: Workload, mode: str, results_dir: str | Path,
                   run_id: str) -> pd.DataFrame:
    """Send a workload through each system and count what came back (live), or read the stored check."""
    if mode == "replay":
        return load_experiment(results_dir, "delivery")
    rows = []
    for system, overrides in CHECKS:
        result = run_benchmark(system, target, workload.with_overrides(**overrides),
                               labels={"report_run": run_id, "notebook": "03_reliability"})
        result.write(results_dir)
        counts = result.counts
        rows.append({"system": system, "settings": ", ".join(f"{k.split('.')[-1]}={v}" for k, v in overrides.items()),
                     "sent": counts.get("sent"), "acknowledged": counts.get("acked"),
                     "failed": counts.get("failed"),
                     "received_distinct": (counts.get("acked", 0) - counts.get("lost", 0)
                                           + counts.get("unacked_received", 0)),
                     "lost": counts.get("lost"), "duplicates": counts.get("duplicates"),
                     "retries": counts.get("retries"), "emulator": bool(result.target.get("emulator"))})
    save_experiment(results_dir, run_id, "delivery", rows)
    return pd.DataFrame(rows)


def scores(documented: dict[str, float], delivery: pd.DataFrame) -> dict[str, float]:
    """Documented scores, lowered by 3 for a system that lost acknowledged records in the measured check."""
    adjusted = dict(documented)
    if not delivery.empty:
        lost = delivery.groupby("system")["lost"].sum()
        if lost.get("kafka", 0) > 0:
            for option in ("kafka-self-managed", "msk"):
                adjusted[option] = max(0.0, adjusted[option] - 3)
        if lost.get("kinesis", 0) > 0:
            adjusted["kinesis"] = max(0.0, adjusted["kinesis"] - 3)
    return adjusted
