"""Open-loop rate schedule: when each record is meant to be sent, whatever happened to earlier sends.

The intended send time of record i is fixed in advance, `start + i * 1e9 / rate`; a stalled send does
not push later records back (a closed loop would, and would hide the stall: coordinated omission).
With several producers the total rate is interleaved: producer j of P sends the records
k = i * P + j of the common schedule. Poisson arrivals draw exponential gaps from a seeded generator
(still decided in advance, still open loop).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Literal

Arrivals = Literal["uniform", "poisson"]


class RateSchedule:
    """Intended send times (monotonic ns) of one producer's records."""

    def __init__(self, start_ns: int, rate: float, *, producers: int = 1, index: int = 0,
                 arrivals: Arrivals = "uniform", seed: int | None = None) -> None:
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

    def intended_ns(self, i: int) -> int:
        """Intended send time of this producer's i-th record (uniform arrivals only)."""
        if self.arrivals != "uniform":
            raise ValueError("intended_ns(i) is defined for uniform arrivals; iterate a Poisson schedule")
        k = i * self.producers + self.index
        return self.start_ns + int(k * 1_000_000_000 // self.rate)

    def __iter__(self) -> Iterator[int]:
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

    def count_before(self, end_ns: int) -> int:
        """How many of this producer's records are scheduled before end_ns.

        Uniform arrivals: a binary search over intended_ns (O(log n), exact with its rounding);
        Poisson arrivals: walks the (seeded, repeatable) schedule.
        """
        if self.arrivals == "uniform":
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
