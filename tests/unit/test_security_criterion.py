"""criteria/security.py: scores from the matrices, cost and effort; the documented fallback; the page."""

from __future__ import annotations

import pandas as pd
import pytest

from streamcompare.criteria import security as criterion
from streamcompare.criteria.contract import Chart, Table
from streamcompare.reference import comparison

pytestmark = pytest.mark.unit


def _rows(n_ok: int, n_bad: int) -> list[dict[str, object]]:
    return ([{"principal": f"p{i}", "action": "a", "observed": "denied", "expected": "denied", "ok": True,
              "expected_aws": "denied"} for i in range(n_ok)]
            + [{"principal": f"q{i}", "action": "a", "observed": "allowed", "expected": "denied", "ok": False,
                "expected_aws": "denied"} for i in range(n_bad)])


COST = [{"kind": "run", "listener": listener, "rate": rate, "publish_p50_ms": 1.0, "publish_p99_ms": p99,
         "e2e_p50_ms": 2.0, "e2e_p99_ms": p99, "producer_cpu_us_per_record": 10.0, "consumer_cpu_us_per_record": 5.0,
         "broker_cpu_us_per_record": 20.0}
        for rate, (plain, sasl) in ((500, (4.0, 5.0)), (2000, (4.0, 6.0)))
        for listener, p99 in (("PLAINTEXT", plain), ("SSL", (plain + sasl) / 2), ("SASL_SSL", sasl))]
COST += [{"kind": "connect", "listener": "SASL_SSL", "connect_ms_p50": 30.0, "connect_ms_max": 40.0}]
EFFORT = [{"option": "Kafka self-managed (SASL_SSL + ACLs)", "commands": 16, "certificates": 4, "files": 8,
           "certificate_expiry": ["2027-11-30", "2031-11-29"]},
          {"option": "Kinesis (IAM)", "commands": 8, "certificates": 0, "policies": 3},
          {"option": "MSK with IAM access control", "evidence": "documented", "sources": "AWS"}]


def evidence(**kw: object) -> criterion.Evidence:
    return criterion.Evidence(comparison.table("security"), comparison.documented_scores("security"),
                              comparison.as_of(), **kw)  # type: ignore[arg-type]


def test_without_measurements_the_scores_are_documented() -> None:
    scores = criterion.scores(evidence(), criterion.Knobs())
    assert {s.evidence for s in scores.values()} == {"documented"}


def test_measured_scores_follow_enforcement_effort_and_cost() -> None:
    ev = evidence(kafka=_rows(56, 0), kinesis=_rows(56, 0), cost=COST, effort=EFFORT)
    scores = criterion.scores(ev, criterion.Knobs())
    assert scores["kafka-self-managed"].evidence == "measured" and scores["kinesis"].evidence == "emulated"
    assert scores["msk"].evidence == "documented"
    # 10 - 16/8 - 1 (rotation) - 2 * 0.5 (SASL_SSL +50 % e2e p99 at 2000/s)
    assert scores["kafka-self-managed"].value == pytest.approx(6.0)
    assert scores["kinesis"].value == pytest.approx(9.0)
    assert "+50%" in scores["kafka-self-managed"].why
    skilled = criterion.scores(ev, criterion.Knobs(has_kafka_security_skills=True))
    assert skilled["kafka-self-managed"].value == pytest.approx(7.0)
    broken = criterion.scores(evidence(kafka=_rows(28, 28), cost=COST, effort=EFFORT), criterion.Knobs())
    assert broken["kafka-self-managed"].value == pytest.approx(1.0)


def test_sasl_overhead_uses_the_highest_rate() -> None:
    assert criterion.sasl_overhead(COST) == (pytest.approx(0.5), 2000)
    assert criterion.sasl_overhead([]) is None


def test_page_shows_matrices_chart_effort_and_documented_table() -> None:
    ev = evidence(kafka=_rows(2, 1), kinesis=_rows(2, 0), cost=COST, effort=EFFORT)
    page = criterion.view(ev, criterion.Knobs())
    tables = [b for b in page.blocks if isinstance(b, Table)]
    assert len([b for b in page.blocks if isinstance(b, Chart)]) == 1
    assert any("MISMATCH" in str(t.frame.to_dict()) for t in tables)
    effort = next(t.frame for t in tables if "commands" in t.frame.columns)
    assert list(effort["option"]) == [e["option"] for e in EFFORT]
    assert tables[-1].frame.equals(ev.documented)
    assert "broke the rules" in page.verdict and "+50%" in page.verdict
    chart = criterion.cost_chart_data(COST)
    assert set(chart.metric) == {"publish p99", "e2e p99"} and len(chart) == 12
    assert "sasl_overhead" in criterion.headlines(ev, criterion.Knobs())


def test_plaintext_page_says_how_to_measure() -> None:
    page = criterion.view(evidence(note="To measure: " + criterion.HOW_TO_MEASURE), criterion.Knobs())
    assert "--security sasl_ssl" in page.blocks[0].text  # type: ignore[union-attr]
    assert isinstance(criterion.cost_frame([]), pd.DataFrame)
