"""Open-loop rate schedule: when each record is meant to be sent, whatever happened to earlier sends.

The intended send time of record i is fixed in advance, `start + i * 1e9 / rate`; a stalled send does
not push later records back (a closed loop would, and would hide the stall: coordinated omission).
With several producers the total rate is interleaved: producer j of P sends the records
k = i * P + j of the common schedule. Poisson arrivals draw exponential gaps from a seeded generator
(still decided in advance, still open loop).

A `Bursts` shape makes the rate periodic: for the first `length_s` of every `period_s` the rate is
`peak_to_mean` times the rate outside bursts, scaled so the mean over a period is still `rate`. The
intended time of the k-th record is the inverse of the cumulative count N(t), so bursts stay open
loop too (Poisson arrivals with bursts: unit-rate exponential gaps mapped through the same inverse).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

Arrivals = Literal["uniform", "poisson"]


@dataclass(frozen=True)
class Bursts:
    """Periodic bursts: `peak_to_mean` x the base rate for the first `length_s` of every `period_s`."""

    peak_to_mean: float
    period_s: float
    length_s: float

    def __post_init__(self) -> None:
        if self.peak_to_mean < 1 or self.period_s <= 0 or not 0 < self.length_s <= self.period_s:
            raise ValueError("bursts need peak_to_mean >= 1 and 0 < length_s <= period_s")

    def rates(self, mean: float) -> tuple[float, float]:
        """(rate inside a burst, rate outside) for a mean rate."""
        base = mean * self.period_s / (self.peak_to_mean * self.length_s + self.period_s - self.length_s)
        return self.peak_to_mean * base, base

    def time_of(self, count: float, mean: float) -> float:
        """Seconds from the start until `count` records are due (the inverse of the cumulative count)."""
        high, low = self.rates(mean)
        per_period = mean * self.period_s
        period = math.floor(count / per_period)
        rest = count - period * per_period
        in_burst = high * self.length_s
        if rest < in_burst:
            return period * self.period_s + rest / high
        return period * self.period_s + self.length_s + (rest - in_burst) / low


class RateSchedule:
    """Intended send times (monotonic ns) of one producer's records."""

    def __init__(self, start_ns: int, rate: float, *, producers: int = 1, index: int = 0,
                 arrivals: Arrivals = "uniform", seed: int | None = None, bursts: Bursts | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if not 0 <= index < producers:
            raise ValueError("index must be in [0, producers)")
        self.start_ns = start_ns
        self.rate = rate
        self.producers = producers
        self.index = index
        self.arrivals = arrivals
        self.seed = seed
        self.bursts = bursts

    def intended_ns(self, i: int) -> int:
        """Intended send time of this producer's i-th record (uniform arrivals only)."""
        if self.arrivals != "uniform":
            raise ValueError("intended_ns(i) is defined for uniform arrivals; iterate a Poisson schedule")
        k = i * self.producers + self.index
        if self.bursts is not None:
            return self.start_ns + int(self.bursts.time_of(k, self.rate) * 1e9)
        return self.start_ns + int(k * 1_000_000_000 // self.rate)

    def __iter__(self) -> Iterator[int]:
        if self.bursts is not None:
            yield from self._bursty()
            return
        if self.arrivals == "uniform":  # intended_ns(i), inlined: this runs once per record sent
            start, rate, step, k = self.start_ns, self.rate, self.producers, self.index
            while True:
                yield start + int(k * 1_000_000_000 // rate)
                k += step
        rng = random.Random(self.seed)
        per_producer = self.rate / self.producers
        t = float(self.start_ns)
        while True:
            t += rng.expovariate(per_producer) * 1e9
            yield int(t)

    def _bursty(self) -> Iterator[int]:
        assert self.bursts is not None
        time_of, rate, start = self.bursts.time_of, self.rate, self.start_ns
        if self.arrivals == "uniform":
            k = self.index
            while True:
                yield start + int(time_of(k, rate) * 1e9)
                k += self.producers
        rng = random.Random(self.seed)
        count = 0.0
        while True:  # this producer's share is a unit-rate process in count space, scaled by producers
            count += rng.expovariate(1.0) * self.producers
            yield start + int(time_of(count, rate) * 1e9)

    def count_before(self, end_ns: int) -> int:
        """How many of this producer's records are scheduled before end_ns.

        Uniform arrivals: a binary search over intended_ns (O(log n), exact with its rounding);
        Poisson arrivals: walks the (seeded, repeatable) schedule.
        """
        if self.arrivals == "uniform":  # intended_ns is monotonic, with or without bursts
            if self.intended_ns(0) >= end_ns:
                return 0
            high = 1
            while self.intended_ns(high) < end_ns:
                high *= 2
            low = high // 2  # intended_ns(low) < end_ns <= intended_ns(high)
            while high - low > 1:
                mid = (low + high) // 2
                if self.intended_ns(mid) < end_ns:
                    low = mid
                else:
                    high = mid
            return high
        for n, t in enumerate(self):
            if t >= end_ns:
                return n
        raise AssertionError("unreachable")
