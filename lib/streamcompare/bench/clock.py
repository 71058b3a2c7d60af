"""Clocks for the runner: the real monotonic clock and a fake one for tests.

Only the runner reads clocks. `MonotonicClock` uses `time.monotonic_ns()`, i.e. CLOCK_MONOTONIC on
Linux, which every process on one host shares: a consumer in another process can subtract a producer's
timestamp. It is not comparable across hosts (that is why end-to-end latency is measured on one host).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

Idle = Callable[[float], object]
"""Something useful to do while waiting (e.g. `producer.poll`); called with a timeout in seconds."""

SPIN_NS = 200_000
"""Final stretch of a wait that is spun (yielding the GIL) instead of slept: Linux oversleeps ~50-100 us."""


@runtime_checkable
class Clock(Protocol):
    def now_ns(self) -> int:
        """Monotonic time in nanoseconds."""

    def sleep_until_ns(self, t_ns: int, idle: Idle | None = None, spin_ns: int | None = None) -> None:
        """Return at or just after t_ns; spend the coarse part of the wait in `idle` (or sleeping).

        spin_ns: spin at most this long at the end (a clock may spin less, never more).
        """


class MonotonicClock:
    """The real clock: coarse wait (sleep or the idle callback), then a short spin to hit the deadline."""

    def __init__(self, spin_ns: int = SPIN_NS) -> None:
        self.spin_ns = spin_ns

    def now_ns(self) -> int:
        return time.monotonic_ns()

    def sleep_until_ns(self, t_ns: int, idle: Idle | None = None, spin_ns: int | None = None) -> None:
        now = time.monotonic_ns
        spin = self.spin_ns if spin_ns is None else max(0, min(self.spin_ns, spin_ns))
        quick = 0
        while True:
            remaining = t_ns - now()
            if remaining <= 0:
                return
            if remaining <= spin:
                while now() < t_ns:
                    os.sched_yield()  # releases the GIL (time.sleep(0) would oversleep ~50 us)
                return
            coarse_s = (remaining - spin) / 1e9
            if idle is None:
                time.sleep(coarse_s)
                continue
            started = now()
            idle(coarse_s)
            # A poll() that returns at once again and again would turn the wait into a busy loop.
            quick = quick + 1 if now() - started < (remaining - spin) // 4 else 0
            if quick >= 3:
                time.sleep(min(coarse_s, 0.0005))


class FakeClock:
    """A clock that only moves when told: `advance(ns)` or a `sleep_until_ns` that jumps to the deadline."""

    def __init__(self, start_ns: int = 1_000_000_000) -> None:
        self.t = start_ns
        self.sleeps: list[int] = []

    def now_ns(self) -> int:
        return self.t

    def advance(self, ns: int) -> None:
        if ns < 0:
            raise ValueError("a monotonic clock cannot go back")
        self.t += ns

    def sleep_until_ns(self, t_ns: int, idle: Idle | None = None, spin_ns: int | None = None) -> None:
        if idle is not None:
            idle(0.0)
        if t_ns > self.t:
            self.sleeps.append(t_ns - self.t)
            self.t = t_ns
