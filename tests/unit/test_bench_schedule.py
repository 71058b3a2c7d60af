import pytest

from streamcompare.bench.schedule import RateSchedule

pytestmark = pytest.mark.unit


def first(schedule: RateSchedule, n: int) -> list[int]:
    out = []
    for t in schedule:
        out.append(t)
        if len(out) == n:
            return out
    raise AssertionError("unreachable")


def test_uniform_intended_times_are_start_plus_i_over_rate_without_drift():
    s = RateSchedule(1_000, 3)
    assert first(s, 4) == [1_000, 1_000 + 333_333_333, 1_000 + 666_666_666, 1_000 + 1_000_000_000]
    # exact integer arithmetic: no accumulated rounding after a million records
    assert s.intended_ns(3_000_000) == 1_000 + 1_000_000 * 1_000_000_000


def test_producers_interleave_into_the_total_rate():
    total = RateSchedule(0, 1000)
    parts = [RateSchedule(0, 1000, producers=3, index=j) for j in range(3)]
    merged = sorted(t for p in parts for t in first(p, 10))
    assert merged == first(total, 30)


def test_count_before_end():
    assert RateSchedule(0, 200).count_before(1_000_000_000) == 200
    assert RateSchedule(0, 200, producers=3, index=2).count_before(1_000_000_000) == 66


def test_poisson_is_reproducible_increasing_and_has_the_mean_rate():
    a = first(RateSchedule(0, 5000, arrivals="poisson", seed=7), 20_000)
    b = first(RateSchedule(0, 5000, arrivals="poisson", seed=7), 20_000)
    c = first(RateSchedule(0, 5000, arrivals="poisson", seed=8), 20_000)
    assert a == b and a != c
    assert all(x < y for x, y in zip(a, a[1:], strict=False))
    rate = len(a) / (a[-1] / 1e9)
    assert rate == pytest.approx(5000, rel=0.03)
    gaps = [y - x for x, y in zip(a, a[1:], strict=False)]
    assert min(gaps) < 20_000 < 1_000_000 < max(gaps)  # exponential gaps, not a fixed period


def test_poisson_has_no_indexed_lookup_and_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="uniform"):
        RateSchedule(0, 10, arrivals="poisson").intended_ns(1)
    with pytest.raises(ValueError):
        RateSchedule(0, 0)
    with pytest.raises(ValueError):
        RateSchedule(0, 10, producers=2, index=2)
