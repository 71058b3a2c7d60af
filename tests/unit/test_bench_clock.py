import time

import pytest

from streamcompare.bench.clock import FakeClock, MonotonicClock

pytestmark = pytest.mark.unit


def test_monotonic_clock_wakes_at_the_deadline_not_before_and_not_much_after():
    clock = MonotonicClock()
    lates = []
    for _ in range(20):
        target = clock.now_ns() + 3_000_000
        clock.sleep_until_ns(target)
        woke = clock.now_ns()
        assert woke >= target
        lates.append(woke - target)
    lates.sort()
    # Never early; how late is a speed figure (benchmarks/bench_floor.py prints it), so only a gross bound here.
    assert lates[len(lates) // 2] < 50_000_000


def test_coarse_wait_goes_to_the_idle_callback():
    clock = MonotonicClock()
    calls = []

    def idle(timeout_s: float) -> None:
        calls.append(timeout_s)
        time.sleep(timeout_s)

    target = clock.now_ns() + 20_000_000
    clock.sleep_until_ns(target, idle=idle)
    assert clock.now_ns() >= target
    assert calls and max(calls) <= 0.02 and sum(calls) > 0.015


def test_an_idle_callback_that_never_waits_does_not_become_a_busy_loop():
    clock = MonotonicClock()
    calls = []
    target = clock.now_ns() + 30_000_000
    clock.sleep_until_ns(target, idle=calls.append)
    assert clock.now_ns() >= target
    assert len(calls) < 200  # a busy loop would call it hundreds of thousands of times


def test_fake_clock_moves_only_forward_and_when_told():
    clock = FakeClock(100)
    assert clock.now_ns() == 100
    clock.sleep_until_ns(50)
    assert clock.now_ns() == 100
    clock.sleep_until_ns(250)
    clock.advance(5)
    assert clock.now_ns() == 255 and clock.sleeps == [150]
    with pytest.raises(ValueError):
        clock.advance(-1)
