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
"""Records per fold: 65,536 records are 2.5 MiB of arrays; a fold takes about 3-5 ms on the dev machine."""


def _int64(values: array) -> np.ndarray:
    return np.frombuffer(values, dtype=np.int64) if len(values) else np.empty(0, dtype=np.int64)


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
        i, a = _int64(intended), _int64(actual)
        measured = i >= self.measure_start_ns
        self.measured += int(measured.sum())
        self.delay.record_many_ns(a[measured] - i[measured])
        self.windows.add_many(SENT, a[measured])


class AckLog:
    """Intended times, ack times and record ids of acknowledged records.

    Folds into publish latency (ack - intended), acked windows and the set of acknowledged sequence
    numbers. Not thread-safe: the owner holds a lock when acks come from several threads.
    """

    def __init__(self, measure_start_ns: int) -> None:
        self.measure_start_ns = measure_start_ns
        self.latency = LatencyHistogram()
        self.windows = Windows(measure_start_ns)
        self.seqs = SeqSet()
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
        i, a = _int64(intended), _int64(ack)
        seqs = (np.frombuffer(ident, dtype=np.uint64) & np.uint64(SEQ_MASK)).astype(np.int64) if len(ident) \
            else np.empty(0, dtype=np.int64)
        measured = i >= self.measure_start_ns
        self.folded += len(i)
        self.measured += int(measured.sum())
        self.latency.record_many_ns(a[measured] - i[measured])
        self.windows.add_many(ACKED, a[measured])
        self.seqs.add_many(seqs)
