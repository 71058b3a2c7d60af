"""Client CPU per record, measured through the real drivers on the live stack."""

from __future__ import annotations

import pytest

from streamcompare.probes import client_cpu as interfaces
from streamcompare.reference.code_samples import code_samples

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(("system", "settings"), [
    ("kafka", {"acks": "all"}),
    ("kinesis", {"producer_mode": "put_records"}),
])
def test_client_cpu_per_record_is_measured(live_stack, system: str, settings: dict[str, str]) -> None:
    row = interfaces.client_cpu_per_record(live_stack.target(), system, settings, records=300)
    assert row["acked"] == 300
    assert 0 < row["cpu_us_per_record"] < 100_000


def test_code_samples_come_from_the_drivers() -> None:
    samples = code_samples()
    assert set(samples.system) == {"kafka", "kinesis"}
    assert samples.code.str.contains("def ").all()
    assert samples.loc[samples.operation == "produce", "code"].iloc[0].count("produce(") >= 1
