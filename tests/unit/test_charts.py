"""Chart builders on chart.to_dict(), the row limit, the theme, and static SVG rendering."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from streamcompare import charts
from streamcompare.frontend import HEADLESS_ENV

pytestmark = pytest.mark.unit


def latency_frame() -> pd.DataFrame:
    rows = [{"system": system, "mode": mode, "quantile": q, "value_us": v * factor}
            for system, factor in (("kafka", 1), ("kinesis", 3)) for mode in ("fixed-rate", "max-rate")
            for q, v in zip(charts.QUANTILE_ORDER, (500, 900, 2000, 4000, 8000, 16000), strict=True)]
    return pd.DataFrame(rows)


def sweep_frame() -> pd.DataFrame:
    values = [1, 10, 100]
    return pd.DataFrame({"option": ["msk"] * 3 + ["kinesis"] * 3, "value": values * 2,
                         "monthly_usd": [500, 600, 900, 30, 300, 3000]})


def spec(chart: alt.TopLevelMixin) -> dict:
    return chart.to_dict()


def test_theme_is_registered_enabled_and_applied() -> None:
    assert alt.theme.active == charts.THEME
    config = spec(charts.cost_bars(pd.DataFrame({"option": ["a"], "item": ["x"], "monthly_usd": [1.0]})))["config"]
    assert config["range"]["category"] == list(charts.PALETTE)


def test_latency_percentiles_log_scale_in_ms_sorted_quantiles_and_modes() -> None:
    chart = spec(charts.latency_percentiles(latency_frame()))
    encoding = chart["encoding"]
    assert encoding["y"]["scale"]["type"] == "log" and encoding["y"]["field"] == "value_ms"
    assert encoding["x"]["sort"] == list(charts.QUANTILE_ORDER)
    assert encoding["color"]["field"] == "system" and encoding["strokeDash"]["field"] == "mode"
    values = next(iter(chart["datasets"].values()))
    assert {round(v["value_ms"], 3) for v in values if v["system"] == "kafka"} >= {0.5, 16.0}


def test_latency_percentiles_drops_zero_values_and_says_so() -> None:
    frame = latency_frame()
    frame.loc[0, "value_us"] = 0
    chart = spec(charts.latency_percentiles(frame))
    assert "1 missing or zero value(s) not shown" in chart["title"]["subtitle"]
    assert len(next(iter(chart["datasets"].values()))) == len(frame) - 1


def test_latency_percentiles_facets_by_metric_when_several() -> None:
    frame = pd.concat([latency_frame().assign(metric="e2e_latency"), latency_frame().assign(metric="publish")])
    assert spec(charts.latency_percentiles(frame))["facet"]["column"]["field"] == "metric"


def test_latency_trend_uses_utc_time() -> None:
    frame = pd.DataFrame({"utc": ["2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z"], "system": "kafka",
                          "quantile": ["p99", "p99"], "value_ms": [2.0, 3.0]})
    encoding = spec(charts.latency_trend(frame))["encoding"]
    assert encoding["x"]["type"] == "temporal" and encoding["x"]["scale"]["type"] == "utc"
    assert "UTC" in encoding["x"]["title"]


def test_cost_bars_stack_items_and_sort_options_by_total() -> None:
    frame = pd.DataFrame({"option": ["big", "big", "small"], "item": ["brokers", "storage", "shards"],
                          "monthly_usd": [700.0, 300.0, 50.0]})
    encoding = spec(charts.cost_bars(frame))["encoding"]
    assert encoding["x"]["aggregate"] == "sum" and encoding["color"]["field"] == "item"
    assert encoding["y"]["sort"] == ["small", "big"]


def test_cost_sweep_log_axes_with_break_even_points() -> None:
    chart = spec(charts.cost_sweep(sweep_frame()))
    lines, points = chart["layer"]
    assert lines["encoding"]["x"]["scale"]["type"] == "log" and lines["encoding"]["y"]["scale"]["type"] == "log"
    assert points["mark"]["shape"] == "diamond"
    point_rows = chart["datasets"][points["data"]["name"]]
    assert point_rows == [{"value": 100, "cheaper_below": "kinesis", "cheaper_above": "msk", "monthly_usd": 900}]


def test_break_even_points_at_grid_resolution() -> None:
    found = charts.break_even_points(sweep_frame())
    assert found.to_dict("records") == [{"value": 100, "cheaper_below": "kinesis", "cheaper_above": "msk",
                                         "above_usd": 900}]
    assert charts.break_even_points(sweep_frame()[sweep_frame()["option"] == "msk"]).empty


def test_cost_sweep_accepts_precise_break_even_points() -> None:
    precise = pd.DataFrame({"value": [5.5], "cheaper_below": ["kinesis"], "cheaper_above": ["msk"],
                            "above_usd": [560.0]})
    chart = spec(charts.cost_sweep(sweep_frame(), precise))
    assert chart["datasets"][chart["layer"][1]["data"]["name"]][0]["value"] == 5.5


def test_scores_stack_criteria_on_a_0_to_10_axis() -> None:
    frame = pd.DataFrame({"option": ["kafka", "kafka", "kinesis", "kinesis"], "criterion": ["lat", "cost"] * 2,
                          "weighted": [4.0, 2.0, 3.0, 4.0]})
    encoding = spec(charts.scores(frame))["encoding"]
    assert encoding["x"]["scale"]["domain"] == [0, 10] and encoding["color"]["field"] == "criterion"
    assert encoding["y"]["sort"] == ["kinesis", "kafka"]


def test_throttle_sim_one_panel_per_system() -> None:
    frame = pd.DataFrame({"t_s": [0, 1, 0, 1], "system": ["kafka", "kafka", "kinesis", "kinesis"],
                          "series": ["accepted"] * 4, "value": [10, 10, 5, 0]})
    chart = spec(charts.throttle_sim(frame))
    assert chart["facet"]["column"]["field"] == "system"
    assert chart["spec"]["encoding"]["color"]["field"] == "series"


def test_more_than_5000_rows_is_refused_with_a_hint_to_aggregate() -> None:
    frame = pd.DataFrame({"option": ["a"] * 5001, "item": "x", "monthly_usd": 1.0})
    with pytest.raises(charts.ChartDataError, match="aggregate"):
        charts.cost_bars(frame)
    charts.cost_bars(frame.head(5000))  # the limit itself is fine


def test_missing_columns_are_named() -> None:
    with pytest.raises(charts.ChartDataError, match=r"missing column\(s\) \['item'\]"):
        charts.cost_bars(pd.DataFrame({"option": ["a"], "monthly_usd": [1.0]}))
    with pytest.raises(charts.ChartDataError, match="value_ms or value_us"):
        charts.latency_percentiles(pd.DataFrame({"system": ["a"], "quantile": ["p50"]}))


def test_to_svg_renders_offline_with_unique_ids() -> None:
    layered = charts.cost_sweep(sweep_frame())
    first, second = charts.to_svg(layered), charts.to_svg(layered)
    assert first.startswith("<svg") and "<script" not in first
    ids = lambda svg: set(__import__("re").findall(r'id="([^"]+)"', svg))  # noqa: E731
    assert not ids(first) & ids(second)


def test_show_displays_svg_when_headless(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = []
    monkeypatch.setenv(HEADLESS_ENV, "1")
    monkeypatch.setattr("IPython.display.display", lambda obj, **_kw: shown.append(obj))
    charts.show(charts.cost_bars(pd.DataFrame({"option": ["a"], "item": ["x"], "monthly_usd": [1.0]})))
    assert len(shown) == 1 and type(shown[0]).__name__ == "SVG" and "<svg" in shown[0].data


def test_headless_renderer_emits_svg_mimebundle() -> None:
    bundle = charts._svg_renderer(charts.cost_bars(
        pd.DataFrame({"option": ["a"], "item": ["x"], "monthly_usd": [1.0]})).to_dict())
    assert list(bundle) == ["image/svg+xml"]
