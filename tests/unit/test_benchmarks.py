"""The benchmark scripts (benchmarks/) still fit the library: their pure parts and the null-driver path.

`make bench` needs the live stack and minutes; these checks take seconds and catch an API drift
(a driver protocol change, say) before the benchmark is next run.
"""

import sys
from pathlib import Path

import pytest

from streamcompare.bench.clock import MonotonicClock

pytestmark = pytest.mark.unit

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_kafka  # noqa: E402
import bench_overhead  # noqa: E402

PP_OUTPUT = """\
33730 records sent, 33696.3 records/sec (3.21 MB/sec), 235.5 ms avg latency, 355.0 ms max latency.
174543 records sent, 174543.0 records/sec (16.65 MB/sec), 1630.4 ms avg latency, 1793.0 ms max latency.
204092 records sent, 203888.1 records/sec (19.44 MB/sec), 1766.9 ms avg latency, 2235.0 ms max latency.
1000000 records sent, 129735.339907 records/sec (12.37 MB/sec), 1564.37 ms avg latency, 2235.00 ms max \
latency, 1665 ms 50th, 2107 ms 95th, 2180 ms 99th, 2228 ms 99.9th.
"""


def test_producer_performance_output_is_parsed():
    parsed = bench_kafka.parse_producer_performance(PP_OUTPUT, steady_after_s=1.0)
    assert parsed["records"] == 1_000_000 and parsed["rate"] == pytest.approx(129_735.34)
    assert parsed["p99_latency_ms"] == 2180
    assert parsed["steady_rate"] == pytest.approx((174_543 + 204_092) / (1 + 204_092 / 203_888.1), rel=1e-6)


def test_null_driver_alone_costs_some_cpu_per_record():
    assert 0 < bench_overhead.null_driver_cost(records=5_000) < 1_000


def test_a_null_driver_run_through_the_runner_receives_every_record():
    figures = bench_overhead._run("unit", "smoke", MonotonicClock(), rate=2_000, duration_s=2.0, warmup_s=0.2)
    assert figures["received"] == figures["records"] > 3_000
    assert figures["producer_process_us"] > 0 and figures["consumer_child_us"] > 0
