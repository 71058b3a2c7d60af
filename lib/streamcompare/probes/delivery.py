"""A delivery check: send a workload through each system and count what was sent, acknowledged and received."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from streamcompare.bench.results import RunResult
from streamcompare.bench.runner import run_benchmark
from streamcompare.bench.workload import Workload
from streamcompare.target import Target

CHECKS = (("kafka", {"kafka.acks": "all", "kafka.idempotence": True}),
          ("kinesis", {"kinesis.producer_mode": "put_records"}))


def delivery_row(system: str, overrides: Mapping[str, Any], result: RunResult) -> dict[str, Any]:
    """What one run delivered: sent, acknowledged, received (distinct), lost, duplicated, retried."""
    counts = result.counts
    return {"system": system, "settings": ", ".join(f"{k.split('.')[-1]}={v}" for k, v in overrides.items()),
            "sent": counts.get("sent"), "acknowledged": counts.get("acked"), "failed": counts.get("failed"),
            "received_distinct": (counts.get("acked", 0) - counts.get("lost", 0) + counts.get("unacked_received", 0)),
            "lost": counts.get("lost"), "duplicates": counts.get("duplicates"), "retries": counts.get("retries"),
            "emulator": bool(result.target.get("emulator")), "notes": "; ".join(result.notes)}


def delivery_check(target: Target, workload: Workload, labels: Mapping[str, str],
                   store: Any | None = None) -> list[dict[str, Any]]:
    """Run each check with the one harness; each benchmark result is stored when a store is given."""
    rows = []
    for system, overrides in CHECKS:
        result = run_benchmark(system, target, workload.with_overrides(**overrides), labels=dict(labels))
        if store is not None:
            store.write_run(result)
        rows.append(delivery_row(system, overrides, result))
    return rows
