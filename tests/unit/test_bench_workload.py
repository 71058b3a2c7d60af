from pathlib import Path

import pytest
import yaml

from streamcompare.bench.workload import Workload, builtin_workload, load_workload, validate_workload
from streamcompare.errors import ConfigError
from streamcompare.paths import data_dir

pytestmark = pytest.mark.unit

MINIMAL = {"name": "t", "rate": 100, "duration_s": 5}


def config_error(data) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        validate_workload({**MINIMAL, **data})
    return info.value


@pytest.mark.parametrize("path", sorted((data_dir() / "workloads").glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_workload_is_valid(path: Path):
    w = load_workload(path)
    assert w.name == path.stem and w.schema_version == 1


def test_quick_workload_is_small():
    w = builtin_workload("quick")
    assert (w.rate, w.duration_s, w.warmup_s, w.record_bytes) == (200, 10, 2, 1024)
    assert (w.partitions, w.replication_factor, w.min_insync_replicas) == (3, 3, 2)
    assert builtin_workload("max-rate").is_max_rate and not w.is_max_rate


def test_bad_enum_names_the_field_and_the_allowed_values():
    err = config_error({"kafka": {"acks": "2"}})
    assert err.field == "kafka.acks"
    assert "'0', '1' or 'all'" in err.fix
    err = config_error({"kinesis": {"producer_mode": "batch"}})
    assert err.field == "kinesis.producer_mode" and "'put_records'" in err.fix
    assert config_error({"key_distribution": "zipf"}).field == "key_distribution"


def test_yaml_integer_acks_are_accepted():
    w = validate_workload({**MINIMAL, "kafka": yaml.safe_load("acks: 1")})
    assert w.kafka.acks == "1"
    assert validate_workload({**MINIMAL, "kafka": {"acks": -1}}).kafka.acks == "all"


def test_misspelt_field_is_named_with_the_allowed_ones():
    err = config_error({"kafka": {"linger": 5}})
    assert err.field == "kafka.linger" and "linger_ms" in err.fix
    assert config_error({"durations": 5}).field == "durations"


@pytest.mark.parametrize(("data", "field", "text"), [
    ({"record_bytes": 10}, "record_bytes", "24"),
    ({"rate": "fast"}, "rate", "'max'"),
    ({"rate": 0}, "rate", "positive"),
    ({"rate": True}, "rate", "positive"),
    ({"duration_s": 0}, "duration_s", "greater than 0"),
    ({"partitions": 0}, "partitions", "greater than or equal to 1"),
    ({"replication_factor": 2, "min_insync_replicas": 3}, "min_insync_replicas", "replication_factor"),
    ({"kafka": {"acks": "1", "idempotence": True}}, "kafka", "idempotence requires acks 'all'"),
    ({"name": "no spaces"}, "name", "pattern"),
])
def test_invalid_values_name_the_field(data, field, text):
    err = config_error(data)
    assert err.field == field
    assert text in str(err)


def test_missing_required_field_and_unknown_schema_version():
    with pytest.raises(ConfigError) as info:
        validate_workload({"name": "t", "rate": 5})
    assert info.value.field == "duration_s" and "missing" in str(info.value)
    assert config_error({"schema_version": 2}).field == "schema_version"


def test_workload_is_frozen():
    w = validate_workload(MINIMAL)
    with pytest.raises(Exception, match="frozen"):
        w.rate = 5  # type: ignore[misc]


def test_overrides_replace_fields_and_nested_settings_and_revalidate():
    w = validate_workload(MINIMAL)
    o = w.with_overrides(rate=500, kafka__acks="1", **{"kinesis.consumer_mode": "efo"})
    assert (o.rate, o.kafka.acks, o.kinesis.consumer_mode) == (500, "1", "efo")
    assert w.rate == 100 and isinstance(o, Workload)
    with pytest.raises(ConfigError) as info:
        w.with_overrides(kafka__acks="most")
    assert info.value.field == "kafka.acks"
    with pytest.raises(ConfigError):
        w.with_overrides(kafak__acks="1")


def test_file_errors_are_config_errors(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        load_workload(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match="YAML"):
        load_workload(bad)
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_workload(listed)
    with pytest.raises(ConfigError) as info:
        builtin_workload("nope")
    assert "quick" in info.value.fix


def test_each_driver_gets_flat_settings_of_its_own_system():
    w = validate_workload({**MINIMAL, "kafka": {"linger_ms": 0}, "kinesis": {"producer_mode": "put_record"}})
    kafka, kinesis, other = w.driver_settings("kafka"), w.driver_settings("kinesis"), w.driver_settings("fake")
    assert kafka["linger_ms"] == 0 and kafka["acks"] == "all" and "producer_mode" not in kafka
    assert kinesis["producer_mode"] == "put_record" and "linger_ms" not in kinesis
    assert other["linger_ms"] == 0 and other["producer_mode"] == "put_record"
    assert kafka["record_bytes"] == kinesis["record_bytes"] == 1024 and kafka["partitions"] == 1
