"""Traffic shapes: bursts in the open-loop schedule, a hot key, the workload section, the simulation's view."""

from __future__ import annotations

import pytest

from streamcompare.bench.payload import KeyGenerator
from streamcompare.bench.schedule import Bursts, RateSchedule
from streamcompare.bench.workload import validate_workload
from streamcompare.errors import ConfigError
from streamcompare.models import shard_limits
from streamcompare.probes.flow_control import FlowSettings
from streamcompare.stack import kafka_quotas

pytestmark = pytest.mark.unit


def _per_second(times_ns: list[int], seconds: int) -> list[int]:
    counts = [0] * seconds
    for t in times_ns:
        if t < seconds * 1_000_000_000:
            counts[t // 1_000_000_000] += 1
    return counts


def test_bursts_keep_the_mean_and_reach_the_peak() -> None:
    bursts = Bursts(peak_to_mean=2.5, period_s=3, length_s=1)
    high, low = bursts.rates(1000)
    assert high == pytest.approx(2.5 * low)
    assert (high * 1 + low * 2) / 3 == pytest.approx(1000)
    schedule = RateSchedule(0, 1000, bursts=bursts)
    times = [schedule.intended_ns(i) for i in range(6000)]
    assert times == sorted(times)
    counts = _per_second(times, 6)
    assert counts[0] == pytest.approx(1667, abs=2) and counts[3] == pytest.approx(1667, abs=2)
    assert counts[1] == pytest.approx(667, abs=2)
    assert sum(counts) == pytest.approx(6000, abs=3)


def test_bursty_schedule_is_open_loop_and_interleaves_producers() -> None:
    bursts = Bursts(3, 2, 0.5)
    total = RateSchedule(0, 500, bursts=bursts)
    parts = [RateSchedule(0, 500, producers=2, index=j, bursts=bursts) for j in range(2)]

    def first(s: RateSchedule, n: int) -> list[int]:
        out = []
        for t in s:
            out.append(t)
            if len(out) == n:
                return out
        return out

    assert sorted(first(parts[0], 100) + first(parts[1], 100)) == first(total, 200)
    assert total.count_before(2_000_000_000) == 1000


def test_bursty_poisson_follows_the_same_rates() -> None:
    schedule = RateSchedule(0, 1000, arrivals="poisson", seed=4, bursts=Bursts(2.5, 3, 1))
    times = []
    for t in schedule:
        if t >= 30_000_000_000:
            break
        times.append(t)
    counts = _per_second(times, 30)
    in_burst = sum(counts[s] for s in range(0, 30, 3)) / 10
    outside = sum(counts[s] for s in range(30) if s % 3) / 20
    assert in_burst == pytest.approx(1667, rel=0.08) and outside == pytest.approx(667, rel=0.08)


def test_bursts_refuse_nonsense() -> None:
    with pytest.raises(ValueError):
        Bursts(0.5, 3, 1)
    with pytest.raises(ValueError):
        Bursts(2, 3, 4)


def test_hot_key_takes_its_share() -> None:
    keys = KeyGenerator("random", 4, seed=1, hot_key_share=0.3)
    drawn = [keys.next() for _ in range(20_000)]
    share = drawn.count(KeyGenerator.HOT_KEY) / len(drawn)
    assert share == pytest.approx(0.3, abs=0.02)
    assert len(set(drawn)) > 10_000, "the rest stay random"
    assert KeyGenerator("random", 4, seed=1).next() != KeyGenerator.HOT_KEY


def test_workload_shape_section() -> None:
    base = {"name": "s", "rate": 1000, "duration_s": 6}
    workload = validate_workload({**base, "shape": {"kind": "bursts", "peak_to_mean": 2.5, "burst_every_s": 3,
                                                    "burst_length_s": 1, "hot_key_share": 0.4}})
    assert workload.shape.bursts() == Bursts(2.5, 3, 1)
    assert validate_workload(base).shape.bursts() is None
    with pytest.raises(ConfigError) as err:
        validate_workload({**base, "shape": {"kind": "bursts", "burst_every_s": 1, "burst_length_s": 2}})
    assert err.value.field == "shape"
    with pytest.raises(ConfigError) as err:
        validate_workload({**base, "shape": {"hot_key_share": 2}})
    assert err.value.field == "shape.hot_key_share"


def test_the_simulation_sees_the_same_shape() -> None:
    workload = FlowSettings().workload(1, max_attempts=1, consumers=0)
    traffic = shard_limits.traffic_from_workload(workload)
    rates = traffic.rates()
    high, low = workload.shape.bursts().rates(workload.rate)  # type: ignore[union-attr]
    assert rates[0] == pytest.approx(high) and rates[1] == pytest.approx(low)
    fractions = [shard_limits.kinesis_write_simulation(traffic, s).throttled.sum() /
                 shard_limits.kinesis_write_simulation(traffic, s).offered.sum() for s in (1, 2, 5)]
    assert fractions[0] > fractions[1] > 0 and fractions[2] == 0
    assert shard_limits.shards_needed(traffic, headroom=0.1) == 5


def test_kafka_quota_arguments_are_checked_before_any_java_runs() -> None:
    with pytest.raises(ConfigError) as err:
        kafka_quotas.set_quota("127.0.0.1:1", "c", producer_byte_rate=0)
    assert err.value.field == "producer_byte_rate"
    with pytest.raises(ConfigError):
        kafka_quotas.set_quota("127.0.0.1:1", "c", bytes_per_s=5)
    with pytest.raises(ConfigError):
        kafka_quotas.set_quota("127.0.0.1:1", "bad name!", producer_byte_rate=5)
    with pytest.raises(ConfigError):
        kafka_quotas.set_quota("127.0.0.1:1", "c", entity_type="groups", producer_byte_rate=5)
