"""The flow-control page with live rows: measured tables, the note on the simulation, evidence kinds."""

from __future__ import annotations

import pandas as pd
import pytest

from streamcompare.criteria import flow_control as fc
from streamcompare.criteria.contract import Table

pytestmark = pytest.mark.unit

KINESIS = [
    {"system": "Kinesis (emulated)", "shards": s, "retries": r, "offered": 6000, "accepted": a,
     "throttled_fraction_measured": m, "throttled_fraction_simulated": sim, "throttled_entries": 6000 - a,
     "retried_entries": 300 if r else 0, "lost": 0 if r else None, "publish_p50_ms": 30.0, "publish_p99_ms": 90.0}
    for s, r, a, m, sim in [(1, False, 4700, 0.21, 0.222), (2, False, 5700, 0.05, 0.056), (5, False, 6000, 0.0, 0.0),
                            (2, True, 6000, 0.0, 0.056)]]
KAFKA = [{"system": "Kafka (measured)", "quota_bytes_per_s": 100_000, "offered_bytes_per_s": 200_000,
          "achieved_bytes_per_s": 104_000, "throttle_p50_ms": 450.0, "throttle_p99_ms": 980.0, "failed": 0,
          "lost": 0, "publish_p50_ms": 900.0, "publish_p99_ms": 3900.0}]


def test_live_rows_show_as_measured_tables_with_the_simulation_beside() -> None:
    evidence = fc.Evidence(pd.DataFrame(KINESIS), pd.DataFrame(KAFKA))
    view = fc.view(evidence, fc.Knobs())
    tables = [b for b in view.blocks if isinstance(b, Table)]
    kinesis = fc.measured_kinesis_table(evidence)
    assert list(kinesis["throttled, measured (%)"]) == [21.0, 5.0, 0.0, 0.0]
    assert "emulated" in tables[0].caption and "measured" in tables[1].caption
    note = fc.measured_note(evidence)
    assert "within 1.2 percentage points" in note and "at 5 shard(s)" in note and "0.0%" in note
    assert "emulated" in note


def test_kafka_score_rests_on_the_quota_run_when_there_is_one() -> None:
    live = fc.scores(fc.Evidence(pd.DataFrame(KINESIS), pd.DataFrame(KAFKA)), fc.Knobs())
    assert live["kafka-self-managed"].evidence == "measured" and "980" in live["kafka-self-managed"].why
    lossy = fc.scores(fc.Evidence(kafka=pd.DataFrame([{**KAFKA[0], "failed": 3}])), fc.Knobs())
    assert lossy["msk"].value < live["msk"].value
    assert fc.scores(fc.Evidence(), fc.Knobs())["kafka-self-managed"].evidence == "modelled"


def test_without_live_rows_the_page_is_the_simulation() -> None:
    view = fc.view(fc.Evidence(note="No live flow-control runs stored for this run: simulated only."), fc.Knobs())
    assert "simulated only" in view.blocks[0].text  # type: ignore[union-attr]
