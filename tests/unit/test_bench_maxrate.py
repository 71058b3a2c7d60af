import fakes
import pytest

from streamcompare.bench.maxrate import Trial, backlog_growth, confirm, judge, search, slope
from streamcompare.bench.runner import run_benchmark
from streamcompare.bench.workload import MaxRateSearch, validate_workload
from streamcompare.drivers.base import DriverRegistry
from streamcompare.target import Target

pytestmark = pytest.mark.unit

RULES = MaxRateSearch()


def windows(sent, acked, received, failed=None):
    failed = failed or [0] * len(sent)
    return [{"t_s": i, "sent": s, "acked": a, "received": r, "failed": f}
            for i, (s, a, r, f) in enumerate(zip(sent, acked, received, failed, strict=True))]


def throughput(rate, ack_rate, sent=None, failed=0, seconds=5.0):
    return {"ack_rate": ack_rate, "sent": sent if sent is not None else int(rate * seconds),
            "failed": failed, "measured_s": seconds}


def test_slope():
    assert slope([1, 3, 5, 7]) == pytest.approx(2.0)
    assert slope([4, 4, 4]) == 0 and slope([9]) == 0


def test_backlog_growth_uses_full_windows_only():
    steady = windows([100] * 5, [100] * 5, [100] * 5)
    assert backlog_growth(steady, 5, consumers=1) == pytest.approx(0)
    lagging = windows([100] * 5, [100] * 5, [80] * 5)  # consumer falls 20/s further behind
    assert backlog_growth(lagging, 5, consumers=1) == pytest.approx(20)
    assert backlog_growth(lagging, 5, consumers=0) == pytest.approx(0)  # publish-only: not judged
    unacked = windows([100] * 5, [70] * 5, [70] * 5)
    assert backlog_growth(unacked, 5, consumers=1) == pytest.approx(30)
    assert backlog_growth(steady, 2.5, consumers=1) is None  # fewer than 3 full windows


def test_judge_passes_a_good_trial_and_names_each_broken_rule():
    ok = windows([1000] * 5, [1000] * 5, [1000] * 5)
    good = judge(1000, throughput(1000, 990), {"p99": 5_000}, ok, 1, RULES)
    assert good.sustainable and good.reasons == []
    cases = {
        "achieved": judge(1000, throughput(1000, 900), {"p99": 5_000}, ok, 1, RULES),
        "publish delay": judge(1000, throughput(1000, 1000), {"p99": 150_000}, ok, 1, RULES),
        "failed": judge(1000, throughput(1000, 1000, failed=100), {"p99": 5_000}, ok, 1, RULES),
        "backlog": judge(1000, throughput(1000, 1000), {"p99": 5_000},
                         windows([1000] * 5, [1000] * 5, [900] * 5), 1, RULES),
        "no measured": judge(1000, throughput(1000, 1000), {"p99": None}, ok, 1, RULES),
    }
    for word, trial in cases.items():
        assert not trial.sustainable
        assert len(trial.reasons) == 1 and word in trial.reasons[0], trial.reasons


def capacity(limit):
    def trial(rate):
        return Trial(rate, rate <= limit, [] if rate <= limit else ["too fast"], min(rate, limit), 1.0, 0.0, 0.0)
    return trial


def test_search_doubles_then_bisects_to_the_edge():
    rules = MaxRateSearch(start_rate=500, precision=0.05, max_trials=20)
    best, trials = search(capacity(3000), rules)
    assert [t.rate for t in trials][:4] == [500, 1000, 2000, 4000]
    assert 3000 * (1 - rules.precision) <= best <= 3000
    assert all(t.sustainable == (t.rate <= 3000) for t in trials)


def test_search_goes_down_when_the_start_is_too_fast_and_stops_at_limits():
    best, trials = search(capacity(300), MaxRateSearch(start_rate=1000, precision=0.1))
    assert [t.rate for t in trials][:3] == [1000, 500, 250] and 270 <= best <= 300
    best, trials = search(capacity(10**9), MaxRateSearch(start_rate=100, ceiling=1000))
    assert best == 1000 and trials[-1].rate == 1000
    best, trials = search(capacity(0), MaxRateSearch(start_rate=4, max_trials=10))
    assert best is None and [t.rate for t in trials] == [4, 2, 1]
    _, trials = search(capacity(10**9), MaxRateSearch(start_rate=1, max_trials=3))
    assert len(trials) == 3


def test_confirmation_keeps_a_rate_that_holds_at_full_length():
    best, trials = confirm(capacity(3000), 2900, MaxRateSearch())
    assert best == 2900 and [(t.rate, t.phase) for t in trials] == [(2900, "confirm")]


def test_confirmation_steps_down_from_a_lucky_trial_and_can_find_nothing():
    rules = MaxRateSearch(precision=0.05, confirm_runs=3)
    best, trials = confirm(capacity(3000), 3100, rules)
    assert [t.rate for t in trials] == [3100, 2945] and best == 2945
    assert [t.sustainable for t in trials] == [False, True]
    best, trials = confirm(capacity(100), 3100, rules)
    assert best is None and len(trials) == 3 and not any(t.sustainable for t in trials)


def test_confirmation_is_skipped_without_an_answer_or_when_switched_off():
    assert confirm(capacity(3000), None, MaxRateSearch()) == (None, [])
    assert confirm(capacity(0), 500, MaxRateSearch(confirm_runs=0)) == (500, [])


def test_max_rate_run_finds_the_capacity_of_a_slow_client():
    # send blocks 4 ms: at most ~250 records/s get through, whatever is asked
    reg = DriverRegistry()
    reg.register("fake", fakes.FakeDriver)
    w = validate_workload({
        "name": "max", "rate": "max", "duration_s": 1, "record_bytes": 64, "drain_timeout_s": 2,
        "max_rate": {"start_rate": 100, "trial_s": 0.4, "trial_warmup_s": 0.05, "precision": 0.5,
                     "max_trials": 6}})
    r = run_benchmark("fake", Target.from_json({"broker": "maxrate", "send_block_ms": 4}), w, registry=reg,
                      consumer_in_subprocess=False, seed=2)
    searched = [t for t in r.trials if t["phase"] == "search"]
    confirmations = [t for t in r.trials if t["phase"] == "confirm"]
    assert r.mode == "max-rate" and 2 <= len(searched) <= 6 and 1 <= len(confirmations) <= 2
    best = r.throughput["sustainable_rate"]
    assert confirmations[-1]["sustainable"] and confirmations[-1]["rate"] == best
    assert confirmations[-1]["details"]["measured_s"] == 1  # the workload's full duration_s
    assert best is not None and 100 <= best <= 250
    assert r.throughput["target_rate"] == best
    assert any(not t["sustainable"] for t in r.trials)
    assert all(t["sustainable"] for t in r.trials if t["rate"] <= best)
