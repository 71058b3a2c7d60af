"""A small table of headline figures per run, for the CLI and notebooks (milliseconds, records/s)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from streamcompare.bench.results import RunResult

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["system", "target", "client", "mode", "target_rate", "achieved_rate", "publish_p50_ms", "publish_p99_ms",
           "publish_p999_ms", "publish_max_ms", "delay_p99_ms", "e2e_p50_ms", "e2e_p99_ms", "errors",
           "client_errors", "retries", "throttles", "lost", "duplicates"]


def _ms(summary: Mapping[str, Any], key: str) -> float | None:
    value = summary.get(key)
    return None if value is None else round(value / 1000, 3)


def client_label(system: str, settings: dict[str, Any]) -> str:
    """The client settings that shape latency, in a few words (acks and linger; producer/consumer mode)."""
    if system == "kafka":
        return f"acks={settings.get('acks', '?')} linger={settings.get('linger_ms', '?')}ms"
    if system == "kinesis":
        consumer = settings.get("consumer_mode", "polling")
        if consumer == "polling":
            consumer = f"poll {settings.get('poll_interval_ms', '?')}ms"
        return f"{settings.get('producer_mode', '?')}, {consumer}"
    return ""


def summary_row(r: RunResult) -> dict[str, Any]:
    q = r.quantiles
    target = str(r.target.get("kind", "?")) + (" (emulator)" if r.target.get("emulator") else "")
    return {
        "system": r.system, "target": target, "client": client_label(r.system, dict(r.driver_settings)),
        "mode": r.mode,
        "target_rate": r.throughput.get("target_rate"),
        "achieved_rate": round(float(r.throughput.get("ack_rate") or 0.0), 1),
        "publish_p50_ms": _ms(q["publish_latency"], "p50"), "publish_p99_ms": _ms(q["publish_latency"], "p99"),
        "publish_p999_ms": _ms(q["publish_latency"], "p99.9"),
        "publish_max_ms": _ms(q["publish_latency"], "max"),
        "delay_p99_ms": _ms(q["publish_delay"], "p99"),
        "e2e_p50_ms": _ms(q["e2e_latency"], "p50"), "e2e_p99_ms": _ms(q["e2e_latency"], "p99"),
        "errors": r.counts.get("failed"), "client_errors": r.counts.get("errors"),
        "retries": r.counts.get("retries"), "throttles": r.counts.get("throttles"),
        "lost": r.counts.get("lost"), "duplicates": r.counts.get("duplicates"),
    }


def summary_table(results: RunResult | Iterable[RunResult]) -> pd.DataFrame:
    """One row per run: rates in records/s, latencies in ms (None/NaN where not measured).

    `errors` = records that failed (error ack or a send that raised); `client_errors` = errors the
    clients counted themselves (may include the same failures); `target_rate` of a max-rate run is
    the highest sustainable rate found.
    """
    import pandas as pd

    runs = [results] if isinstance(results, RunResult) else list(results)
    return pd.DataFrame([summary_row(r) for r in runs], columns=COLUMNS)
