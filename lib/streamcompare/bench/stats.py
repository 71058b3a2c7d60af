"""Latency histograms (HdrHistogram, microseconds) and their quantile summaries.

Range 1 us .. 1 hour at 3 significant digits (values are exact to 0.1%). A value below 1 us is
recorded as 0 (HdrHistogram keeps a zero bucket); a value above the range is clamped to one hour and
counted in `clamped`. Negative values cannot happen on one monotonic clock; they are clamped to 0
and counted too, so a bug shows instead of vanishing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hdrh.histogram import HdrHistogram

LOWEST_US = 1
HIGHEST_US = 3600 * 1_000_000
SIGNIFICANT_DIGITS = 3

QUANTILES: dict[str, float] = {"p50": 50.0, "p90": 90.0, "p99": 99.0, "p99.9": 99.9, "p99.99": 99.99}
"""Reported quantiles: name -> percentile. Every summary also has max, mean and count."""

SUMMARY_KEYS = (*QUANTILES, "max", "mean", "count")


class LatencyHistogram:
    """Records durations in microseconds; thread-unsafe (callers hold their own lock)."""

    def __init__(self, hist: HdrHistogram | None = None) -> None:
        self.hist = hist or HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS)
        self.clamped = 0

    def record_us(self, value_us: int) -> None:
        if value_us < 0:
            self.clamped += 1
            value_us = 0
        elif value_us > HIGHEST_US:
            self.clamped += 1
            value_us = HIGHEST_US
        self.hist.record_value(value_us)

    def record_ns(self, delta_ns: int) -> None:
        """Record a duration given in nanoseconds (truncated to whole microseconds)."""
        self.record_us(delta_ns // 1000)

    @property
    def count(self) -> int:
        return int(self.hist.get_total_count())

    def quantiles(self) -> dict[str, float | int | None]:
        """p50 .. p99.99, max, mean (microseconds) and count; values are None when nothing was recorded."""
        n = self.count
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
        return self.hist.encode().decode("ascii")

    @classmethod
    def decode(cls, encoded: str | bytes) -> LatencyHistogram:
        data = encoded.encode("ascii") if isinstance(encoded, str) else encoded
        return cls(HdrHistogram.decode(data))

    def add(self, other: LatencyHistogram) -> LatencyHistogram:
        """Merge other into self (exact: bucket counts add)."""
        if other.count:
            self.hist.add(other.hist)
        self.clamped += other.clamped
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
