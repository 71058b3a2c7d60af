"""The flow-control probe on the live stack: Kinesis through the fidelity layer beside the simulation,
and a Kafka client quota set with ConfigCommand and removed afterwards."""

from __future__ import annotations

import pytest

from streamcompare.criteria.flow_control import live_run
from streamcompare.stack import kafka_quotas
from streamcompare.stack.local import LocalStack

pytestmark = pytest.mark.integration


def test_quick_probe_measures_throttling_and_quota(live_stack: LocalStack) -> None:
    target = live_stack.target()
    result = live_run(target, "quick", progress=print)
    runs = {(r["shards"], r["retries"]): r for r in result["kinesis"]}
    recommended = int(result["recommended_shards"])
    one, two, best = runs[(1, False)], runs[(2, False)], runs[(recommended, False)]
    for run in (one, two, best):
        print(f"{run['shards']} shard(s): measured {run['throttled_fraction']:.3f}, "
              f"simulated {run['simulated']['throttled_fraction']:.3f}")
    assert one["throttled_fraction"] > two["throttled_fraction"] >= best["throttled_fraction"]
    assert abs(one["throttled_fraction"] - one["simulated"]["throttled_fraction"]) < 0.08
    assert best["throttled_fraction"] < 0.01, "at the recommended shard count throttling (nearly) disappears"
    retried = runs[(2, True)]
    assert retried["retried_entries"] > 0 and retried["lost"] == 0 and retried["failed"] == 0
    kafka = result["kafka"]
    print(f"Kafka: quota {kafka['quota_bytes_per_s']}, achieved {kafka['achieved_bytes_per_s']}, "
          f"throttle {kafka['throttle_ms']}")
    assert kafka["throttle_events"] > 0 and kafka["throttle_ms"]["p99"] > 0
    assert kafka["achieved_vs_quota"] < 1.3, "the broker held the client near its quota"
    assert kafka["failed"] == 0 and kafka["lost"] == 0, "Kafka delays, it does not reject"
    assert kafka_quotas.describe_quota(target.need_kafka().bootstrap, kafka["client_id"]) == {}, "quota removed"
