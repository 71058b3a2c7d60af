"""01_latency: measured publish and end-to-end percentiles, the trend across runs, the cloud model."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from streamcompare.bench.results import RunResult, load_result
from streamcompare.bench.runner import run_benchmark
from streamcompare.bench.summary import client_label, summary_table
from streamcompare.bench.workload import Workload
from streamcompare.bench.workload import resolve_workload as resolve_workload  # the notebooks call it here
from streamcompare.models import cloud_latency as lm

QUANTILES = ("p50", "p90", "p99", "p99.9", "p99.99", "max")
METRICS = {"publish_latency": "publish", "e2e_latency": "end-to-end"}

def variants(poll_intervals_ms: Iterable[int] = (200, 1000)) -> list[tuple[str, dict[str, Any]]]:
    """Kafka acks 0/1/all; Kinesis batching at each polling interval, and KPL aggregation at the first."""
    intervals = [int(i) for i in poll_intervals_ms] or [200]
    return [("kafka", {"kafka.acks": "0", "kafka.idempotence": False}),
            ("kafka", {"kafka.acks": "1", "kafka.idempotence": False}),
            ("kafka", {"kafka.acks": "all"}),
            *[("kinesis", {"kinesis.producer_mode": "put_records", "kinesis.poll_interval_ms": i}) for i in intervals],
            ("kinesis", {"kinesis.producer_mode": "aggregated", "kinesis.poll_interval_ms": intervals[0]})]


def run_variants(target: dict[str, Any], workload: Workload, results_dir: str | Path, run_id: str,
                 plan: Iterable[tuple[str, dict[str, Any]]] | None = None,
                 systems: Iterable[str] = ("kafka", "kinesis")) -> list[RunResult]:
    """Measure each variant on the target with the one harness; each result file is labelled with run_id."""
    wanted = set(systems)
    results = []
    for system, overrides in plan if plan is not None else variants():
        if system not in wanted:
            continue
        result = run_benchmark(system, target, workload.with_overrides(**overrides),
                               labels={"report_run": run_id, "notebook": "01_latency"})
        result.write(results_dir)
        results.append(result)
    return results


def stored_results(results_dir: str | Path, run_id: str | None = None) -> list[RunResult]:
    """Results written by this notebook: of one report run, or (run_id None) the newest run's."""
    found = [load_result(p) for p in sorted(Path(results_dir).glob("*.json"))]
    mine = [r for r in found if r.labels.get("notebook") == "01_latency"]
    if run_id is None and mine:
        run_id = max(mine, key=lambda r: r.utc).labels.get("report_run")
    return [r for r in mine if r.labels.get("report_run") == run_id]


def percentiles_frame(results: Iterable[RunResult]) -> pd.DataFrame:
    """Long form for charts.latency_percentiles: system (with client settings), metric, quantile, value_us."""
    rows = []
    for r in results:
        label = f"{r.system}: {client_label(r.system, dict(r.driver_settings))}"
        for metric, name in METRICS.items():
            for quantile in QUANTILES:
                value = r.quantiles.get(metric, {}).get(quantile)
                if value is not None:
                    rows.append({"system": label, "metric": name, "quantile": quantile, "value_us": float(value)})
    return pd.DataFrame(rows, columns=["system", "metric", "quantile", "value_us"])


def summary(results: Iterable[RunResult]) -> pd.DataFrame:
    return summary_table(list(results))


def trend_frame(results_dir: str | Path) -> pd.DataFrame:
    """End-to-end p50/p99 per report run (acks=all Kafka; batching Kinesis at the first poll interval)."""
    rows = []
    for path in sorted(Path(results_dir).glob("*.json")):
        r = load_result(path)
        if r.labels.get("notebook") != "01_latency":
            continue
        settings = dict(r.driver_settings)
        if (r.system == "kafka" and settings.get("acks") == "all") or (
                r.system == "kinesis" and settings.get("producer_mode") == "put_records"):
            for quantile in ("p50", "p99"):
                rows.append({"run": r.labels.get("report_run"), "utc": pd.Timestamp(r.utc), "system": r.system,
                             "quantile": quantile, "value_us": r.quantiles["e2e_latency"].get(quantile)})
    frame = pd.DataFrame(rows, columns=["run", "utc", "system", "quantile", "value_us"])
    if frame.empty:
        return frame.drop(columns="run")
    grouped = frame.groupby(["run", "system", "quantile"], as_index=False).agg(utc=("utc", "min"),
                                                                            value_us=("value_us", "min"))
    return grouped[["utc", "system", "quantile", "value_us"]]


def runs_in_trend(trend: pd.DataFrame) -> int:
    return int(trend["utc"].nunique()) if not trend.empty else 0


def measured_kafka_broker_ms(results: Iterable[RunResult]) -> float | None:
    """Broker handling measured on the target: acks=all publish p50 minus linger.ms (at least 0.1 ms)."""
    for r in results:
        settings = dict(r.driver_settings)
        if r.system == "kafka" and settings.get("acks") == "all":
            p50 = r.quantiles["publish_latency"].get("p50")
            if p50 is not None:
                return max(0.1, p50 / 1000 - float(settings.get("linger_ms") or 0))
    return None


def cloud_parameters(results: Iterable[RunResult], **overrides: Any) -> lm.CloudLatencyParameters:
    """The cloud model's parameters; Kafka's broker time comes from this run's measurement when there is one."""
    broker = measured_kafka_broker_ms(results)
    values = {"kafka_broker_ms": broker} if broker is not None else {}
    return lm.CloudLatencyParameters(**{**values, **overrides})


def cloud_view(parameters: lm.CloudLatencyParameters) -> pd.DataFrame:
    """Modelled totals beside AWS's published propagation figures, one frame for a table."""
    totals = lm.model_totals(parameters).assign(source="model (parameters shown above)")
    published = lm.published_reference().rename(columns={"what": "metric"})[["system", "metric", "ms", "source"]]
    published = published.assign(kind="published")
    return pd.concat([totals, published], ignore_index=True)[["system", "metric", "kind", "ms", "source"]]


def model_components(results: Iterable[RunResult], parameters: lm.CloudLatencyParameters) -> pd.DataFrame:
    """Every modelled component with its value and source; Kafka's broker time is marked measured if it was."""
    frame = lm.model_frame(parameters)
    if measured_kafka_broker_ms(results) is not None:
        frame.loc[frame.component == "broker handling", "source"] = "measured (acks=all publish p50 - linger.ms)"
    return frame.round({"ms": 2})


def cloud_components_chart_frame(**parameters: Any) -> pd.DataFrame:
    """Modelled publish/end-to-end per system as value_ms rows (for charts.latency_percentiles)."""
    totals = lm.model_totals(lm.CloudLatencyParameters(**parameters))
    return pd.DataFrame({"system": totals.system, "metric": totals.metric, "quantile": "p50",
                         "value_ms": totals.ms})


def scores(parameters: lm.CloudLatencyParameters) -> dict[str, float]:
    """0..10 from the *modelled cloud* end-to-end latency: 10 - 2 x log10(ms), so 10 ms -> 8, 1 s -> 4."""
    totals = lm.model_totals(parameters).set_index(["system", "metric"]).ms
    kafka = totals["kafka", "end-to-end"]
    kinesis = totals["kinesis", "end-to-end"]

    def score(ms: float) -> float:
        return round(min(10.0, max(0.0, 10 - 2 * math.log10(max(ms, 1.0)))), 2)

    return {"kafka-self-managed": score(kafka), "msk": score(kafka), "kinesis": score(kinesis)}


def verdict(results: list[RunResult], parameters: lm.CloudLatencyParameters) -> str:
    """The criterion's verdict, in Markdown, with what is measured and what is modelled."""
    table = summary(results)
    kafka = table[(table.system == "kafka") & table.client.str.startswith("acks=all")]
    totals = lm.model_totals(parameters).set_index(["system", "metric"]).ms
    lines = ["**Verdict (latency).**"]
    if not kafka.empty:
        row = kafka.iloc[0]
        lines.append(f"Measured on the target, Kafka with acks=all delivered end to end at p50 {row.e2e_p50_ms:.1f} ms "
                     f"and p99 {row.e2e_p99_ms:.1f} ms ({row.target}).")
    if any(r.system == "kinesis" and r.target.get("emulator") for r in results):
        lines.append("The Kinesis figures above come from an emulator (kinesis-mock) and say nothing about AWS.")
    lines.append(f"Modelled for the cloud: Kafka end to end about {totals['kafka', 'end-to-end']:.0f} ms; "
                 f"Kinesis about {totals['kinesis', 'end-to-end']:.0f} ms, dominated by the polling interval "
                 "(enhanced fan-out: about 70 ms, AWS's published average).")
    lines.append("For sub-100 ms end-to-end needs Kafka (self-managed or MSK) is the safer choice; Kinesis "
                 "meets second-scale needs with polling and sub-second needs only with enhanced fan-out.")
    return " ".join(lines)
