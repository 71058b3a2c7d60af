"""Scores of the interfaces and operations criteria on hand-made evidence (documented judgement + adjustments)."""

from __future__ import annotations

import pandas as pd
import pytest

from streamcompare.criteria import programming_interfaces as api
from streamcompare.criteria import scaling_operations as ops

pytestmark = pytest.mark.unit
DOCUMENTED = {"kafka-self-managed": 6.0, "msk": 7.0, "kinesis": 8.0}


def _api(cpu_rows: list[dict[str, object]]) -> api.Evidence:
    return api.Evidence(pd.DataFrame(cpu_rows), pd.DataFrame(), DOCUMENTED, "2026-01-01")


def _ops() -> ops.Evidence:
    return ops.Evidence(pd.DataFrame(), pd.DataFrame(), DOCUMENTED, "2026-01-01")


def test_interfaces_without_needs_or_measurements_are_the_documented_judgement() -> None:
    scores = api.scores(_api([]), api.Knobs())
    assert {o: s.value for o, s in scores.items()} == DOCUMENTED
    assert all(s.evidence == "documented" for s in scores.values())


def test_interfaces_exactly_once_costs_kinesis_3_and_plain_http_costs_kafka_2() -> None:
    scores = api.scores(_api([]), api.Knobs(needs_exactly_once=True, needs_plain_http=True))
    assert {o: s.value for o, s in scores.items()} == {"kafka-self-managed": 4.0, "msk": 5.0, "kinesis": 5.0}
    assert "no transactions (-3)" in scores["kinesis"].why and "HTTP proxy (-2)" in scores["msk"].why


def test_interfaces_a_client_needing_more_than_one_core_loses_1() -> None:
    rows = [{"system": "kafka", "mode": "acks=all", "cpu_us_per_record": 50.0},
            {"system": "kinesis", "mode": "put_records", "cpu_us_per_record": 100.0}]
    # at 15,000 records/s: Kafka 0.75 cores (no change), Kinesis 1.5 cores (-1)
    scores = api.scores(_api(rows), api.Knobs(write_records_per_s=15_000.0))
    assert {o: s.value for o, s in scores.items()} == {"kafka-self-managed": 6.0, "msk": 7.0, "kinesis": 7.0}
    assert "1.5 cores (-1)" in scores["kinesis"].why


def test_operations_a_kafka_team_adds_2_to_self_managed_and_many_reshards_cost_kinesis_2() -> None:
    assert {o: s.value for o, s in ops.scores(_ops(), ops.Knobs()).items()} == DOCUMENTED
    scores = ops.scores(_ops(), ops.Knobs(has_kafka_team=True, scaling_events_per_day=11))
    assert {o: s.value for o, s in scores.items()} == {"kafka-self-managed": 8.0, "msk": 7.0, "kinesis": 6.0}
    assert ops.scores(_ops(), ops.Knobs(scaling_events_per_day=10))["kinesis"].value == 8.0


def test_operations_scores_stay_within_0_to_10() -> None:
    evidence = ops.Evidence(pd.DataFrame(), pd.DataFrame(), {**DOCUMENTED, "kafka-self-managed": 9.5}, "")
    assert ops.scores(evidence, ops.Knobs(has_kafka_team=True))["kafka-self-managed"].value == 10.0
