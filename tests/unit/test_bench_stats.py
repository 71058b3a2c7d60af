import pytest

from streamcompare.bench.stats import HIGHEST_US, SUMMARY_KEYS, LatencyHistogram, quantiles_from_encoded

pytestmark = pytest.mark.unit


def filled(values) -> LatencyHistogram:
    h = LatencyHistogram()
    for v in values:
        h.record_us(v)
    return h


def test_quantiles_of_known_values_are_exact_to_a_tenth_of_a_percent():
    h = filled(range(1, 10_001))  # 1 us .. 10 ms, uniform
    q = h.quantiles()
    assert list(q) == list(SUMMARY_KEYS)
    assert q["count"] == 10_000
    for name, expected in {"p50": 5_000, "p90": 9_000, "p99": 9_900, "p99.9": 9_990, "p99.99": 9_999,
                           "max": 10_000, "mean": 5_000.5}.items():
        assert q[name] == pytest.approx(expected, rel=1e-3), name
    assert q["p50"] <= q["p90"] <= q["p99"] <= q["p99.9"] <= q["p99.99"] <= q["max"]


def test_nanoseconds_are_truncated_to_microseconds():
    h = LatencyHistogram()
    h.record_ns(1_999)
    h.record_ns(2_000)
    assert h.quantiles()["p50"] == 1 and h.quantiles()["max"] == 2


def test_encoding_round_trip_keeps_every_bucket():
    h = filled([1, 7, 250, 1_234, 98_765, 5_000_000, 5_000_000])
    encoded = h.encode()
    assert isinstance(encoded, str) and encoded.isascii()
    back = LatencyHistogram.decode(encoded)
    assert back.quantiles() == h.quantiles()
    assert back.hist.equals(h.hist)
    assert quantiles_from_encoded(encoded) == h.quantiles()


def test_empty_histogram_reports_nothing_rather_than_zero_latency():
    q = LatencyHistogram.decode(LatencyHistogram().encode()).quantiles()
    assert q["count"] == 0 and q["p50"] is None and q["max"] is None


def test_merge_adds_counts_exactly():
    a, b = filled([100] * 3), filled([200] * 2 + [10_000])
    merged = LatencyHistogram.merged([a, b, LatencyHistogram()])
    q = merged.quantiles()
    assert q["count"] == 6 and q["p50"] == 100 and q["max"] == pytest.approx(10_000, rel=1e-3)
    assert a.count == 3  # inputs untouched


def test_out_of_range_values_are_clamped_and_counted():
    h = filled([-5, HIGHEST_US * 2, 10])
    assert h.clamped == 2 and h.count == 3
    assert h.quantiles()["max"] == pytest.approx(HIGHEST_US, rel=1e-3)
    assert LatencyHistogram.merged([h, h]).clamped == 4
