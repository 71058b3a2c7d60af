"""The reliability criterion's pure parts on synthetic fault rows: best setting, scores, view, headlines."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from streamcompare import charts
from streamcompare.criteria import reliability as crit
from streamcompare.criteria.contract import Chart, Table

pytestmark = pytest.mark.unit


def row(fault: str, setting: str, run: int, lost: int, gap: float, p99: float | None = 200.0) -> dict[str, Any]:
    return {"fault": fault, "setting": setting, "setting_label": setting, "run": run, "acked": 10_000, "lost": lost,
            "duplicates": 0, "reordered": 0, "failed": 0, "unavailable_s": gap, "isr_recovery_s": 12.0,
            "latency": {"during": {"p99_ms": p99}}, "healthy_after": True,
            "events": [{"t_s": 6.0, "event": "kill -9 node 2 (leader of partition 0)"},
                       {"t_s": 11.0, "event": "restart node 2"}],
            "timeline": {"bin_ms": 100, "fault_s": 6.0, "recovered_s": 18.0,
                         "acked": [100] * 60 + [0] * 20 + [100] * 40, "failed": [0] * 120}}


def evidence(rows: list[dict[str, Any]]) -> crit.Evidence:
    return crit.Evidence(delivery=pd.DataFrame(), documented=pd.DataFrame({"aspect": ["durability"]}),
                         documented_scores={"kafka-self-managed": 8.0, "msk": 8.5, "kinesis": 8.0}, as_of="2026-11",
                         faults=tuple(rows))


ROWS = [row("kill-leader", "acks1", r, lost, 1.0) for r, lost in ((1, 40), (2, 0), (3, 7))] + \
       [row("kill-leader", "all-isr2", r, 0, 3.0, 400.0) for r in (1, 2, 3)] + \
       [row("pause-leader", "all-isr2", r, 0, 11.0, 9000.0) for r in (1, 2, 3)] + \
       [row("two-down", "unclean-on", 1, 500, 2.0)]


def test_best_setting_skips_settings_that_lost_and_the_unclean_case() -> None:
    best = crit.best_setting(evidence(ROWS), crit.Knobs())
    assert best is not None and best["setting"] == "all-isr2"
    assert best["unavailable_s"] == 11.0 and best["p99_ms"] == 9000.0     # the worst fault counts
    assert best["cost"] == pytest.approx(11.0 * 0.25 + 9.0 * 0.05)


def test_scores_are_measured_for_kafka_and_documented_for_kinesis() -> None:
    knobs = crit.Knobs(points_per_unavailable_s=0.2, points_per_p99_s=0.0)
    got = crit.scores(evidence(ROWS), knobs)
    assert got["kafka-self-managed"].evidence == "measured"
    assert got["kafka-self-managed"].value == pytest.approx(10 - 11.0 * 0.2)
    assert got["msk"].value == got["kafka-self-managed"].value
    assert got["kinesis"].evidence == "documented" and got["kinesis"].value == 8.0
    assert "lost nothing" in got["msk"].why


def test_every_setting_lost_means_the_loss_penalty() -> None:
    got = crit.scores(evidence([row("kill-leader", "acks1", 1, 3, 1.0)]), crit.Knobs(loss_penalty=2))
    assert got["kafka-self-managed"].value == 6.0 and got["kafka-self-managed"].evidence == "measured"


def test_without_fault_rows_the_documented_scores_stand() -> None:
    got = crit.scores(evidence([]), crit.Knobs())
    assert got["kafka-self-managed"].value == 8.0 and got["kafka-self-managed"].evidence == "documented"


def test_view_has_the_matrix_and_a_timeline() -> None:
    v = crit.view(evidence(ROWS), crit.Knobs())
    tables = [b for b in v.blocks if isinstance(b, Table)]
    chart_blocks = [b for b in v.blocks if isinstance(b, Chart)]
    assert "lost acked" in tables[0].frame.columns and len(tables[0].frame) == 4
    assert len(chart_blocks) == 3          # kill-leader acks=1 and acks=all (run 1 of each), the unclean case
    spec = chart_blocks[0].chart.to_dict()
    assert spec["layer"][0]["mark"]["type"] == "line"
    assert "emulator" in " ".join(getattr(b, "text", "") for b in v.blocks)


def test_headlines_from_fault_rows() -> None:
    h = crit.headlines(evidence(ROWS), crit.Knobs())
    assert h["lost_acks_all_isr2"]["value"] == 0 and h["lost_acks1"]["value"] == 47
    assert h["leader_kill_gap_s"]["value"] == 3.0 and h["leader_kill_isr_s"]["value"] == 12.0
    empty = crit.headlines(evidence([]), crit.Knobs())
    assert empty["lost_acks1"]["value"] is None


def test_fault_timeline_chart_marks_events() -> None:
    df = pd.DataFrame({"t_s": [0.0, 0.1, 0.2], "series": ["acknowledged"] * 3, "value": [1000.0, 0.0, 900.0]})
    events = pd.DataFrame({"t_s": [0.1], "event": ["kill -9 node 1"]})
    spec = charts.fault_timeline(df, events, subtitle="x").to_dict()
    assert [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]] \
        == ["line", "rule", "text"]
    with pytest.raises(charts.ChartDataError):
        charts.fault_timeline(df.drop(columns="series"), events)


def test_verdict_names_the_measured_losses() -> None:
    text = crit.verdict(evidence(ROWS), crit.Knobs())
    assert "acks=1: 47 acknowledged record(s) lost" in text
    assert "acks=all + min.insync.replicas=2: 0 acknowledged" in text
    assert "unclean election on: 500" in text
    assert "emulator cannot lose data" in text
