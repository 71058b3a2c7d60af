"""The consumer in a spawned child process: rebuilt there from a "module:callable" name."""

import fakes
import pytest

from streamcompare.bench.errors import BenchmarkError
from streamcompare.bench.runner import run_benchmark
from streamcompare.bench.workload import validate_workload
from streamcompare.target import Target

pytestmark = pytest.mark.integration  # starts a consumer process

FACTORY = f"{fakes.__name__}:FakeDriver"


def workload(**kw):
    base = {"name": "sub", "rate": 500, "duration_s": 0.8, "warmup_s": 0.2, "record_bytes": 128,
            "partitions": 2, "drain_timeout_s": 5}
    return validate_workload({**base, **kw})


def test_consumer_in_a_child_process_by_default(tmp_path):
    r = run_benchmark(FACTORY, Target.from_json({"log_dir": str(tmp_path), "ack_delay_ms": 1}), workload(), seed=1)
    assert r.placement["consumer_in_subprocess"] is True and r.notes == []
    assert r.system == "fake"
    tp, q = r.throughput, r.quantiles
    assert tp["ack_rate"] == pytest.approx(500, rel=0.05)
    assert tp["received"] == tp["acked"] == 400 and r.counts["lost"] == 0 and r.counts["duplicates"] == 0
    # the child timed the records on the same monotonic clock as the producer: never negative
    assert r.counts["clamped"] == 0 and q["e2e_latency"]["count"] == 400
    assert 0 <= q["e2e_latency"]["p50"] <= q["e2e_latency"]["p99"] <= q["e2e_latency"]["max"] < 1_000_000
    assert sum(w["received"] for w in r.windows) == 400


def test_a_consumer_failing_in_the_child_is_reported(tmp_path):
    with pytest.raises(BenchmarkError, match="injected consumer failure"):
        run_benchmark(FACTORY, Target.from_json({"log_dir": str(tmp_path), "fail_consumer": True}), workload(),
                      consumer_in_subprocess=True)
