import pytest

from streamcompare.bench.runner import run_benchmark
from streamcompare.bench.workload import Workload
from streamcompare.target import Target

pytestmark = pytest.mark.unit


def test_null_driver_runs_through_the_open_loop_loop_and_loses_nothing() -> None:
    workload = Workload(name="floor", rate=500, duration_s=1.0, warmup_s=0.2, drain_timeout_s=5)
    result = run_benchmark("null", Target(), workload, seed=1)
    assert result.placement["consumer_in_subprocess"] is False
    assert result.counts["lost"] == 0 and result.counts["duplicates"] == 0
    published = result.quantiles["publish_latency"]["count"]
    assert published > 0
    assert result.quantiles["e2e_latency"]["count"] == published  # every measured record arrived, timed once
