"""Per-record times kept in flat arrays on the hot path, folded into histograms and windows in bulk.

Timing each record with Python objects (a histogram call, a window count and a bitmap update per
record) costs a few microseconds; at 200,000 records/s that is the whole budget of one core. So the
send loop and the acknowledgement callback only append int64s to arrays (tens of nanoseconds), and
every CHUNK records, and at the end, the arrays are folded with numpy into the same HdrHistograms,
per-second windows and sequence bitmaps that recording record by record gives (tests check that).
A fold takes a few milliseconds: it shows up in publish delay like any other pause of the sender.
"""

from __future__ import annotations

from array import array

import numpy as np

from streamcompare.bench.payload import SEQ_MASK
from streamcompare.bench.stats import LatencyHistogram
from streamcompare.bench.tally import ACKED, SENT, SeqSet, Windows

CHUNK = 1 << 16
"""Records per fold: 65,536 records are 2.5 MiB of arrays; a fold took 2-6 ms on the dev machine."""


def _view(values: array, dtype: type[np.integer]) -> np.ndarray:
    return np.frombuffer(values, dtype=dtype) if len(values) else np.empty(0, dtype=dtype)


def _fold_timed(intended: np.ndarray, event: np.ndarray, measure_start_ns: int, histogram: LatencyHistogram,
                windows: Windows, field: int) -> int:
    """Record event - intended and count the events in windows, for measured records; returns how many."""
    measured = intended >= measure_start_ns
    histogram.record_many_ns(event[measured] - intended[measured])
    windows.add_many(field, event[measured])
    return int(measured.sum())


class SendLog:
    """Intended and actual send times; folds into publish delay (actual - intended) and sent windows."""

    def __init__(self, measure_start_ns: int) -> None:
        self.measure_start_ns = measure_start_ns
        self.delay = LatencyHistogram()
        self.windows = Windows(measure_start_ns)
        self.measured = 0
        self.intended = array("q")
        self.actual = array("q")

    def fold(self) -> None:
        """Fold the arrays and start new ones (callers must re-bind any cached `append`)."""
        intended, actual = self.intended, self.actual
        self.intended, self.actual = array("q"), array("q")
        self.measured += _fold_timed(_view(intended, np.int64), _view(actual, np.int64), self.measure_start_ns,
                                     self.delay, self.windows, SENT)


class AckLog:
    """Intended times, ack times and record ids of acknowledged records.

    Folds into publish latency (ack - intended), acked windows and the set of acknowledged sequence
    numbers. Not thread-safe: the owner holds a lock when acks come from several threads.
    """

    def __init__(self, measure_start_ns: int, keep: bool = False) -> None:
        self.measure_start_ns = measure_start_ns
        self.latency = LatencyHistogram()
        self.windows = Windows(measure_start_ns)
        self.seqs = SeqSet()
        self.kept: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = [] if keep else None
        """keep=True: every folded chunk (intended, ack, record id) stays, for a reconciliation later."""
        self.folded = 0
        self.measured = 0
        self.intended = array("q")
        self.ack = array("q")
        self.ident = array("Q")

    def __len__(self) -> int:
        """Acknowledged records so far, folded or not."""
        return self.folded + len(self.ident)

    def fold(self) -> None:
        """Fold the arrays and start new ones (callers must re-bind any cached `append`)."""
        intended, ack, ident = self.intended, self.ack, self.ident
        self.intended, self.ack, self.ident = array("q"), array("q"), array("Q")
        self.folded += len(intended)
        if self.kept is not None and len(intended):
            self.kept.append((_view(intended, np.int64), _view(ack, np.int64), _view(ident, np.uint64)))
        self.measured += _fold_timed(_view(intended, np.int64), _view(ack, np.int64), self.measure_start_ns,
                                     self.latency, self.windows, ACKED)
        self.seqs.add_many((_view(ident, np.uint64) & np.uint64(SEQ_MASK)).astype(np.int64))

    def records(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(intended ns, ack ns, record id) of every folded record, in ack order (needs keep=True)."""
        if not self.kept:
            return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.uint64)
        return (np.concatenate([k[0] for k in self.kept]), np.concatenate([k[1] for k in self.kept]),
                np.concatenate([k[2] for k in self.kept]))
