"""Scores of the latency and cost criteria on hand-made evidence (modelled figures, no stored run)."""

from __future__ import annotations

import math

import pytest

from streamcompare.criteria import cost, latency
from streamcompare.criteria.contract import OPTIONS

pytestmark = pytest.mark.unit


def _latency() -> latency.Evidence:
    return latency.Evidence((), (), False)


def test_latency_scores_follow_the_modelled_totals_and_the_budget_caps_them_at_3() -> None:
    evidence, knobs = _latency(), latency.Knobs(latency_budget_ms=5000.0)
    totals = latency.cloud_totals(evidence, knobs)
    scores = latency.scores(evidence, knobs)
    assert set(scores) == set(OPTIONS) and all(s.evidence == "modelled" for s in scores.values())
    for option, system in (("kafka-self-managed", "kafka"), ("msk", "kafka"), ("kinesis", "kinesis")):
        ms = totals[system, "end-to-end"]
        assert scores[option].value == pytest.approx(round(10 - 2 * math.log10(max(ms, 1.0)), 2))
    tight = latency.scores(evidence, latency.Knobs(latency_budget_ms=5.0))
    assert all(s.value <= 3.0 for s in tight.values())
    assert "budget 5 ms" in tight["kinesis"].why


def test_latency_scores_without_a_measured_broker_say_modelled_only() -> None:
    scores = latency.scores(_latency(), latency.Knobs())
    assert "measured" not in scores["msk"].why


def test_cost_gives_10_to_the_cheapest_and_10_x_cheapest_over_theirs_to_the_others() -> None:
    from streamcompare.cost.prices import load_prices
    from streamcompare.cost.scenario import load_scenario
    from streamcompare.paths import project_root

    scenario = load_scenario(project_root() / "data" / "scenarios" / "default.yaml")
    evidence = cost.Evidence(scenario, load_prices(scenario.region))
    knobs = cost.initial_knobs(evidence)
    costs = cost.option_costs(cost.estimates(evidence, knobs))
    scores = cost.scores(evidence, knobs)
    cheapest = min(costs.values())
    assert max(s.value for s in scores.values()) == 10.0
    for option, usd in costs.items():
        assert scores[option].value == pytest.approx(round(10 * cheapest / usd, 2))
        assert scores[option].evidence == "modelled" and f"${usd:,.0f}" in scores[option].why


def test_cost_scores_stay_within_0_to_10_with_10_for_the_cheapest_at_low_and_high_rates() -> None:
    from streamcompare.cost.prices import load_prices
    from streamcompare.cost.scenario import load_scenario
    from streamcompare.paths import project_root

    scenario = load_scenario(project_root() / "data" / "scenarios" / "default.yaml")
    evidence = cost.Evidence(scenario, load_prices(scenario.region))
    for rate in (0.5, 50.0):
        knobs = cost.Knobs(write_mb_per_s=rate)
        scores = cost.scores(evidence, knobs)
        assert all(0 < s.value <= 10 for s in scores.values()) and 10.0 in {s.value for s in scores.values()}
