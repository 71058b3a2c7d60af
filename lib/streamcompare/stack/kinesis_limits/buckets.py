"""Rate limiters for per-shard limits, with an injectable clock (seconds, monotonic).

AWS documents its shard limits per second ("1,000 records per second"). Two shapes are used:
- `RollingWindow`: at most `limit` units in any rolling window (default one second), kept as counts in
  `slots` sub-intervals. It is a token bucket whose spent tokens come back one window later, so a
  burst of 3,000 records within one second gets about 1,000 through, as AWS's wording says.
- `DebtBucket`: a classic token bucket (rate, capacity) that may go into debt. GetRecords bytes are
  only known after the call, so they are charged afterwards, and further calls are refused until the
  debt is paid back (AWS: a 10 MB read throttles the shard's next reads for about five seconds).
"""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]


class RollingWindow:
    """At most `limit` units in any `window_s`; granularity window_s / slots."""

    def __init__(self, limit: float, *, window_s: float = 1.0, slots: int = 20,
                 clock: Clock = time.monotonic) -> None:
        if limit <= 0 or window_s <= 0 or slots < 1:
            raise ValueError("limit and window_s must be > 0 and slots >= 1")
        self.limit = float(limit)
        self._slot_s = window_s / slots
        self._slots = slots
        self._counts = [0.0] * slots
        self._index = [-1] * slots  # which absolute slot number each ring cell holds
        self._total = 0.0
        self._last_slot = -1
        self._clock = clock

    def _advance(self) -> int:
        """Forget the slots that left the window; cheap when the slot has not changed."""
        now_slot = int(self._clock() / self._slot_s)
        if now_slot != self._last_slot:
            oldest = now_slot - self._slots + 1
            for cell, index in enumerate(self._index):
                if 0 <= index < oldest:
                    self._total -= self._counts[cell]
                    self._counts[cell], self._index[cell] = 0.0, -1
            self._last_slot = now_slot
        return now_slot

    def available(self) -> float:
        """Units that could be taken now."""
        self._advance()
        return max(0.0, self.limit - self._total)

    def try_take(self, units: float = 1.0) -> bool:
        """Take `units` if the window has room for all of them; else take nothing."""
        now_slot = self._advance()
        if self._total + units > self.limit + 1e-9:
            return False
        cell = now_slot % self._slots
        if self._index[cell] != now_slot:
            self._index[cell], self._counts[cell] = now_slot, 0.0
        self._counts[cell] += units
        self._total += units
        return True


class DebtBucket:
    """Token bucket of `rate` per second up to `capacity`; charge() may drive it below zero."""

    def __init__(self, rate: float, capacity: float | None = None, *, clock: Clock = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        self.rate = float(rate)
        self.capacity = float(capacity if capacity is not None else rate)
        self._tokens = self.capacity
        self._clock = clock
        self._last = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
        self._last = now

    @property
    def tokens(self) -> float:
        self._refill()
        return self._tokens

    def in_debt(self) -> bool:
        """True while an earlier charge has not been paid back (calls are refused meanwhile)."""
        return self.tokens < 0

    def charge(self, units: float) -> None:
        self._refill()
        self._tokens -= units
