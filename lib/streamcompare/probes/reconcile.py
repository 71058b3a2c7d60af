"""Pure arithmetic of a fault experiment: reconcile a verification read against the acknowledgement log.

Kafka's replication tests end with "validate that every acked message was consumed"; this module
does that and more, on plain arrays (no clock, no client):
- `reconcile`: acknowledged records lost, duplicates, records out of order per key, failed records
  that were written anyway, unacknowledged records found;
- `longest_gaps`: the longest stretch without an acknowledgement per partition (unavailability);
- `timeline`: acknowledgements (and failures) per 100 ms bin;
- `phase_latency`: publish latency p50/p99/max before, during and after a fault.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

BIN_NS = 100_000_000


@dataclass(frozen=True)
class ReadRecord:
    """One record the verification read found: where it sits and which (producer, sequence) it is."""

    partition: int
    offset: int
    key: bytes
    record_id: int


@dataclass(frozen=True)
class Reconciliation:
    found: int
    distinct_found: int
    lost: int
    duplicates: int
    reordered: int
    failed_but_written: int
    unacked_written: int
    lost_ids: tuple[int, ...]
    partition_of: Mapping[int, int]

    def as_row(self) -> dict[str, int]:
        return {"found": self.found, "distinct_found": self.distinct_found, "lost": self.lost,
                "duplicates": self.duplicates, "reordered": self.reordered,
                "failed_but_written": self.failed_but_written, "unacked_written": self.unacked_written}


def reconcile(acked_ids: Iterable[int], failed_ids: Iterable[int], read: Sequence[ReadRecord]) -> Reconciliation:
    """Compare what the client acknowledged (and failed) with what the log holds.

    lost: acknowledged, never found. duplicates: found more than once (each extra copy counts).
    reordered: within one partition, in offset order, a record whose id is lower than one already
    seen for the same key (ids grow with the send order of one producer). failed_but_written: the
    client reported a failure but the record is in the log. unacked_written: found, neither
    acknowledged nor failed (acks=0 has no real acknowledgement; a record in flight at a timeout).
    """
    acked = set(int(i) for i in acked_ids)
    failed = set(int(i) for i in failed_ids)
    seen: dict[int, int] = {}
    duplicates = reordered = 0
    last_by_key: dict[tuple[int, bytes], int] = {}
    for rec in sorted(read, key=lambda r: (r.partition, r.offset)):
        if rec.record_id in seen:
            duplicates += 1
            continue
        seen[rec.record_id] = rec.partition
        slot = (rec.partition, rec.key)
        highest = last_by_key.get(slot)
        if highest is not None and rec.record_id < highest:
            reordered += 1
        else:
            last_by_key[slot] = rec.record_id
    found_ids = set(seen)
    lost_ids = tuple(sorted(acked - found_ids))
    return Reconciliation(
        found=len(read), distinct_found=len(found_ids), lost=len(lost_ids), duplicates=duplicates,
        reordered=reordered, failed_but_written=len(failed & found_ids),
        unacked_written=len(found_ids - acked - failed), lost_ids=lost_ids, partition_of=seen)


def longest_gaps(ack_ns: np.ndarray, partitions: np.ndarray, start_ns: int, end_ns: int) -> dict[int, float]:
    """Per partition, the longest time (s) without an acknowledgement between start_ns and end_ns.

    The gaps counted: start -> first ack, between consecutive acks, last ack -> end (when the
    sender was still sending then). A partition with no ack at all has one gap: the whole span.
    """
    out: dict[int, float] = {}
    for p in sorted(set(int(x) for x in partitions.tolist())):
        times = np.sort(ack_ns[partitions == p])
        times = times[(times >= start_ns) & (times <= end_ns)]
        edges = np.concatenate([[start_ns], times, [end_ns]]).astype(np.int64)
        out[p] = float(np.diff(edges).max()) / 1e9 if len(edges) > 1 else (end_ns - start_ns) / 1e9
    return out


def timeline(event_ns: np.ndarray, origin_ns: int, end_ns: int, bin_ns: int = BIN_NS) -> list[int]:
    """Events per bin from origin_ns to end_ns (events outside are dropped)."""
    bins = max(1, int(np.ceil((end_ns - origin_ns) / bin_ns)))
    if len(event_ns) == 0:
        return [0] * bins
    k = (np.asarray(event_ns, dtype=np.int64) - origin_ns) // bin_ns
    k = k[(k >= 0) & (k < bins)]
    return np.bincount(k, minlength=bins).astype(int).tolist()


def _quantiles_ms(latency_ns: np.ndarray) -> dict[str, float | int | None]:
    if len(latency_ns) == 0:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    ms = latency_ns / 1e6
    return {"n": int(len(ms)), "p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p99_ms": round(float(np.percentile(ms, 99)), 2), "max_ms": round(float(ms.max()), 2)}


def phase_latency(intended_ns: np.ndarray, ack_ns: np.ndarray, measure_start_ns: int, fault_ns: int,
                  recovered_ns: int, end_ns: int) -> dict[str, dict[str, float | int | None]]:
    """Publish latency (ack - intended) by when the record was meant to be sent: before the fault,
    during it (fault to recovery), after recovery."""
    latency = ack_ns - intended_ns
    phases = {"before": (measure_start_ns, fault_ns), "during": (fault_ns, recovered_ns),
              "after": (recovered_ns, end_ns)}
    return {name: _quantiles_ms(latency[(intended_ns >= lo) & (intended_ns < hi)])
            for name, (lo, hi) in phases.items()}


def spread(values: Sequence[float | int | None]) -> dict[str, Any]:
    """Median, min and max of the repeats of one cell (None where a run had no value)."""
    real = [float(v) for v in values if v is not None]
    if not real:
        return {"median": None, "min": None, "max": None, "runs": len(values)}
    return {"median": float(np.median(real)), "min": min(real), "max": max(real), "runs": len(values)}
