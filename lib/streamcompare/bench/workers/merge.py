"""Merging the reports of several workers into one Measurement (pure: no Dask, no processes).

A worker's report (task.py) is plain data: encoded histograms, window counts keyed by the second
of its own measured period, throughput and counts. Histograms merge exactly (bucket counts add,
hdrhistogram's `add`); windows add second by second (second k of every worker's measured period);
counts and throughput add; `lost`/`duplicates` stay None only if no worker counted them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from streamcompare.bench.measurement import Measurement
from streamcompare.bench.stats import LatencyHistogram
from streamcompare.bench.tally import Windows

METRICS = {"publish_latency": "publish_latency", "publish_delay": "publish_delay", "e2e_latency": "e2e"}
SUMMED_THROUGHPUT = ("scheduled", "sent", "acked", "failed", "received")
OPTIONAL_COUNTS = ("lost", "duplicates", "unacked_received")


def merged_histogram(encoded: Sequence[str]) -> LatencyHistogram:
    """The exact sum of encoded HdrHistograms (any of them may be empty)."""
    return LatencyHistogram.merged(LatencyHistogram.decode(e) for e in encoded)


def merged_windows(parts: Sequence[Mapping[Any, Sequence[int]]]) -> Windows:
    total = Windows(0)
    for counts in parts:
        part = Windows(0)
        part.counts = {int(k): list(v) for k, v in counts.items()}
        total.merge(part)
    return total


def merge_reports(rate: int, stream: str, reports: Sequence[Mapping[str, Any]]) -> Measurement:
    """One Measurement of the whole run from the workers' reports (at least one)."""
    if not reports:
        raise ValueError("no worker report to merge")
    first = reports[0]
    hists = {attr: merged_histogram([r["histograms"][metric] for r in reports]) for metric, attr in METRICS.items()}
    for metric, attr in METRICS.items():
        hists[attr].clamped = sum(int(r["clamped"].get(metric, 0)) for r in reports)
    seconds = float(first["throughput"]["measured_s"])
    throughput: dict[str, Any] = {"target_rate": rate, "measured_s": seconds}
    for key in SUMMED_THROUGHPUT:
        values = [r["throughput"].get(key) for r in reports]
        throughput[key] = None if all(v is None for v in values) else sum(int(v or 0) for v in values)
    throughput["send_rate"] = throughput["sent"] / seconds
    throughput["ack_rate"] = throughput["acked"] / seconds
    throughput["receive_rate"] = None if throughput["received"] is None else throughput["received"] / seconds
    throughput["achieved_ratio"] = throughput["ack_rate"] / rate
    counts: dict[str, Any] = {}
    for key, value in first["counts"].items():
        values = [r["counts"].get(key) for r in reports]
        if key == "drained":
            counts[key] = all(bool(v) for v in values)
        elif key in OPTIONAL_COUNTS and all(v is None for v in values):
            counts[key] = None
        elif isinstance(value, int | float | type(None)):
            counts[key] = sum(int(v or 0) for v in values)
    notes = [f"worker {r['worker']['index']}: {n}" for r in reports for n in r["notes"]]
    streams = [s for r in reports for s in r["streams"]]
    return Measurement(rate, stream, str(first["system"]), dict(first["versions"]), hists["publish_latency"],
                       hists["publish_delay"], hists["e2e"], merged_windows([r["windows"] for r in reports]),
                       throughput, counts, notes, streams)


def shares(rate: int, workers: int) -> list[int]:
    """The total rate split over the workers as evenly as whole records/s allow (first ones get the rest)."""
    base, rest = divmod(rate, workers)
    return [base + (1 if i < rest else 0) for i in range(workers)]
