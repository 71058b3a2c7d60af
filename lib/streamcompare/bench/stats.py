"""Latency histograms (HdrHistogram, microseconds) and their quantile summaries.

Range 1 us .. 1 hour at 3 significant digits (values are exact to 0.1%). A value below 1 us is
recorded as 0 (HdrHistogram keeps a zero bucket); a value above the range is clamped to one hour and
counted in `clamped`. Negative values cannot happen on one monotonic clock; they are clamped to 0
and counted too, so a bug shows instead of vanishing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from hdrh.histogram import HdrHistogram

LOWEST_US = 1
HIGHEST_US = 3600 * 1_000_000
SIGNIFICANT_DIGITS = 3

QUANTILES: dict[str, float] = {"p50": 50.0, "p90": 90.0, "p99": 99.0, "p99.9": 99.9, "p99.99": 99.99}
"""Reported quantiles: name -> percentile. Every summary also has max, mean and count."""

SUMMARY_KEYS = (*QUANTILES, "max", "mean", "count")


class LatencyHistogram:
    """Records durations in microseconds; thread-unsafe (callers hold their own lock).

    Recording is on the path of every record sent, acknowledged and received, and HdrHistogram_py's
    record_value is pure Python (about 1.4 us a call). So a value is first rounded down to the lowest
    value of its HdrHistogram sub-bucket (which changes no count, quantile, min, max or mean: the
    histogram reports by sub-bucket) and counted in a dict (about 0.3 us); the counts are settled
    into the HdrHistogram in bulk (record_value(v, n)) before anything reads it. The dict holds at
    most a few ten thousand keys (sub-buckets up to one hour), PENDING_LIMIT bounds it in any case.
    """

    PENDING_LIMIT = 65_536

    def __init__(self, hist: HdrHistogram | None = None) -> None:
        self.hist = hist or HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS)
        self._clamped = 0
        self._pending: dict[int, int] = {}
        # sub-bucket of v: v >> shift with shift = bit_length(v | mask) - bits (HdrHistogram's own rule)
        self._mask = self.hist.sub_bucket_mask
        self._bits = self.hist.unit_magnitude + self.hist.sub_bucket_half_count_magnitude + 1

    def record_us(self, value_us: int) -> None:
        if 0 <= value_us <= HIGHEST_US:  # out-of-range values stay as they are: _settle clamps and counts them
            shift = (value_us | self._mask).bit_length() - self._bits
            if shift > 0:
                value_us = value_us >> shift << shift
        pending = self._pending
        n = pending.get(value_us)
        if n is None:
            if len(pending) >= self.PENDING_LIMIT:
                self._settle()
                pending = self._pending
            pending[value_us] = 1
        else:
            pending[value_us] = n + 1

    def record_ns(self, delta_ns: int) -> None:
        """Record a duration given in nanoseconds (truncated to whole microseconds)."""
        self.record_us(delta_ns // 1000)

    def record_many_ns(self, deltas_ns: np.ndarray) -> None:
        """Record many durations (nanoseconds, int64) at once: the vectorised twin of record_ns.

        Same result as recording them one by one (tests compare the encodings): each value's
        HdrHistogram counts index is computed with HdrHistogram's own formula and the counts are
        added to its counts array in one go (no Python call per value).
        """
        if len(deltas_ns) == 0:
            return
        us = deltas_ns // 1000
        out_of_range = (us < 0) | (us > HIGHEST_US)
        if out_of_range.any():
            self._clamped += int(out_of_range.sum())
            us = np.clip(us, 0, HIGHEST_US)
        hist = self.hist
        bit_length = np.frexp((us | self._mask).astype(np.float64))[1].astype(np.int64)  # exact below 2**53
        bucket = bit_length - self._bits
        shift = bucket + hist.unit_magnitude
        sub_bucket = us >> shift
        index = ((bucket + 1) << hist.sub_bucket_half_count_magnitude) + sub_bucket - hist.sub_bucket_half_count
        counts = np.ctypeslib.as_array(hist.counts)
        counts += np.bincount(index, minlength=hist.counts_len).astype(counts.dtype)
        rounded = sub_bucket << shift  # the lowest value of each one's sub-bucket, as record_us keeps
        hist.total_count += len(us)
        hist.min_value = min(hist.min_value, int(rounded.min()))
        hist.max_value = max(hist.max_value, int(rounded.max()))

    def _settle(self) -> None:
        """Move the pending counts into the HdrHistogram (clamping out-of-range values)."""
        pending, self._pending = self._pending, {}
        for value_us, n in pending.items():
            if value_us < 0:
                self._clamped += n
                value_us = 0
            elif value_us > HIGHEST_US:
                self._clamped += n
                value_us = HIGHEST_US
            self.hist.record_value(value_us, n)

    @property
    def clamped(self) -> int:
        """Values below 0 or above one hour, recorded as 0 or one hour."""
        self._settle()
        return self._clamped

    @clamped.setter
    def clamped(self, value: int) -> None:
        self._settle()
        self._clamped = value

    @property
    def count(self) -> int:
        self._settle()
        return int(self.hist.get_total_count())

    def quantiles(self) -> dict[str, float | int | None]:
        """p50 .. p99.99, max, mean (microseconds) and count; values are None when nothing was recorded."""
        n = self.count  # settles pending values
        if n == 0:
            out: dict[str, float | int | None] = dict.fromkeys(SUMMARY_KEYS)
            out["count"] = 0
            return out
        out = {name: int(self.hist.get_value_at_percentile(p)) for name, p in QUANTILES.items()}
        out["max"] = int(self.hist.get_max_value())
        out["mean"] = round(float(self.hist.get_mean_value()), 3)
        out["count"] = n
        return out

    def encode(self) -> str:
        """HdrHistogram's compressed, base64 encoding (portable to the Java/C/Go implementations)."""
        self._settle()
        return self.hist.encode().decode("ascii")

    @classmethod
    def decode(cls, encoded: str | bytes) -> LatencyHistogram:
        data = encoded.encode("ascii") if isinstance(encoded, str) else encoded
        return cls(HdrHistogram.decode(data))

    def add(self, other: LatencyHistogram) -> LatencyHistogram:
        """Merge other into self (exact: bucket counts add)."""
        self._settle()
        if other.count:  # settles other's pending values too
            self.hist.add(other.hist)
        self._clamped += other.clamped
        return self

    @classmethod
    def merged(cls, parts: Iterable[LatencyHistogram]) -> LatencyHistogram:
        total = cls()
        for part in parts:
            total.add(part)
        return total


def quantiles_from_encoded(encoded: str) -> dict[str, Any]:
    """Quantile summary of an encoded histogram (e.g. from a result file)."""
    return LatencyHistogram.decode(encoded).quantiles()
