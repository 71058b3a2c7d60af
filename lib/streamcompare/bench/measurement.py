"""Merging what producers and consumers reported into one measurement of one run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from streamcompare.bench.producer import ProducerOutcome
from streamcompare.bench.stats import LatencyHistogram
from streamcompare.bench.tally import SeqSet, Windows
from streamcompare.bench.workload import Workload


@dataclass
class Measurement:
    """Merged outcome of one run at one target rate, before it becomes a RunResult."""

    rate: int
    stream: str
    system: str
    versions: dict[str, str]
    publish_latency: LatencyHistogram
    publish_delay: LatencyHistogram
    e2e: LatencyHistogram
    windows: Windows
    throughput: dict[str, Any]
    counts: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    streams: list[str] = field(default_factory=list)
    """Every topic or stream the run used (`stream` is their base name)."""


def merge(rate: int, stream: str, system: str, versions: dict[str, str], workload: Workload,
          measure_start: int, producers: list[ProducerOutcome], consumers: list[dict[str, Any]],
          drained: bool) -> Measurement:
    """Histograms merged exactly, windows summed, lost and duplicates from the sequence bitmaps."""
    latency = LatencyHistogram.merged(o.publish_latency for o in producers)
    delay = LatencyHistogram.merged(o.publish_delay for o in producers)
    e2e = LatencyHistogram()
    windows = Windows(measure_start)
    for o in producers:
        windows.merge(o.windows)
    for c in consumers:
        e2e.add(LatencyHistogram.decode(c["e2e"]))
        e2e.clamped += c["e2e_clamped"]
        part = Windows(measure_start)
        part.counts = {int(k): list(v) for k, v in c["windows"].items()}
        windows.merge(part)

    def total(key: str) -> int:
        return sum(o.totals[key] for o in producers)

    def counter(key: str) -> int:
        return sum(o.counters_measured.get(key, 0) for o in producers) + \
            sum(int(c["counters"].get(key, 0)) for c in consumers)

    lost = duplicates = unacked_received = None
    if consumers:
        lost = unacked_received = 0
        duplicates = sum(c["duplicates"] for c in consumers)
        for o in producers:
            received = SeqSet.union_all(SeqSet(c["seqs"].get(o.index, b"")) for c in consumers)
            lost += o.acked_seqs.missing_from(received)
            unacked_received += received.missing_from(o.acked_seqs)
        union_size = sum(len(SeqSet.union_all(SeqSet(c["seqs"].get(p, b"")) for c in consumers))
                         for p in {p for c in consumers for p in c["seqs"]})
        duplicates += sum(c["unique"] for c in consumers) - union_size
    seconds = workload.duration_s
    received_measured = sum(c["measured_received"] for c in consumers)
    throughput = {
        "target_rate": rate, "measured_s": seconds,
        "scheduled": total("measured_scheduled"), "sent": total("measured_sent"),
        "acked": total("measured_acked"), "failed": total("measured_failed"),
        "received": received_measured if consumers else None,
        "send_rate": total("measured_sent") / seconds, "ack_rate": total("measured_acked") / seconds,
        "receive_rate": received_measured / seconds if consumers else None,
        "achieved_ratio": total("measured_acked") / seconds / rate,
    }
    counts = {
        "sent": total("sent"), "acked": total("acked"), "failed": total("failed"),
        "unsent": total("unsent"), "pending_after_flush": total("pending_after_flush"),
        "errors": counter("errors"), "throttles": counter("throttles"), "retries": counter("retries"),
        "requests": counter("requests"), "lost": lost, "duplicates": duplicates,
        "unacked_received": unacked_received, "foreign": sum(c["foreign"] for c in consumers),
        "drained": drained, "clamped": latency.clamped + delay.clamped + e2e.clamped,
    }
    notes = [f"producer {o.index} error: {e}" for o in producers for e in o.error_samples]
    return Measurement(rate, stream, system, versions, latency, delay, e2e, windows, throughput, counts,
                       notes)
