"""04_flow_control: what happens when producers send faster than the system takes.

Kinesis rejects writes over a shard's limit (1 MB/s or 1,000 records/s) and the client must retry;
Kafka delays a client over its quota and rejects nothing. The page simulates both under the user's
traffic shape (modelled from AWS's documented limits and Kafka's quota rule), and, live, measures both
under one burst shape with a hot key (probes/flow_control.py): Kinesis through the fidelity layer
(emulated: the local emulator behind the layer that enforces AWS's per-shard limits) beside the
simulation of the same shape, and a Kafka client quota on the local cluster (measured).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from streamcompare import charts
from streamcompare.bench.workload import Workload
from streamcompare.criteria.contract import Chart, Context, Markdown, Scenario, Score, Table, View, clamp, knob
from streamcompare.headlines import headline
from streamcompare.models import shard_limits as sl
from streamcompare.target import Target

NAME = "flow_control"
TITLE = "Flow control"


@dataclass(frozen=True)
class Knobs:
    mean_records_per_s: float = knob(2000.0, "mean write rate", unit="records/s", low=100, high=100_000, log=True,
                                      group="traffic")
    record_bytes: int = knob(1000, "record size", unit="bytes", low=100, high=100_000, step=100, group="traffic")
    peak_to_mean: float = knob(3.0, "burst height (peak / mean)", low=1.0, high=10.0, step=0.5, group="traffic")
    hot_key_share: float = knob(0.1, "share of traffic on one key", low=0.0, high=0.9, step=0.05, group="traffic")
    shards: int = knob(4, "Kinesis shards", low=1, high=200, group="capacity")
    producer_byte_rate_mb: float = knob(2.0, "Kafka producer quota", unit="MB/s", low=0.5, high=100.0, step=0.5,
                                        group="capacity")


KINESIS_EXPERIMENT = "flow-control-kinesis"
KAFKA_EXPERIMENT = "flow-control-kafka"


@dataclass(frozen=True)
class Evidence:
    """The live runs of the flow-control probe (empty frames when none were taken); the simulation
    on the page needs only the knobs."""

    kinesis: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    kafka: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    note: str = ""


def simulation(workload: Workload, shards: int) -> dict[str, Any]:
    """The simulation of a live run's own shape and shard count (models/shard_limits.py)."""
    frame = sl.kinesis_write_simulation(sl.traffic_from_workload(workload), shards)
    return {"shards": shards, "throttled_fraction": round(float(frame.throttled.sum() / frame.offered.sum()), 4),
            "per_second": [{"second": int(t), "offered": round(float(o)), "accepted": round(float(a))}
                           for t, o, a in zip(frame.second.tolist(), frame.offered.tolist(), frame.accepted.tolist(),
                                              strict=True)]}


def live_run(target: Target, variant: str = "quick", *, progress: Callable[[str], None] = lambda _m: None,
             kinesis: bool = True, kafka: bool = True) -> dict[str, Any]:
    """The flow-control probe at 1, 2 and the simulation's recommended shard count, each run with the
    simulation of the same shape beside it (what `streamcompare probe flow-control` prints)."""
    from streamcompare.probes import flow_control as probe

    settings = probe.FlowSettings.variant(variant)  # type: ignore[arg-type]
    reference = settings.workload(1, max_attempts=1, consumers=0)
    recommended = sl.shards_needed(sl.traffic_from_workload(reference), headroom=settings.headroom)
    counts = [1, 2] + ([int(recommended)] if math.isfinite(recommended) and recommended > 2 else [])
    result = probe.run(target, variant, shard_counts=counts, progress=progress,  # type: ignore[arg-type]
                       kinesis=kinesis, kafka=kafka)
    for run in result["kinesis"]:
        run["simulated"] = simulation(reference, int(run["shards"]))
    result["recommended_shards"] = recommended
    return result


def collect(ctx: Context) -> Evidence:
    """Live: the probe's quick variant (ctx.options["flow_variant"] = "standard" for the longer one);
    replay: that run's stored rows."""
    if ctx.live and ctx.target.local:
        from streamcompare.probes import flow_control as probe

        kinesis_ok = bool(ctx.target.kinesis and ctx.target.kinesis.limits)
        kafka_ok = bool(ctx.target.kafka and ctx.target.kafka.bootstrap)
        if not (kinesis_ok or kafka_ok):
            return Evidence(note="Live, but the stack has neither the Kinesis fidelity layer nor Kafka: "
                                 "simulated only.")
        result = live_run(ctx.target, str(ctx.options.get("flow_variant", "quick")), kinesis=kinesis_ok,
                          kafka=kafka_ok)
        rows = probe.rows(result)
        settings = {**result["settings"], "recommended_shards": result["recommended_shards"],
                    "wall_s": result["wall_s"]}
        kinesis_rows = [r for r in rows if r["system"].startswith("Kinesis")]
        kafka_rows = [r for r in rows if r["system"].startswith("Kafka")]
        if kinesis_rows:
            limits = result["kinesis"][0]["kinesis_limits"]
            ctx.store.write_rows(ctx.run_id, KINESIS_EXPERIMENT, kinesis_rows, evidence="emulated",
                                 settings={**settings, "kinesis_limits": limits}, target=ctx.target)
        if kafka_rows:
            ctx.store.write_rows(ctx.run_id, KAFKA_EXPERIMENT, kafka_rows, evidence="measured", settings=settings,
                                 target=ctx.target)
        note = "" if kinesis_ok else "The stack runs without the Kinesis fidelity layer: Kinesis not measured."
    else:
        kinesis_rows = ctx.store.rows(ctx.run_id, KINESIS_EXPERIMENT)
        kafka_rows = ctx.store.rows(ctx.run_id, KAFKA_EXPERIMENT)
        note = "" if kinesis_rows or kafka_rows else "No live flow-control runs stored for this run: simulated only."
    return Evidence(pd.DataFrame(kinesis_rows), pd.DataFrame(kafka_rows), note)


def traffic(knobs: Knobs) -> sl.TrafficShape:
    return sl.TrafficShape(mean_records_per_s=knobs.mean_records_per_s, record_bytes=int(knobs.record_bytes),
                           peak_to_mean=knobs.peak_to_mean, hot_key_share=knobs.hot_key_share, duration_s=120,
                           burst_every_s=30, burst_length_s=5)


def figures(knobs: Knobs) -> dict[str, float]:
    shape = traffic(knobs)
    return sl.summary(shape, knobs.shards, knobs.producer_byte_rate_mb * 1e6) | sl.kinesis_read_model(
        shape, knobs.shards, consumers=2, efo=False)


def kinesis_frame(knobs: Knobs) -> pd.DataFrame:
    sim = sl.kinesis_write_simulation(traffic(knobs), knobs.shards)
    return pd.concat([pd.DataFrame({"t_s": sim.second, "system": "kinesis", "series": series, "value": sim[series]})
                      for series in ("offered", "accepted", "throttled")], ignore_index=True)


def kafka_frame(knobs: Knobs) -> pd.DataFrame:
    sim = sl.kafka_quota_simulation(traffic(knobs), knobs.producer_byte_rate_mb * 1e6)
    return pd.DataFrame({"t_s": sim.second, "system": "kafka", "series": "throttle delay", "value": sim.throttle_ms})


def figures_table(values: dict[str, float]) -> pd.DataFrame:
    labels = {"kinesis_throttled_fraction": ("Kinesis writes throttled", "%", 100),
              "kinesis_shards_needed": ("Kinesis shards for no throttling", "shards", 1),
              "kafka_rejected_fraction": ("Kafka writes rejected", "%", 100),
              "kafka_max_throttle_ms": ("Kafka longest throttle delay", "ms", 1),
              "kafka_throttled_seconds": ("Kafka seconds with a throttle", "s", 1),
              "read_utilisation": ("Kinesis read utilisation (2 shared consumers)", "%", 100),
              "mean_polling_wait_ms": ("Kinesis mean polling wait", "ms", 1)}
    rows = [{"figure": label, "value": (round(values[key] * scale, 2) if math.isfinite(values[key])
                                        else "impossible: one key exceeds a shard"), "unit": unit}
            for key, (label, unit, scale) in labels.items() if key in values]
    return pd.DataFrame(rows)


def measured_kinesis_table(evidence: Evidence) -> pd.DataFrame:
    frame = evidence.kinesis
    if frame.empty:
        return frame
    return pd.DataFrame({
        "shards": frame.shards, "retries": ["on" if r else "off" for r in frame.retries],
        "offered (records)": frame.offered, "accepted (records)": frame.accepted,
        "throttled, measured (%)": (frame.throttled_fraction_measured * 100).round(1),
        "throttled, simulated (%)": (frame.throttled_fraction_simulated * 100).round(1),
        "retried entries": frame.retried_entries,
        "lost (records)": [("-" if v is None or v != v else int(v)) for v in frame.lost],
        "publish p99 (ms)": frame.publish_p99_ms.round(1), **_headroom_columns(frame)})


def _headroom_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """The emulator's own pace next to the limit (absent from files written before it was recorded)."""
    if "emulator_records_per_s" not in frame:
        return {}
    return {"emulator PutRecords p50 (ms)": pd.to_numeric(frame.emulator_put_p50_ms).round(1),
            "emulator records/s (limit)": [f"{r:,.0f} ({lim:,.0f})" if r == r and r is not None else "n/a"
                                          for r, lim in zip(frame.emulator_records_per_s, frame.limit_records_per_s,
                                                            strict=True)],
            "paced by": ["the emulator" if b else "the layer" for b in frame.backend_bound]}


def backend_warning(frame: pd.DataFrame) -> str:
    """The flag for a run whose pace the emulator, not the layer, set; empty when none did."""
    if "backend_bound" not in frame or not frame.backend_bound.astype(bool).any():
        return ""
    warnings = sorted({str(w) for w, b in zip(frame.backend_warning, frame.backend_bound, strict=True) if b})
    return (" **Warning: in some runs the emulator, not the layer, set the pace** (" + "; ".join(warnings)
            + "): their throttled shares understate what AWS's limits would do.")


def measured_kafka_table(evidence: Evidence) -> pd.DataFrame:
    frame = evidence.kafka
    if frame.empty:
        return frame
    return pd.DataFrame({
        "quota (kB/s)": (frame.quota_bytes_per_s / 1000).round(1),
        "offered (kB/s)": (frame.offered_bytes_per_s / 1000).round(1),
        "achieved (kB/s)": (frame.achieved_bytes_per_s / 1000).round(1),
        "throttle p50 (ms)": frame.throttle_p50_ms, "throttle p99 (ms)": frame.throttle_p99_ms,
        "failed": frame.failed, "lost": frame.lost, "publish p99 (ms)": frame.publish_p99_ms.round(1)})


def measured_note(evidence: Evidence) -> str:
    """How close the simulation came, in one paragraph (empty without live runs)."""
    frame = evidence.kinesis
    if frame.empty:
        return evidence.note
    off = frame[~frame.retries.astype(bool)]
    gaps = (off.throttled_fraction_measured - off.throttled_fraction_simulated).abs() * 100
    largest = off.shards.max()
    at_largest = off[off.shards == largest].throttled_fraction_measured.iloc[0] if not off.empty else float("nan")
    retried = frame[frame.retries.astype(bool)]
    lost = "" if retried.empty else (f" With retries on, {int(retried.retried_entries.iloc[0]):,} entries were "
                                     f"retried and {retried.lost.iloc[0]} record(s) were lost.")
    return (f"Live, under one burst shape with a hot key: the simulation's throttled share was within "
            f"{gaps.max():.1f} percentage points of the emulated measurement at every shard count; at "
            f"{largest} shard(s) (the simulation's recommendation) {at_largest:.1%} of writes were throttled.{lost} "
            "Kinesis figures are emulated (a local emulator behind the fidelity layer, never AWS's own); Kafka's "
            "are measured on the local cluster." + backend_warning(frame))


def view(evidence: Evidence, knobs: Knobs) -> View:
    values = figures(knobs)
    measured: tuple[Markdown | Table, ...] = ()
    if not evidence.kinesis.empty or not evidence.kafka.empty:
        measured = (Markdown("## Measured under one burst shape with a hot key\n\n" + measured_note(evidence)),)
        if not evidence.kinesis.empty:
            measured += (Table(measured_kinesis_table(evidence),
                               "Kinesis, emulated (an emulator with AWS's per-shard limits), beside the simulation"),)
        if not evidence.kafka.empty:
            measured += (Table(measured_kafka_table(evidence), "Kafka client quota, measured on the local cluster"),)
    elif evidence.note:
        measured = (Markdown(evidence.note),)
    blocks = (*measured, Markdown("## Simulated under this traffic (modelled from documented limits)"),
              Chart(charts.throttle_sim(kinesis_frame(knobs), title=f"Kinesis with {knobs.shards} shard(s)",
                                        y_title="records/s")),
              Chart(charts.throttle_sim(kafka_frame(knobs), title="Kafka: throttle delay over the quota",
                                        y_title="throttle delay (ms)")),
              Table(figures_table(values), "Modelled figures for the knobs above"))
    return View(blocks, verdict(values, knobs))


def verdict(values: dict[str, float], knobs: Knobs) -> str:
    needed = values["kinesis_shards_needed"]
    need = ("no shard count helps: one key alone exceeds a shard's limit" if not math.isfinite(needed)
            else f"it needs {needed:g} shard(s) to throttle nothing")
    return (f"**Verdict (flow control).** With {knobs.shards} shard(s), Kinesis rejects "
            f"{values['kinesis_throttled_fraction']:.1%} of writes under this traffic (they must be retried, which "
            f"can reorder and duplicate); {need}. Kafka rejects nothing and delays producers by up to "
            f"{values['kafka_max_throttle_ms']:.0f} ms instead.")


def scores(evidence: Evidence, knobs: Knobs) -> dict[str, Score]:
    """Kafka delays instead of rejecting (8); Kinesis 8 minus 10 x the throttled fraction (at least 3), and 3
    when one hot key alone exceeds a shard (no shard count helps)."""
    values = figures(knobs)
    throttled = values["kinesis_throttled_fraction"]
    if not math.isfinite(values["kinesis_shards_needed"]):
        kinesis = Score(3.0, "modelled", "one key alone exceeds a shard's write limit: no shard count helps")
    else:
        kinesis = Score(clamp(8.0 - 10 * throttled, 3.0), "modelled",
                        f"simulated: {throttled:.1%} of writes throttled with {knobs.shards} shard(s)")
    kafka = Score(8.0, "modelled", "quota delays producers, rejects nothing (simulated)")
    if not evidence.kafka.empty:
        row = evidence.kafka.iloc[0]
        if int(row.failed) == 0 and not row.lost:
            kafka = Score(8.0, "measured", f"over its quota the client was delayed (throttle p99 "
                                           f"{row.throttle_p99_ms} ms), nothing rejected or lost (local cluster)")
        else:
            kafka = Score(5.0, "measured", f"over its quota {int(row.failed)} record(s) failed, {row.lost} lost")
    return {"kafka-self-managed": kafka, "msk": kafka, "kinesis": kinesis}


def headlines(evidence: Evidence, knobs: Knobs) -> dict[str, dict[str, Any]]:
    values = figures(knobs)
    return {"kinesis_throttled_fraction": headline(round(values["kinesis_throttled_fraction"], 4), "fraction",
                                                   "modelled", "Kinesis writes throttled (simulated)"),
            "kinesis_shards_needed": headline(values["kinesis_shards_needed"], "shards", "modelled",
                                              "shards for no throttling")}


def apply_scenario(knobs: Knobs, scenario: Scenario) -> Knobs:
    """The decision's scenario as this page's knobs, within their ranges (contract.TakesScenario)."""
    mean = scenario.mean_records_per_s
    shards = min(200, max(1, -(-int(scenario.write_mb_per_s * 1e6) // 1_000_000), -(-int(mean) // 1000)))
    return dataclasses.replace(knobs, mean_records_per_s=min(max(mean, 100.0), 100_000.0),
                               record_bytes=min(max(scenario.record_bytes, 100), 100_000), shards=shards)
