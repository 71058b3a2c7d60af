import pytest
from fakes import make_result

from streamcompare.bench.summary import COLUMNS, summary_table

pytestmark = pytest.mark.unit


def test_summary_has_one_row_per_run_in_milliseconds():
    table = summary_table([make_result("kafka"), make_result("kinesis")])
    assert list(table.columns) == COLUMNS and len(table) == 2
    kafka = table.iloc[0]
    assert kafka.publish_p50_ms == pytest.approx(0.2, rel=1e-2)
    assert kafka.publish_max_ms == pytest.approx(5.0, rel=1e-2)
    assert kafka.achieved_rate == 199.5 and kafka.target_rate == 200
    assert table.iloc[1].target == "local (emulator)" and kafka.target == "local"
    assert table.e2e_p99_ms.isna().all()  # nothing measured is not zero latency
    assert len(summary_table(make_result())) == 1
