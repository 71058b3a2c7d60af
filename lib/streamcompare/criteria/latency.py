"""01_latency: publish and end-to-end percentiles measured on the target, the trend, and the cloud model.

Kafka runs for real on the target (on the local stack: a KRaft cluster on loopback); Kinesis on the
local stack is an emulator (MiniStack by default), so its figures are emulated, never AWS's. The cloud
view is a model whose parameters are the knobs, with Kafka's broker time taken from this run's
measurement when there is one.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from streamcompare import charts
from streamcompare.bench.results import RunResult
from streamcompare.bench.runner import run_benchmark
from streamcompare.bench.summary import client_label
from streamcompare.criteria.contract import (
    OPTION_SYSTEM,
    OPTIONS,
    Chart,
    Context,
    Markdown,
    MustHaves,
    Scenario,
    Score,
    Table,
    View,
    clamp,
    knob,
)
from streamcompare.headlines import headline
from streamcompare.models import cloud_latency as lm
from streamcompare.reference.published_latency import published_reference

NAME = "latency"
TITLE = "Latency"
NOTEBOOK = "01_latency"
QUANTILES = ("p50", "p90", "p99", "p99.9", "p99.99", "max")
METRICS = {"publish_latency": "publish", "e2e_latency": "end-to-end"}
DEFAULT_POLL_INTERVALS_MS = (200, 1000)


@dataclass(frozen=True)
class Knobs:
    """The cloud model's assumptions and the team's latency budget."""

    latency_budget_ms: float = knob(200.0, "end-to-end budget", unit="ms", low=5, high=5000, log=True)
    kinesis_poll_interval_ms: int = knob(1000, "Kinesis poll interval", unit="ms", low=200, high=5000, step=100)
    kinesis_consumers: int = knob(1, "Kinesis consumers sharing a shard", low=1, high=5)
    efo: bool = knob(False, "Kinesis enhanced fan-out")
    cross_az_rtt_ms: float = knob(1.0, "cross-AZ round trip", unit="ms", low=0.2, high=5.0, step=0.1)
    kinesis_put_service_ms: float = knob(15.0, "Kinesis PutRecord service time (assumed)", unit="ms", low=1,
                                         high=200, step=1)


@dataclass(frozen=True)
class Evidence:
    results: tuple[RunResult, ...]
    history: tuple[RunResult, ...]
    live: bool


def variants(poll_intervals_ms: Iterable[int] = DEFAULT_POLL_INTERVALS_MS) -> list[tuple[str, dict[str, Any]]]:
    """Kafka acks 0/1/all; Kinesis batching at each polling interval, and KPL aggregation at the first."""
    intervals = [int(i) for i in poll_intervals_ms] or [200]
    return [("kafka", {"kafka.acks": "0", "kafka.idempotence": False}),
            ("kafka", {"kafka.acks": "1", "kafka.idempotence": False}),
            ("kafka", {"kafka.acks": "all"}),
            *[("kinesis", {"kinesis.producer_mode": "put_records", "kinesis.poll_interval_ms": i}) for i in intervals],
            ("kinesis", {"kinesis.producer_mode": "aggregated", "kinesis.poll_interval_ms": intervals[0]})]


def collect(ctx: Context) -> Evidence:
    """Live: run every variant with the one harness and store each result under the run id; replay: load them."""
    if ctx.live:
        results = []
        for system, overrides in variants(ctx.options.get("poll_intervals_ms", DEFAULT_POLL_INTERVALS_MS)):
            result = run_benchmark(system, ctx.target, ctx.workload.with_overrides(**overrides),
                                   labels={"report_run": ctx.run_id, "notebook": NOTEBOOK})
            ctx.store.write_run(result)
            results.append(result)
    else:
        results = ctx.store.runs(ctx.run_id, NOTEBOOK)
    return Evidence(tuple(results), tuple(ctx.store.all_runs(NOTEBOOK)), ctx.live)


# --- pure parts --------------------------------------------------------------------------------------
def client(r: RunResult) -> str:
    return f"{r.system}: {client_label(r.system, dict(r.driver_settings))}"


def _ms(r: RunResult, metric: str, quantile: str) -> float | None:
    value = r.quantiles.get(metric, {}).get(quantile)
    return None if value is None else float(value) / 1000


def measured_table(results: Sequence[RunResult]) -> pd.DataFrame:
    """One row per run, for people: rates in records/s, latencies in ms."""
    rows = [{"client": client(r), "evidence": "emulated" if r.target.get("emulator") else "measured",
             "achieved (records/s)": float(r.throughput.get("ack_rate") or 0.0),
             "publish p50 (ms)": _ms(r, "publish_latency", "p50"), "publish p99 (ms)": _ms(r, "publish_latency", "p99"),
             "end-to-end p50 (ms)": _ms(r, "e2e_latency", "p50"), "end-to-end p99 (ms)": _ms(r, "e2e_latency", "p99"),
             "end-to-end max (ms)": _ms(r, "e2e_latency", "max"),
             "lost": int(r.counts.get("lost") or 0), "duplicates": int(r.counts.get("duplicates") or 0)}
            for r in results]
    return pd.DataFrame(rows)


def percentiles_frame(results: Iterable[RunResult]) -> pd.DataFrame:
    """Long form for charts.latency_percentiles: system (with client settings), metric, quantile, value_us."""
    rows = [{"system": client(r), "metric": name, "quantile": q, "value_us": float(value)}
            for r in results for metric, name in METRICS.items() for q in QUANTILES
            if (value := r.quantiles.get(metric, {}).get(q)) is not None]
    return pd.DataFrame(rows, columns=["system", "metric", "quantile", "value_us"])


def trend_frame(history: Iterable[RunResult]) -> pd.DataFrame:
    """End-to-end p50/p99 per report run (acks=all Kafka; batching Kinesis), the best of each run."""
    rows = []
    for r in history:
        settings = dict(r.driver_settings)
        if (r.system == "kafka" and settings.get("acks") == "all") or (
                r.system == "kinesis" and settings.get("producer_mode") == "put_records"):
            rows += [{"run": r.labels.get("report_run"), "utc": pd.Timestamp(r.utc), "system": r.system,
                      "quantile": q, "value_us": r.quantiles["e2e_latency"].get(q)} for q in ("p50", "p99")]
    frame = pd.DataFrame(rows, columns=["run", "utc", "system", "quantile", "value_us"]).dropna()
    if frame.empty:
        return frame.drop(columns="run")
    grouped = frame.groupby(["run", "system", "quantile"], as_index=False).agg(utc=("utc", "min"),
                                                                            value_us=("value_us", "min"))
    return grouped[["utc", "system", "quantile", "value_us"]]


def runs_in_trend(history: Iterable[RunResult]) -> int:
    """How many report runs the trend has (one point per run and system)."""
    return len({r.labels.get("report_run") for r in history if r.labels.get("report_run")})


def measured_kafka_broker_ms(results: Iterable[RunResult]) -> float | None:
    """Broker handling measured on the target: acks=all publish p50 minus linger.ms (at least 0.1 ms)."""
    for r in results:
        settings = dict(r.driver_settings)
        if r.system == "kafka" and settings.get("acks") == "all" and not r.target.get("emulator"):
            p50 = _ms(r, "publish_latency", "p50")
            if p50 is not None:
                return max(0.1, p50 - float(settings.get("linger_ms") or 0))
    return None


def cloud_parameters(evidence: Evidence, knobs: Knobs) -> lm.CloudLatencyParameters:
    broker = measured_kafka_broker_ms(evidence.results)
    values: dict[str, Any] = {"kafka_broker_ms": broker} if broker is not None else {}
    return lm.CloudLatencyParameters(**values, cross_az_rtt_ms=knobs.cross_az_rtt_ms,
                                     kinesis_put_service_ms=knobs.kinesis_put_service_ms,
                                     kinesis_poll_interval_ms=float(knobs.kinesis_poll_interval_ms),
                                     kinesis_consumers=knobs.kinesis_consumers, efo=knobs.efo)


def cloud_totals(evidence: Evidence, knobs: Knobs) -> dict[tuple[str, str], float]:
    totals = lm.model_totals(cloud_parameters(evidence, knobs))
    return {(str(system), str(metric)): float(ms) for system, metric, ms in zip(totals.system, totals.metric,
                                                                                 totals.ms, strict=True)}


def _kafka_all(results: Sequence[RunResult]) -> RunResult | None:
    return next((r for r in results if r.system == "kafka" and dict(r.driver_settings).get("acks") == "all"), None)


def view(evidence: Evidence, knobs: Knobs) -> View:
    params = cloud_parameters(evidence, knobs)
    blocks: list[Any] = [Markdown("## Measured on the target")]
    if evidence.results:
        blocks += [Table(measured_table(evidence.results), "Rates in records/s, latencies in ms; Kinesis on the "
                                                              "local stack is an emulator (emulated)."),
                   Chart(charts.latency_percentiles(percentiles_frame(evidence.results),
                                                    title="Latency by percentile (ms, log scale)"))]
    else:
        blocks.append(Markdown("No measurement in this run: start the stack and run the page to measure."))
    trend = trend_frame(evidence.history)
    blocks.append(Markdown("## Trend across report runs"))
    blocks.append(Chart(charts.latency_trend(trend, title="End-to-end latency across runs"))
                  if runs_in_trend(evidence.history) > 1 else
                  Markdown("One run so far: the trend appears from the second scheduled run on."))
    components = lm.model_frame(params).round({"ms": 2})
    if measured_kafka_broker_ms(evidence.results) is not None:
        components.loc[components.component == "broker handling", "source"] = "measured (acks=all p50 - linger)"
    totals = lm.model_totals(params)
    blocks += [Markdown("## Cloud latency: a model, with its parameters"),
               Table(components.rename(columns={"system": "system", "stage": "stage", "component": "component",
                                                "ms": "ms", "source": "source"}),
                     "Modelled components; 'parameter' is an assumption you can change with the knobs"),
               Chart(charts.latency_percentiles(
                   pd.DataFrame({"system": totals.system, "metric": totals.metric, "quantile": "p50",
                                 "value_ms": totals.ms}), title="Modelled cloud latency (ms)")),
               Table(_cloud_vs_published(totals), "Modelled totals beside AWS's and others' published figures")]
    return View(tuple(blocks), verdict(evidence, knobs))


def _cloud_vs_published(totals: pd.DataFrame) -> pd.DataFrame:
    model = totals.assign(kind="modelled", source="model (parameters above)")[["system", "metric", "kind", "ms",
                                                                                 "source"]]
    published = published_reference().rename(columns={"what": "metric"})
    published = published.assign(kind="documented")[["system", "metric", "kind", "ms", "source"]]
    return pd.concat([model, published], ignore_index=True).rename(columns={"ms": "latency (ms)"})


def verdict(evidence: Evidence, knobs: Knobs) -> str:
    totals = cloud_totals(evidence, knobs)
    kafka_e2e, kinesis_e2e = totals["kafka", "end-to-end"], totals["kinesis", "end-to-end"]
    lines = ["**Verdict (latency).**"]
    row = _kafka_all(evidence.results)
    if row is not None:
        lines.append(f"Measured on the target, Kafka with acks=all delivered end to end at p50 "
                     f"{_ms(row, 'e2e_latency', 'p50'):.1f} ms and p99 {_ms(row, 'e2e_latency', 'p99'):.1f} ms.")
    if any(r.system == "kinesis" and r.target.get("emulator") for r in evidence.results):
        lines.append("The Kinesis figures come from an emulator and say nothing about AWS.")
    how = "enhanced fan-out" if knobs.efo else f"polling every {knobs.kinesis_poll_interval_ms} ms"
    lines.append(f"Modelled for the cloud: Kafka end to end about {kafka_e2e:.0f} ms, Kinesis ({how}) about "
                 f"{kinesis_e2e:.0f} ms.")
    meets = [s for s, ms in (("Kafka (self-managed or MSK)", kafka_e2e), ("Kinesis", kinesis_e2e))
             if ms <= knobs.latency_budget_ms]
    budget = f"{knobs.latency_budget_ms:.0f} ms"
    lines.append(f"Within the {budget} budget: {' and '.join(meets)}." if meets else
                 f"Neither meets the {budget} budget in the model.")
    return " ".join(lines)


def _score(ms: float, budget_ms: float) -> float:
    """10 at 1 ms or less, minus 2 per decade of latency; a system over the budget gets at most 3."""
    value = 10 - 2 * math.log10(max(ms, 1.0))
    return clamp(min(value, 3.0) if ms > budget_ms else value)


def scores(evidence: Evidence, knobs: Knobs) -> dict[str, Score]:
    """Modelled cloud end-to-end latency (10 - 2 x log10 ms, capped at 3 over budget); Kafka's broker time
    is measured when this run measured it."""
    totals = cloud_totals(evidence, knobs)
    kafka, kinesis = totals["kafka", "end-to-end"], totals["kinesis", "end-to-end"]
    measured = measured_kafka_broker_ms(evidence.results) is not None
    kafka_why = (f"modelled cloud end-to-end {kafka:.0f} ms (broker time measured here) vs budget "
                 f"{knobs.latency_budget_ms:.0f} ms" if measured else
                 f"modelled cloud end-to-end {kafka:.0f} ms vs budget {knobs.latency_budget_ms:.0f} ms")
    kinesis_why = f"modelled cloud end-to-end {kinesis:.0f} ms vs budget {knobs.latency_budget_ms:.0f} ms"
    out = {option: Score(_score(kafka, knobs.latency_budget_ms), "modelled", kafka_why) for option in OPTIONS[:2]}
    out["kinesis"] = Score(_score(kinesis, knobs.latency_budget_ms), "modelled", kinesis_why)
    return out


def headlines(evidence: Evidence, knobs: Knobs) -> dict[str, dict[str, Any]]:
    row = _kafka_all(evidence.results)
    totals = cloud_totals(evidence, knobs)
    return {
        "kafka_e2e_p99_ms": headline(_ms(row, "e2e_latency", "p99") if row else None, "ms", "measured",
                                     "Kafka acks=all end-to-end p99 (measured on the target)"),
        "kafka_publish_p99_ms": headline(_ms(row, "publish_latency", "p99") if row else None, "ms", "measured",
                                         "Kafka acks=all publish p99 (measured on the target)"),
        "kinesis_cloud_e2e_ms": headline(round(totals["kinesis", "end-to-end"], 1), "ms", "modelled",
                                         "Kinesis end-to-end in AWS (model)"),
        "kafka_cloud_e2e_ms": headline(round(totals["kafka", "end-to-end"], 1), "ms", "modelled",
                                       "Kafka end-to-end in the cloud (model)"),
        "runs": headline(len(evidence.results), "runs", "measured", "benchmark runs in this report"),
    }


def apply_scenario(knobs: Knobs, scenario: Scenario) -> Knobs:
    """The decision's scenario as this page's knobs (contract.TakesScenario)."""
    return dataclasses.replace(knobs, latency_budget_ms=scenario.latency_budget_ms,
                               kinesis_consumers=min(scenario.consumers, 5))


def must_have_failures(evidence: Evidence, knobs: Knobs, must: MustHaves) -> dict[str, list[str]]:
    """Options whose modelled cloud end-to-end latency is over the must-have (contract.AnswersMustHaves)."""
    if not must.max_e2e_ms:
        return {}
    totals = cloud_totals(evidence, knobs)
    return {option: [f"end-to-end {ms:.0f} ms (modelled) over {must.max_e2e_ms:.0f} ms"]
            for option, system in OPTION_SYSTEM.items()
            if (ms := totals[system, "end-to-end"]) > must.max_e2e_ms}
