"""Emulator headroom (the layer's view of the backend) and the layer's throttled shares under a steady
over-limit load, on a fake clock: the figures hold on every run because no real time is involved."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping
from typing import Any

import pytest

from streamcompare.stack.kinesis_limits.admission import Admission
from streamcompare.stack.kinesis_limits.headroom import UpstreamTimes, assess
from streamcompare.stack.kinesis_limits.settings import Limits

pytestmark = pytest.mark.unit
LIMITS = Limits().to_dict()


class FakeClock:
    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def _shards(count: int) -> list[dict[str, Any]]:
    step = 2**128 // count
    return [{"ShardId": f"shardId-{i:012d}", "HashKeyRange": {
        "StartingHashKey": str(i * step), "EndingHashKey": str(2**128 - 1 if i == count - 1 else (i + 1) * step - 1)},
        "SequenceNumberRange": {"StartingSequenceNumber": "1"}} for i in range(count)]


def _admission(clock: FakeClock, shards: int) -> Admission:
    async def fetch(name: str) -> tuple[list[Mapping[str, Any]], bool] | None:
        return _shards(shards), False

    return Admission(Limits(), fetch, clock=clock)


DATA = base64.b64encode(b"x" * 100).decode()


def _offer(shards: int, rate: int, seconds: int, keys: str) -> list[tuple[int, int]]:
    """(offered, throttled) per 5 s window: `rate` records/s in calls every 20 ms (an open loop)."""
    clock = FakeClock()
    admission = _admission(clock, shards)
    windows = [[0, 0] for _ in range(seconds // 5)]
    per_call = rate // 50
    for tick in range(seconds * 50):
        clock.t = 100.0 + tick / 50
        records = [{"Data": DATA, "PartitionKey": "hot" if keys == "hot" else f"k{tick}-{i}"} for i in range(per_call)]
        verdict = asyncio.run(admission.admit_writes("s", records))
        assert verdict is not None
        window = windows[tick // 250]
        window[0] += per_call
        window[1] += len(verdict.rejected)
    return [(offered, throttled) for offered, throttled in windows]


def test_one_shard_offered_1500_per_second_is_throttled_a_third_in_every_5_s_window() -> None:
    for offered, throttled in _offer(1, 1_500, 30, "many"):
        assert offered == 7_500
        assert 0.30 <= throttled / offered <= 0.36


def test_two_shards_at_1500_per_second_many_keys_under_1_percent_one_hot_key_over_25() -> None:
    many = _offer(2, 1_500, 10, "many")
    hot = _offer(2, 1_500, 10, "hot")
    assert sum(t for _, t in many) / sum(o for o, _ in many) < 0.01
    assert sum(t for _, t in hot) / sum(o for o, _ in hot) >= 0.25


def test_eight_back_to_back_reads_on_one_shard_see_three_throttled() -> None:
    clock = FakeClock()
    admission = _admission(clock, 1)
    outcomes = []
    for i in range(8):
        clock.t = 100.0 + i * 0.005
        outcomes.append(asyncio.run(admission.admit_read("s", "shardId-000000000000")))
    assert [o is None for o in outcomes] == [True] * 5 + [False] * 3


def test_upstream_times_summarise_recent_calls() -> None:
    times = UpstreamTimes(samples=100)
    for i in range(200):
        times.add("PutRecords", 0.010 if i % 100 else 0.5, records=500)
    summary = times.summary()["PutRecords"]
    assert summary["calls"] == 100, "only the newest calls count"
    assert summary["p50_ms"] == pytest.approx(10.0)
    assert summary["p99_ms"] == pytest.approx(500.0)
    assert summary["records_per_busy_s"] == pytest.approx(50_000 / (99 * 0.010 + 0.5))


def test_a_fast_emulator_is_not_backend_bound() -> None:
    times = UpstreamTimes()
    for _ in range(50):
        times.add("PutRecords", 0.020, records=500)
        times.add("GetRecords", 0.010)
    verdict = assess(times.summary(), LIMITS)
    assert verdict["backend_bound"] is False and verdict["warning"] is None
    assert verdict["write_records_per_s"] == pytest.approx(25_000)
    assert verdict["read_calls_per_s"] == pytest.approx(100)


def test_a_slow_emulator_is_flagged_with_its_rate() -> None:
    times = UpstreamTimes()
    for _ in range(10):
        times.add("PutRecords", 4.8, records=500)  # kinesis-mock with 9,000 records stored
        times.add("GetRecords", 0.2 + 0.05)
    verdict = assess(times.summary(), LIMITS)
    assert verdict["backend_bound"] is True
    assert "could not reach the write limit: 104 records/s (limit 1,000 for 1 shard(s))" in verdict["warning"]
    assert "read limit: 4.0 GetRecords calls/s" in verdict["warning"]


def test_headroom_is_judged_against_all_shards_of_the_stream() -> None:
    times = UpstreamTimes()
    for _ in range(10):
        times.add("PutRecords", 0.25, records=500)  # 2,000 records/s: enough for 1 shard, not for 4
    assert assess(times.summary(), LIMITS, shards=1)["backend_bound"] is False
    four = assess(times.summary(), LIMITS, shards=4)
    assert four["backend_bound"] is True and "limit 4,000 for 4 shard(s)" in four["warning"]


def test_no_calls_no_verdict() -> None:
    verdict = assess({}, LIMITS)
    assert verdict["backend_bound"] is False and verdict["write_records_per_s"] is None


def test_the_flow_control_page_flags_a_run_the_emulator_paced() -> None:
    import pandas as pd

    from streamcompare.criteria import flow_control as page
    from streamcompare.probes.flow_control import _headroom_row

    slow = assess({"PutRecords": {"calls": 10, "p50_ms": 4800.0, "p99_ms": 4900.0, "records_per_busy_s": 104.0}},
                  LIMITS)
    fast = assess({"PutRecords": {"calls": 10, "p50_ms": 5.0, "p99_ms": 9.0, "records_per_busy_s": 90_000.0}},
                  LIMITS)
    frame = pd.DataFrame([_headroom_row({"emulator_headroom": fast}), _headroom_row({"emulator_headroom": slow})])
    assert list(page._headroom_columns(frame)["paced by"]) == ["the layer", "the emulator"]
    assert "could not reach the write limit: 104 records/s" in page.backend_warning(frame)
    assert page.backend_warning(frame.iloc[:1]) == ""
    assert page._headroom_columns(pd.DataFrame({"shards": [1]})) == {}, "files written before headroom existed"
