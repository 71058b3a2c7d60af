"""Scenario validation: defaults match the sample file; bad values name the field and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamcompare.cost.scenario import (
    DEFAULT_OPS_HOURS,
    Scenario,
    default_scenario_path,
    load_scenario,
    scenario_from_dict,
)
from streamcompare.errors import ConfigError

pytestmark = pytest.mark.unit


def test_sample_scenario_file_equals_the_defaults() -> None:
    loaded = load_scenario(default_scenario_path())
    assert loaded == Scenario()
    assert (loaded.sizing.kinesis_kb_bytes, loaded.sizing.gb_bytes, loaded.compression_ratio) == (1024, 2**30, 1)
    assert (loaded.write_mb_per_s, loaded.avg_record_bytes, loaded.consumers, loaded.retention_hours,
            loaded.availability_zones, loaded.replication_factor) == (10, 1000, 2, 24, 3, 3)


def test_derived_rates() -> None:
    s = scenario_from_dict({"write_mb_per_s": 2.5, "avg_record_bytes": 5000, "hours_per_month": 720})
    assert s.write_bytes_per_s == 2_500_000  # decimal MB
    assert s.records_per_s == 500
    assert s.seconds_per_month == 720 * 3600


@pytest.mark.parametrize(("data", "field", "fix_word"), [
    ({"write_mb_per_s": 0}, "write_mb_per_s", "MB/s"),
    ({"write_mb_per_s": "fast"}, "write_mb_per_s", "MB/s"),
    ({"avg_record_bytes": 0}, "avg_record_bytes", "10485760"),
    ({"consumers": -1}, "consumers", "consumer"),
    ({"retention_hours": 9000}, "retention_hours", "8760"),
    ({"replication_factor": 0}, "replication_factor", "3"),
    ({"hours_per_month": 800}, "hours_per_month", "730"),
    ({"region": "US East"}, "region", "us-east-1"),
    ({"efo": True, "consumers": 21}, "efo", "20"),
    ({"ops": {"hours_per_month": {"kafka-k8s": 3}}}, "ops.hours_per_month", "kafka-ec2"),
    ({"sizing": {"broker_instance": "m7g.large"}}, "sizing.broker_instance", "SizingAssumptions"),
    ({"sizing": {"kinesis_kb_bytes": 1023}}, "sizing.kinesis_kb_bytes", "SizingAssumptions"),
])
def test_bad_values_name_the_field_and_the_fix(data: dict, field: str, fix_word: str) -> None:
    with pytest.raises(ConfigError) as info:
        scenario_from_dict(data)
    assert info.value.field == field
    assert fix_word in (info.value.fix or "")


def test_messages_carry_the_allowed_values() -> None:
    with pytest.raises(ConfigError, match="allowed: m5.large, m5.xlarge"):
        scenario_from_dict({"sizing": {"broker_instance": "m7g.large"}})
    with pytest.raises(ConfigError, match="at most 20 enhanced fan-out consumers"):
        scenario_from_dict({"efo": True, "consumers": 21})


def test_unknown_field_lists_the_allowed_fields() -> None:
    with pytest.raises(ConfigError) as info:
        scenario_from_dict({"write_mbps": 10})
    assert info.value.field == "write_mbps"
    assert "write_mb_per_s" in (info.value.fix or "")


def test_partial_ops_hours_keep_the_other_defaults() -> None:
    s = scenario_from_dict({"ops": {"hours_per_month": {"kafka-ec2": 20}}})
    assert s.ops.hours_per_month["kafka-ec2"] == 20
    assert s.ops.hours_per_month["msk-provisioned"] == DEFAULT_OPS_HOURS["msk-provisioned"]


def test_with_changes_revalidates() -> None:
    assert Scenario().with_changes(write_mb_per_s=3).write_mb_per_s == 3
    with pytest.raises(ConfigError):
        Scenario().with_changes(write_mb_per_s=-3)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_scenario(tmp_path / "missing.yaml")
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_scenario(listed)
    broken = tmp_path / "broken.yaml"
    broken.write_text("write_mb_per_s: [1\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_scenario(broken)
