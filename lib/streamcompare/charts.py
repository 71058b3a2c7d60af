"""Pure altair chart builders (DataFrame in, chart out), one theme, and offline rendering.

Builders take data that is already aggregated (one row per system and quantile, option and line item,
...) and refuse more than `MAX_ROWS` rows. `show(chart)` displays an inline SVG made by vl-convert,
in JupyterLab and in the report alike, so no page needs JavaScript or the network.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from streamcompare.errors import StreamcompareError
from streamcompare.frontend import is_headless

MAX_ROWS = 5000
THEME = "streamcompare"
QUANTILE_ORDER = ("p50", "p90", "p99", "p99.9", "p99.99", "max")
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
_svg_ids = itertools.count(1)


class ChartDataError(StreamcompareError):
    """The data handed to a chart builder is too big or lacks a column."""


@alt.theme.register(THEME, enable=True)
def streamcompare_theme() -> alt.theme.ThemeConfig:
    """The kit's one look: readable type, a fixed categorical palette, quiet grids."""
    return {
        "config": {
            "font": "Helvetica, Arial, sans-serif",
            "view": {"continuousWidth": 480, "continuousHeight": 280, "stroke": None},
            "title": {"fontSize": 15, "anchor": "start", "subtitleColor": "#555"},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e6e6e6"},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "right"},
            "range": {"category": list(PALETTE)},
            "line": {"strokeWidth": 2},
            "point": {"size": 50, "filled": True},
        }
    }


def _svg_renderer(spec: dict[str, Any], **_options: Any) -> dict[str, str]:
    return {"image/svg+xml": spec_to_svg(spec)}


alt.renderers.register("streamcompare_svg", _svg_renderer)
if is_headless():  # a chart displayed without show() must not load JavaScript from a CDN either
    alt.renderers.enable("streamcompare_svg")


def spec_to_svg(spec: dict[str, Any]) -> str:
    """A Vega-Lite spec as standalone SVG (vl-convert, network loads forbidden), with page-unique ids."""
    import vl_convert as vlc

    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    version = wanted if wanted in vlc.get_vegalite_versions() else None
    svg = vlc.vegalite_to_svg(spec, vl_version=version, allowed_base_urls=[])
    return _unique_ids(re.sub(r"^<\?xml[^>]*>\s*", "", svg))


def _unique_ids(svg: str) -> str:
    """Prefix ids (clip paths, gradients) so several charts inline in one page do not collide."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    if not ids:
        return svg
    prefix = f"sc{next(_svg_ids)}-"
    for old in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{old}"', f'id="{prefix}{old}"').replace(f"#{old})", f"#{prefix}{old})")
        svg = svg.replace(f'href="#{old}"', f'href="#{prefix}{old}"')
    return svg


def to_svg(chart: alt.TopLevelMixin) -> str:
    return spec_to_svg(chart.to_dict())


def render_static(chart: alt.TopLevelMixin) -> Any:
    """The chart as an IPython SVG object: no JavaScript, no network."""
    from IPython.display import SVG

    return SVG(data=to_svg(chart))


def show(chart: alt.TopLevelMixin) -> None:
    """Display a chart as inline SVG, in JupyterLab as in the report: it needs no JavaScript and no network
    (JupyterLab has no offline renderer for Vega-Lite 6; see docs/design-notes.md)."""
    from IPython.display import display

    display(render_static(chart))


def _checked(df: pd.DataFrame, required: Sequence[str], builder: str) -> pd.DataFrame:
    if len(df) > MAX_ROWS:
        raise ChartDataError(f"{builder}: {len(df):,} rows is more than {MAX_ROWS:,}; charts take aggregated data",
                             field="data", fix="aggregate first (one row per system and quantile, per run, per "
                                               "option and item, ...), e.g. with df.groupby(...).agg(...)")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ChartDataError(f"{builder}: missing column(s) {missing}; got {list(df.columns)}", field="data",
                             fix=f"pass a frame with columns {list(required)}")
    return df.copy()


def _latency_ms(df: pd.DataFrame, builder: str) -> pd.DataFrame:
    if "value_ms" not in df.columns:
        if "value_us" not in df.columns:
            raise ChartDataError(f"{builder}: needs a value_ms or value_us column", field="data",
                                 fix="pass latency in milliseconds (value_ms) or microseconds (value_us)")
        df["value_ms"] = df["value_us"] / 1000.0
    return df


def _drop_non_positive(df: pd.DataFrame, column: str) -> tuple[pd.DataFrame, str]:
    """Log scales cannot show 0 or missing values: drop them and say so in the subtitle."""
    keep = df[column].notna() & (df[column] > 0)
    dropped = int((~keep).sum())
    return df[keep], (f"{dropped} missing or zero value(s) not shown (log scale)" if dropped else "")


def _title(text: str, subtitle: str = "") -> alt.TitleParams:
    return alt.TitleParams(text=text, subtitle=subtitle) if subtitle else alt.TitleParams(text=text)


def _varies(df: pd.DataFrame, column: str) -> bool:
    return column in df.columns and df[column].nunique() > 1


def latency_percentiles(df: pd.DataFrame, title: str = "Latency by percentile") -> alt.TopLevelMixin:
    """Latency (ms, log scale) across p50..p99.99 and max, one line per system (dashed per mode).

    Columns: system, quantile (p50, p90, p99, p99.9, p99.99, max), value_ms or value_us; optional mode,
    metric (one panel per metric when several).
    """
    df = _latency_ms(_checked(df, ["system", "quantile"], "latency_percentiles"), "latency_percentiles")
    df = df[df["quantile"].isin(QUANTILE_ORDER)]
    df, note = _drop_non_positive(df, "value_ms")
    order = [q for q in QUANTILE_ORDER if q in set(df["quantile"])]
    tooltip = [c for c in ("system", "mode", "metric", "quantile") if c in df.columns]
    encoding: dict[str, Any] = {
        "x": alt.X("quantile:O", sort=order, title="percentile", axis=alt.Axis(labelAngle=0)),
        "y": alt.Y("value_ms:Q", scale=alt.Scale(type="log"), title="latency (ms, log scale)"),
        "color": alt.Color("system:N", title="system"),
        "tooltip": [*tooltip, alt.Tooltip("value_ms:Q", format=",.3f", title="ms")],
    }
    if _varies(df, "mode"):
        encoding["strokeDash"] = alt.StrokeDash("mode:N", title="mode")
    chart = alt.Chart(df).mark_line(point=True).encode(**encoding).properties(width=420)
    if _varies(df, "metric"):
        return chart.facet(column=alt.Column("metric:N", title=None)).properties(title=_title(title, note))
    return chart.properties(title=_title(title, note))


def latency_trend(df: pd.DataFrame, title: str = "Latency across runs", log: bool = True) -> alt.TopLevelMixin:
    """A latency figure per run over time (UTC), one line per system (dashed per quantile).

    Columns: utc (datetime or ISO text), system, value_ms or value_us; optional quantile.
    """
    df = _latency_ms(_checked(df, ["utc", "system"], "latency_trend"), "latency_trend")
    df["utc"] = pd.to_datetime(df["utc"], utc=True)
    note = ""
    if log:
        df, note = _drop_non_positive(df, "value_ms")
    encoding: dict[str, Any] = {
        "x": alt.X("utc:T", scale=alt.Scale(type="utc"),
                   axis=alt.Axis(format="%m-%d %H:%M:%S", tickCount=min(8, max(2, int(df["utc"].nunique()))),
                                 labelAngle=-30), title="run time (UTC)"),
        "y": alt.Y("value_ms:Q", scale=alt.Scale(type="log" if log else "linear"),
                   title="latency (ms" + (", log scale)" if log else ")")),
        "color": alt.Color("system:N", title="system"),
        "tooltip": [alt.Tooltip("utc:T", format="%Y-%m-%d %H:%M:%S", title="UTC"), "system",
                    alt.Tooltip("value_ms:Q", format=",.3f", title="ms")],
    }
    if _varies(df, "quantile"):
        encoding["strokeDash"] = alt.StrokeDash("quantile:N", sort=list(QUANTILE_ORDER), title="percentile")
    return alt.Chart(df).mark_line(point=True).encode(**encoding).properties(title=_title(title, note))


def cost_bars(df: pd.DataFrame, title: str = "Monthly cost by line item") -> alt.TopLevelMixin:
    """Stacked monthly USD per option, one colour per line item; options sorted by total.

    Columns: option, item, monthly_usd.
    """
    df = _checked(df, ["option", "item", "monthly_usd"], "cost_bars")
    order = df.groupby("option")["monthly_usd"].sum().sort_values().index.tolist()
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("sum(monthly_usd):Q", title="USD per month", axis=alt.Axis(format="$,.0f")),
        y=alt.Y("option:N", sort=order, title=None),
        color=alt.Color("item:N", title="line item"),
        tooltip=["option", "item", alt.Tooltip("monthly_usd:Q", format="$,.2f", title="USD/month")],
    ).properties(title=_title(title))


def break_even_points(df: pd.DataFrame) -> pd.DataFrame:
    """Where the cheapest option changes along a sweep (at grid resolution).

    In: option, value, monthly_usd. Out: value, cheaper_below, cheaper_above, above_usd.
    """
    df = _checked(df, ["option", "value", "monthly_usd"], "break_even_points").dropna(subset=["monthly_usd"])
    cheapest = df.sort_values(["value", "monthly_usd"], kind="stable").groupby("value", sort=True).first()
    rows = []
    previous = None
    for value, row in cheapest.iterrows():
        if previous is not None and row["option"] != previous:
            rows.append({"value": value, "cheaper_below": previous, "cheaper_above": row["option"],
                         "above_usd": row["monthly_usd"]})
        previous = row["option"]
    return pd.DataFrame(rows, columns=["value", "cheaper_below", "cheaper_above", "above_usd"])


def cost_sweep(df: pd.DataFrame, break_even: pd.DataFrame | None = None,
               x_title: str = "write throughput (MB/s)", title: str = "Monthly cost as throughput grows"
               ) -> alt.TopLevelMixin:
    """Monthly USD against a swept parameter, one line per option, log-log, break-even points marked.

    Columns: option, value, monthly_usd (cost.sensitivity.sweep's frame). `break_even` (columns value,
    cheaper_below, cheaper_above, above_usd, as cost.sensitivity.break_even returns) defaults to the
    grid-resolution `break_even_points(df)`.
    """
    df = _checked(df, ["option", "value", "monthly_usd"], "cost_sweep")
    points = break_even_points(df) if break_even is None else _checked(
        break_even, ["value", "cheaper_below", "cheaper_above", "above_usd"], "cost_sweep(break_even)")
    df, note = _drop_non_positive(df, "monthly_usd")
    x = alt.X("value:Q", scale=alt.Scale(type="log"), title=f"{x_title}, log scale")
    y = alt.Y("monthly_usd:Q", scale=alt.Scale(type="log"), title="USD per month, log scale",
              axis=alt.Axis(format="$,.0f"))
    lines = alt.Chart(df).mark_line().encode(
        x=x, y=y, color=alt.Color("option:N", title="option"),
        tooltip=["option", alt.Tooltip("value:Q", format=",.3g", title=x_title),
                 alt.Tooltip("monthly_usd:Q", format="$,.0f", title="USD/month")])
    marks = alt.Chart(points.rename(columns={"above_usd": "monthly_usd"})).mark_point(
        shape="diamond", size=120, color="black", filled=True).encode(
        x="value:Q", y="monthly_usd:Q",
        tooltip=[alt.Tooltip("value:Q", format=",.3g", title=f"break-even {x_title}"),
                 alt.Tooltip("cheaper_below:N", title="cheapest below"),
                 alt.Tooltip("cheaper_above:N", title="cheapest above")])
    subtitle = "diamonds: break-even points, where the cheapest option changes"
    return alt.layer(lines, marks).properties(title=_title(title, f"{subtitle}. {note}".strip(". ")))


def scores(df: pd.DataFrame, title: str = "Weighted score by option") -> alt.TopLevelMixin:
    """Weighted score per option (0..10), stacked by criterion when the frame has one row per criterion.

    Columns: option and weighted (decision.DecisionResult.contributions), optional criterion, evidence.
    """
    df = _checked(df, ["option", "weighted"], "scores")
    order = df.groupby("option")["weighted"].sum().sort_values(ascending=False).index.tolist()
    tooltip = [c for c in ("option", "criterion", "score", "weight", "evidence") if c in df.columns]
    encoding: dict[str, Any] = {
        "x": alt.X("sum(weighted):Q", title="weighted score (0-10)", scale=alt.Scale(domain=[0, 10])),
        "y": alt.Y("option:N", sort=order, title=None),
        "tooltip": [*tooltip, alt.Tooltip("weighted:Q", format=".2f", title="points")],
    }
    if "criterion" in df.columns:
        encoding["color"] = alt.Color("criterion:N", title="criterion")
    return alt.Chart(df).mark_bar().encode(**encoding).properties(title=_title(title))


def throttle_sim(df: pd.DataFrame, title: str = "Offered, accepted and throttled load",
                 y_title: str = "records/s") -> alt.TopLevelMixin:
    """A quantity over time per series (offered, accepted, throttled ... in `y_title`'s unit), a panel per system.

    Columns: t_s, system, series, value. One chart holds one unit: chart records/s and ms separately.
    """
    df = _checked(df, ["t_s", "system", "series", "value"], "throttle_sim")
    chart = alt.Chart(df).mark_line().encode(
        x=alt.X("t_s:Q", title="time (s)"),
        y=alt.Y("value:Q", title=y_title),
        color=alt.Color("series:N", title=None),
        tooltip=["system", "series", "t_s", alt.Tooltip("value:Q", format=",.0f")])
    if _varies(df, "system"):
        return chart.facet(column=alt.Column("system:N", title=None)).properties(title=_title(title))
    return chart.properties(title=_title(title))


def fault_timeline(df: pd.DataFrame, events: pd.DataFrame, title: str = "Acknowledgements around a fault",
                   subtitle: str = "") -> alt.TopLevelMixin:
    """Acknowledged (and failed) records/s per 100 ms bin, with the fault's events as labelled rules.

    df columns: t_s, series, value (records/s). events columns: t_s, event.
    """
    df = _checked(df, ["t_s", "series", "value"], "fault_timeline")
    events = _checked(events, ["t_s", "event"], "fault_timeline")
    lines = alt.Chart(df).mark_line(interpolate="step-after").encode(
        x=alt.X("t_s:Q", title="time since the first send (s)"),
        y=alt.Y("value:Q", title="records/s"),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=["acknowledged", "failed"],
                                                                range=[PALETTE[0], PALETTE[3]])),
        tooltip=["series", alt.Tooltip("t_s:Q", format=".1f"), alt.Tooltip("value:Q", format=",.0f")])
    rules = alt.Chart(events).mark_rule(color="#555", strokeDash=[4, 3]).encode(
        x="t_s:Q", tooltip=["event", alt.Tooltip("t_s:Q", format=".1f")])
    top = float(df["value"].max()) if len(df) else 1.0
    placed = events.assign(y=[top * (1.12 - 0.09 * (i % 6)) for i in range(len(events))])
    labels = alt.Chart(placed).mark_text(align="left", dx=3, fontSize=10, color="#333").encode(
        x="t_s:Q", y="y:Q", text="event:N")
    layered = alt.layer(lines, rules, labels)
    return layered.properties(title=_title(title, subtitle), width=560)


def security_cost(df: pd.DataFrame, title: str = "The price of security: latency by listener") -> alt.TopLevelMixin:
    """Latency (ms) per Kafka listener kind, one bar group per rate, one panel per metric.

    Columns: listener (PLAINTEXT, SSL, SASL_SSL), rate (records/s), metric (e.g. "e2e p99"), value_ms.
    """
    df = _checked(df, ["listener", "rate", "metric", "value_ms"], "security_cost")
    order = [k for k in ("PLAINTEXT", "SSL", "SASL_SSL") if k in set(df["listener"])]
    chart = alt.Chart(df).mark_bar().encode(
        x=alt.X("listener:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value_ms:Q", title="latency (ms)"),
        color=alt.Color("listener:N", sort=order, title="listener"),
        column=alt.Column("rate:O", title="records/s"),
        row=alt.Row("metric:N", title=None),
        tooltip=["listener", "rate", "metric", alt.Tooltip("value_ms:Q", format=",.2f", title="ms")],
    ).properties(width=140, height=140)
    return chart.properties(title=_title(title, "same cluster, same open-loop rate; measured on the local stack"))
