"""Property tests (hypothesis) of the validators users feed: workloads, scenarios, report configs, price files.

For any input, a validator either returns a model that obeys the kit's rules (finite numbers, min <= max,
min ISR <= RF) or raises ConfigError naming a field: never another exception, never accepted nonsense.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamcompare.bench.workload import Workload, validate_workload
from streamcompare.config import parse_config
from streamcompare.cost.prices import load_price_table
from streamcompare.cost.scenario import Scenario, scenario_from_dict
from streamcompare.errors import ConfigError
from streamcompare.yamlio import non_finite, parse_yaml

pytestmark = pytest.mark.unit
PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

numbers = st.one_of(st.integers(-10**7, 10**7), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0, 1, -1, 0.5, float("nan"), float("inf"), float("-inf"), "nan", "inf", "-inf",
                                     "1e400", "", None, True, "max", "all", "10"]))
scalars = st.one_of(numbers, st.text(max_size=12), st.booleans(), st.none())
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)


def mapping_over(fields: list[str], nested: dict[str, list[str]]) -> st.SearchStrategy[dict[str, Any]]:
    """Mappings mostly over real field names (so validation gets deep), with random values."""
    key = st.one_of(st.sampled_from(fields), st.text(max_size=6))
    sections = {name: st.dictionaries(st.sampled_from(inner), values, max_size=4) for name, inner in nested.items()}
    top = st.dictionaries(key, values, max_size=8)
    return st.tuples(top, st.fixed_dictionaries({}, optional=sections)).map(lambda t: {**t[0], **t[1]})


def all_finite(data: Any) -> bool:
    return non_finite(data) is None and not any(isinstance(v, float) and not math.isfinite(v)
                                                for v in _leaves(data))


def _leaves(data: Any) -> list[Any]:
    if isinstance(data, dict):
        return [x for v in data.values() for x in _leaves(v)]
    if isinstance(data, list):
        return [x for v in data for x in _leaves(v)]
    return [data]


WORKLOAD_FIELDS = list(Workload.model_fields)


@PROFILE
@given(mapping_over(WORKLOAD_FIELDS, {"kafka": ["acks", "linger_ms", "batch_size", "compression", "idempotence"],
                                      "kinesis": ["producer_mode", "poll_interval_ms", "on_demand"],
                                      "max_rate": ["start_rate", "ceiling", "trial_s", "precision"]}),
       st.fixed_dictionaries({"name": st.sampled_from(["w", "bad name", ""]), "rate": numbers,
                              "duration_s": numbers}))
def test_workload_validator(data: dict[str, Any], base: dict[str, Any]) -> None:
    try:
        w = validate_workload({**base, **data})
    except ConfigError as exc:
        assert exc.field
        return
    dumped = w.model_dump()
    assert all_finite(dumped)
    assert w.min_insync_replicas <= w.replication_factor
    assert w.duration_s > 0 and (w.rate == "max" or w.rate >= 1)
    assert validate_workload(dumped) == w  # what the kit accepted, it accepts again


SCENARIO_FIELDS = list(Scenario.model_fields)


@PROFILE
@given(mapping_over(SCENARIO_FIELDS, {"sizing": ["headroom", "min_volume_gb", "max_volume_gb", "kinesis_kb_bytes",
                                                 "broker_network_mb_per_s"],
                                      "ops": ["include", "usd_per_hour", "hours_per_month"]}))
def test_scenario_validator(data: dict[str, Any]) -> None:
    try:
        s = scenario_from_dict(data)
    except ConfigError as exc:
        assert exc.field
        return
    assert all_finite(s.model_dump())
    assert s.sizing.min_volume_gb <= s.sizing.max_volume_gb
    assert s.write_mb_per_s > 0 and s.ops.usd_per_hour >= 0
    assert all(h >= 0 for h in s.ops.hours_per_month.values())


@PROFILE
@given(mapping_over(["mode", "timeout_s", "notebooks", "parameters", "target", "colour"],
                    {"target": ["kind", "local", "kafka", "aws"]}))
def test_report_config_validator(data: dict[str, Any]) -> None:
    try:
        config = parse_config(data)
    except ConfigError as exc:
        assert exc.field
        return
    assert config.timeout_s > 0 and config.mode in ("live", "replay")
    assert all_finite(config.model_dump(mode="python"))


price_entry = st.fixed_dictionaries({"key": st.sampled_from(["kinesis-shard-hour", "a", ""]), "usd": numbers,
                                     "unit": st.sampled_from(["h", ""]), "source": st.just("s"),
                                     "as_of": st.sampled_from(["2024-07-01", "yesterday", 5]),
                                     "verified": st.sampled_from([True, False, "maybe"])})


@PROFILE
@given(entries=st.lists(price_entry, max_size=3), version=st.sampled_from([1, 2, 0, "x"]))
def test_price_file_validator(entries: list[dict[str, Any]], version: Any,
                              tmp_path_factory: pytest.TempPathFactory) -> None:
    path = Path(tmp_path_factory.mktemp("prices")) / "aws-us-east-1-2024-07-01.yaml"
    data = {"schema_version": version, "region": "us-east-1", "prices_date": "2024-07-01", "captured_from": "t",
            "prices": entries}
    path.write_text(yaml.safe_dump(data))  # NaN and infinity are written as .nan and .inf
    try:
        table = load_price_table(path)
    except ConfigError as exc:
        assert exc.field
        return
    for price in table.prices.values():
        assert price.usd is None or (math.isfinite(price.usd) and price.usd >= 0)


@PROFILE
@given(st.text(max_size=80))
def test_yaml_reader_never_raises_anything_but_config_error(text: str) -> None:
    try:
        data = parse_yaml(text, source="fuzz", field="fuzz")
    except ConfigError as exc:
        assert exc.field
        return
    assert data is None or isinstance(data, str | int | float | bool | list | dict)


@PROFILE
@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(), min_size=1, max_size=3),
       st.sampled_from(["a", "b", "c"]))
def test_a_repeated_key_is_always_refused(data: dict[str, int], again: str) -> None:
    text = yaml.safe_dump(data) + f"{again}: 1\n"
    if again in data:
        with pytest.raises(ConfigError, match="appears twice"):
            parse_yaml(text, source="t", field="t")
    else:
        assert parse_yaml(text, source="t", field="t") == {**data, again: 1}


non_finite_values = st.sampled_from([float("nan"), float("inf"), float("-inf"), "nan", "NaN", "inf", "-Infinity"])
finite = st.floats(min_value=0.001, max_value=1000, allow_nan=False, allow_infinity=False)


@PROFILE
@given(field=st.sampled_from(["duration_s", "warmup_s", "drain_timeout_s", "max_rate.trial_s",
                              "max_rate.precision", "max_rate.max_delay_p99_ms"]),
       bad=non_finite_values, duration=finite)
def test_workload_refuses_any_non_finite_number_and_names_it(field: str, bad: Any, duration: float) -> None:
    base = validate_workload({"name": "w", "rate": 10, "duration_s": duration})
    assert base.duration_s == duration  # the valid base is accepted
    with pytest.raises(ConfigError) as caught:
        base.with_overrides(**{field: bad})
    assert caught.value.field == field


@PROFILE
@given(field=st.sampled_from(["write_mb_per_s", "retention_hours", "hours_per_month", "ops.usd_per_hour",
                              "sizing.headroom", "sizing.min_volume_gb", "sizing.express_in_mb_per_s"]),
       bad=non_finite_values)
def test_scenario_refuses_any_non_finite_number_and_names_it(field: str, bad: Any) -> None:
    section, _, name = field.rpartition(".")
    data: dict[str, Any] = {section: {name: bad}} if section else {name: bad}
    with pytest.raises(ConfigError) as caught:
        scenario_from_dict(data)
    assert caught.value.field == field


@PROFILE
@given(low=st.floats(1, 20_000), high=st.floats(1, 20_000))
def test_scenario_volume_range_is_consistent(low: float, high: float) -> None:
    data = {"sizing": {"min_volume_gb": low, "max_volume_gb": high}}
    if low <= high:
        assert scenario_from_dict(data).sizing.min_volume_gb == low
    else:
        with pytest.raises(ConfigError, match="min_volume_gb"):
            scenario_from_dict(data)


@PROFILE
@given(rf=st.integers(1, 16), isr=st.integers(1, 16), rate=st.integers(1, 10**6),
       record=st.integers(24, 10 * 1024 * 1024))
def test_workload_ranges_are_consistent(rf: int, isr: int, rate: int, record: int) -> None:
    data = {"name": "w", "rate": rate, "duration_s": 1, "replication_factor": rf, "min_insync_replicas": isr,
            "record_bytes": record}
    if isr <= rf:
        assert validate_workload(data).min_insync_replicas == isr
    else:
        with pytest.raises(ConfigError) as caught:
            validate_workload(data)
        assert caught.value.field == "min_insync_replicas"


@PROFILE
@given(usd=st.one_of(finite, non_finite_values))
def test_price_file_refuses_non_finite_prices(usd: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = Path(tmp_path_factory.mktemp("prices")) / "aws-us-east-1-2024-07-01.yaml"
    path.write_text(yaml.safe_dump({"schema_version": 1, "region": "us-east-1", "prices_date": "2024-07-01",
                                    "captured_from": "t", "prices": [{"key": "k", "usd": usd, "unit": "h",
                                                                      "source": "s", "as_of": "2024-07-01",
                                                                      "verified": True}]}))
    if isinstance(usd, float) and math.isfinite(usd):
        assert load_price_table(path).prices["k"].usd == usd
    else:
        with pytest.raises(ConfigError) as caught:
            load_price_table(path)
        assert "usd" in (caught.value.field or "")
