"""Weighted scoring, recommendation, margin and the weight changes that flip it."""

from __future__ import annotations

import pandas as pd
import pytest

from streamcompare.decision import decide, scores_frame
from streamcompare.errors import ConfigError

pytestmark = pytest.mark.unit

SCORES = {
    "latency": {"kafka": (9, "measured"), "kinesis": (6, "measured")},
    "cost": {"kafka": (5, "modelled"), "kinesis": (8, "modelled")},
    "operations": {"kafka": (4, "documented"), "kinesis": (9, "documented")},
}
WEIGHTS = {"latency": 8, "cost": 5, "operations": 2}
# kafka: 9*8 + 5*5 + 4*2 = 105, kinesis: 6*8 + 8*5 + 9*2 = 106 (of 15 weight)


def test_totals_are_weighted_averages_and_the_best_is_recommended() -> None:
    result = decide(SCORES, WEIGHTS)
    assert result.totals == pytest.approx({"kinesis": 106 / 15, "kafka": 105 / 15})
    assert list(result.totals) == ["kinesis", "kafka"]
    assert (result.recommendation, result.runner_up) == ("kinesis", "kafka")
    assert result.margin == pytest.approx(1 / 15)
    contributions = result.contributions.groupby("option")["weighted"].sum()
    assert contributions["kinesis"] == pytest.approx(result.totals["kinesis"])


def test_sensitivity_gives_the_smallest_flipping_change_per_criterion() -> None:
    flips = {f.criterion: f for f in decide(SCORES, WEIGHTS).sensitivity}
    # raising latency by d: kafka gains 3d, so 3d = 1 -> 8.333
    assert flips["latency"].up_at == pytest.approx(25 / 3) and flips["latency"].up_to == "kafka"
    assert flips["latency"].down_at is None
    # lowering cost by d: kinesis loses 3d -> 5 - 1/3; lowering operations by d: kinesis loses 5d -> 1.8
    assert flips["cost"].down_at == pytest.approx(14 / 3) and flips["cost"].up_at is None
    assert flips["operations"].down_at == pytest.approx(1.8) and flips["operations"].down_to == "kafka"
    assert decide(SCORES, WEIGHTS).most_sensitive().criterion == "operations"


def test_the_flip_point_really_flips() -> None:
    base = decide(SCORES, WEIGHTS)
    at = next(f for f in base.sensitivity if f.criterion == "latency").up_at
    assert decide(SCORES, {**WEIGHTS, "latency": at - 0.01}).recommendation == "kinesis"
    assert decide(SCORES, {**WEIGHTS, "latency": at + 0.01}).recommendation == "kafka"


def test_no_flip_within_range_is_reported_as_none() -> None:
    dominant = {"latency": {"a": (9, "measured"), "b": (1, "measured")},
                "cost": {"a": (9, "modelled"), "b": (2, "modelled")}}
    result = decide(dominant, {"latency": 5, "cost": 5})
    assert all(f.up_at is None and f.down_at is None for f in result.sensitivity)
    assert result.sensitivity[0].describe() == "none within 0..10"
    assert result.most_sensitive() is None
    assert "no single weight change" in result.headlines()["most_sensitive"]["value"]


def test_the_nearest_of_several_rivals_takes_over() -> None:
    scores = {"x": {"a": (5, "measured"), "b": (9, "measured"), "c": (10, "measured")},
              "y": {"a": (9, "modelled"), "b": (6, "modelled"), "c": (5, "modelled")}}
    flip = decide(scores, {"x": 1, "y": 5}).sensitivity[0]
    # a: 5w + 45, b: 9w + 30 (crosses at 3.75), c: 10w + 25 (crosses at 4)
    assert (flip.criterion, flip.up_at, flip.up_to) == ("x", 3.75, "b")


def test_a_tie_gives_no_recommendation() -> None:
    tie = {"latency": {"a": (5, "measured"), "b": (5, "measured")}}
    result = decide(tie, {"latency": 3})
    assert result.recommendation is None and result.margin == 0 and result.sensitivity == ()
    assert result.headlines()["recommendation"]["value"] == "tie"


def test_weighted_but_unscored_criteria_are_left_out_and_listed() -> None:
    result = decide(SCORES, {**WEIGHTS, "security": 9})
    assert result.missing_criteria == ("security",)
    assert result.totals == pytest.approx(decide(SCORES, WEIGHTS).totals)
    assert result.headlines()["not_scored"]["value"] == "security"


def test_evidence_share_follows_the_weights() -> None:
    share = decide(SCORES, WEIGHTS).evidence_share
    assert share == pytest.approx({"measured": 8 / 15, "emulated": 0.0, "modelled": 5 / 15, "documented": 2 / 15})


@pytest.mark.parametrize(("scores", "weights", "match"), [
    ({"latency": {"a": (11, "measured"), "b": (1, "measured")}}, {"latency": 1}, "within 0..10"),
    ({"latency": {"a": (1, "guessed"), "b": (1, "measured")}}, {"latency": 1}, "unknown evidence"),
    ({"latency": {"a": (1, "measured"), "b": (1, "measured")}, "cost": {"a": (1, "modelled")}},
     {"latency": 1, "cost": 1}, "missing"),
    (SCORES, {"latency": 1}, "no weight for criteria"),
    (SCORES, {**WEIGHTS, "latency": 11}, "weights must be within"),
    (SCORES, dict.fromkeys(WEIGHTS, 0), "add up to 0"),
    ({}, {}, "no scores"),
])
def test_invalid_input_is_a_config_error(scores: dict, weights: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        decide(scores, weights)


def test_dataframe_input_and_duplicates() -> None:
    frame = scores_frame(SCORES)
    assert decide(frame, WEIGHTS).recommendation == "kinesis"
    with pytest.raises(ConfigError, match="more than one score"):
        decide(pd.concat([frame, frame.head(1)]), WEIGHTS)


def test_sensitivity_frame_and_headlines_are_complete() -> None:
    result = decide(SCORES, WEIGHTS)
    frame = result.sensitivity_frame()
    assert set(frame["criterion"]) == set(WEIGHTS) and frame["flip"].str.len().min() > 0
    headlines = result.headlines()
    assert headlines["recommendation"]["value"] == "kinesis"
    assert {"score_kafka", "score_kinesis", "margin", "runner_up"} <= set(headlines)
