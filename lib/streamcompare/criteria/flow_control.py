"""04_flow_control: what happens when producers send faster than the system takes.

Kinesis rejects writes over a shard's limit (1 MB/s or 1,000 records/s) and the client must retry;
Kafka delays a client over its quota and rejects nothing. The page simulates both under the user's
traffic shape (modelled from AWS's documented limits and Kafka's quota rule).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from streamcompare import charts
from streamcompare.criteria.contract import Chart, Context, Markdown, Score, Table, View, clamp, knob
from streamcompare.headlines import headline
from streamcompare.models import shard_limits as sl

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


@dataclass(frozen=True)
class Evidence:
    """Nothing is measured yet on this page: the simulation needs only the knobs."""

    note: str = ""


def collect(ctx: Context) -> Evidence:
    return Evidence()


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


def view(evidence: Evidence, knobs: Knobs) -> View:
    values = figures(knobs)
    blocks = (Markdown("## Simulated under this traffic (modelled from documented limits)"),
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
    return {"kafka-self-managed": kafka, "msk": kafka, "kinesis": kinesis}


def headlines(evidence: Evidence, knobs: Knobs) -> dict[str, dict[str, Any]]:
    values = figures(knobs)
    return {"kinesis_throttled_fraction": headline(round(values["kinesis_throttled_fraction"], 4), "fraction",
                                                   "modelled", "Kinesis writes throttled (simulated)"),
            "kinesis_shards_needed": headline(values["kinesis_shards_needed"], "shards", "modelled",
                                              "shards for no throttling")}
