"""Distributed runs, the pure parts: merged histograms equal their parts summed, reports merge, no secrets sent."""

from __future__ import annotations

import sys

import pytest

from streamcompare.bench.stats import LatencyHistogram
from streamcompare.bench.workers.cluster import require_distributed
from streamcompare.bench.workers.merge import merge_reports, merged_histogram, shares
from streamcompare.bench.workers.targets import SECRETS_FROM, _fill, public_target
from streamcompare.errors import ConfigError, PrerequisiteError
from streamcompare.target import Target

pytestmark = pytest.mark.unit


def _hist(values: list[int]) -> LatencyHistogram:
    h = LatencyHistogram()
    for v in values:
        h.record_us(v)
    return h


def test_merged_histograms_equal_the_sum_of_their_parts() -> None:
    parts = [[1, 5, 5, 900, 12_000], [3, 250_000, 7], [], [40] * 1000 + [2_000_000]]
    merged = merged_histogram([_hist(p).encode() for p in parts])
    whole = _hist([v for p in parts for v in p])
    assert merged.count == sum(len(p) for p in parts) == whole.count
    assert merged.quantiles() == whole.quantiles()
    assert list(merged.hist.counts) == list(whole.hist.counts), "every bucket count adds exactly"
    for p in parts:  # each part's values are in the merge, bucket by bucket
        for v in set(p):
            assert merged.hist.get_count_at_value(v) >= _hist(p).hist.get_count_at_value(v)


def _report(index: int, acked: int, windows: dict[int, list[int]], e2e: list[int]) -> dict:
    empty = LatencyHistogram().encode()
    return {
        "worker": {"index": index}, "system": "kafka", "versions": {"kafka": "4.x"}, "streams": [f"s-w{index}"],
        "histograms": {"publish_latency": _hist([100] * acked).encode(), "publish_delay": empty,
                       "e2e_latency": _hist(e2e).encode()},
        "clamped": {"publish_latency": 0, "publish_delay": 0, "e2e_latency": index},
        "windows": windows, "notes": [f"note {index}"],
        "throughput": {"target_rate": 50, "measured_s": 2.0, "scheduled": acked, "sent": acked, "acked": acked,
                       "failed": 0, "received": acked},
        "counts": {"sent": acked, "acked": acked, "failed": 0, "lost": 0 if index else None, "duplicates": None,
                   "unacked_received": 0, "drained": index == 0, "throttles": 1, "clamped": 0},
    }


def test_reports_merge_windows_counts_and_throughput() -> None:
    a = _report(0, 100, {0: [50, 50, 0, 49], 1: [50, 50, 0, 51]}, [1000, 2000])
    b = _report(1, 60, {0: [30, 30, 0, 30], 1: [30, 30, 0, 30], 2: [0, 0, 0, 1]}, [3000])
    m = merge_reports(160, "s", [a, b])
    assert m.throughput["acked"] == 160 and m.throughput["ack_rate"] == 80 and m.throughput["achieved_ratio"] == 0.5
    assert [w["acked"] for w in m.windows.rows()] == [80, 80, 0]
    assert m.e2e.count == 3 and m.e2e.clamped == 1 and m.publish_latency.count == 160
    assert m.counts["lost"] == 0 and m.counts["duplicates"] is None and m.counts["drained"] is False
    assert m.counts["throttles"] == 2 and m.streams == ["s-w0", "s-w1"]
    assert m.notes == ["worker 0: note 0", "worker 1: note 1"]


@pytest.mark.parametrize(("rate", "workers"), [(1000, 1), (1000, 3), (7, 4), (4, 4)])
def test_shares_add_up_to_the_rate(rate: int, workers: int) -> None:
    split = shares(rate, workers)
    assert sum(split) == rate and len(split) == workers and max(split) - min(split) <= 1


def test_secrets_never_travel_in_task_arguments() -> None:
    target = Target.from_json({"kind": "local", "run_dir": "/tmp/x", "kafka_bootstrap": "127.0.0.1:9092",
                               "kafka_security": {"security.protocol": "SASL_SSL", "sasl.username": "admin",
                                                  "sasl.password": "hunter2", "ssl.ca.location": "/tmp/ca.pem"}})
    public = public_target(target)
    assert "hunter2" not in repr(public)
    assert public["kafka_security"]["sasl.username"] == "admin"
    assert public[SECRETS_FROM] == {"kind": "stack", "run_dir": "/tmp/x"}
    restored = _fill({k: v for k, v in public.items() if k != SECRETS_FROM}, target.to_json())
    assert Target.from_json(restored) == target
    plain = Target.from_json({"kind": "local", "kafka_bootstrap": "127.0.0.1:9092"})
    assert public_target(plain) == plain.to_json(), "nothing to hide: no secrets source"


def test_secrets_without_a_file_to_read_them_from_are_refused() -> None:
    with pytest.raises(ConfigError, match="workers have no file"):
        public_target(Target.from_json({"kind": "kafka", "kafka_bootstrap": "b:9092",
                                        "kafka_security": {"sasl.password": "x"}}))


def test_missing_distributed_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(PrerequisiteError) as err:
        require_distributed()
    assert "pip install 'streamcompare[distributed]'" in str(err.value)
