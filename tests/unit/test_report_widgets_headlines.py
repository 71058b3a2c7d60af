"""Widget panels (headless: one static render; live: interactive_output) and headline recording."""

from __future__ import annotations

from typing import Any

import ipywidgets
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from streamcompare.errors import ConfigError
from streamcompare.frontend import HEADLESS_ENV, is_headless
from streamcompare.headlines import MIME_TYPE, headline, read_recorded
from streamcompare.notebook import panels as widgets
from streamcompare.notebook.record import record_headlines, record_scores

pytestmark = pytest.mark.unit


@pytest.fixture
def displayed(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    shown: list[Any] = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **_kw: shown.extend(objs))
    return shown


def test_headless_panel_renders_the_defaults_once_with_a_caption(monkeypatch: pytest.MonkeyPatch,
                                                                  displayed: list[Any]) -> None:
    monkeypatch.setenv(HEADLESS_ENV, "1")
    calls: list[dict] = []
    controls = {"rate": widgets.slider("rate (MB/s)", 1, 100, 1, 10), "mode": widgets.dropdown("mode", ["a", "b"])}
    result = widgets.panel(controls, lambda **kw: calls.append(kw), defaults={"rate": 42})
    assert result is None
    assert calls == [{"rate": 42, "mode": "a"}]
    assert len(displayed) == 1 and "rate (MB/s) = 42" in displayed[0].data
    assert not any(isinstance(obj, ipywidgets.Widget) for obj in displayed)


def test_live_panel_shows_controls_and_recomputes(monkeypatch: pytest.MonkeyPatch, displayed: list[Any]) -> None:
    monkeypatch.setattr(widgets, "is_headless", lambda: False)
    calls: list[dict] = []
    rate = widgets.slider("rate", 1, 100, 1, 10)
    widgets.panel({"rate": rate}, lambda **kw: calls.append(kw), defaults={"rate": 20})
    assert len(displayed) == 1 and isinstance(displayed[0], ipywidgets.VBox)
    assert rate.value == 20 and calls[-1] == {"rate": 20}
    rate.value = 30
    assert calls[-1] == {"rate": 30}


def test_unknown_defaults_are_an_error() -> None:
    with pytest.raises(ConfigError, match="unknown controls"):
        widgets.panel({"a": widgets.slider("a", 0, 1, 1, 0)}, lambda **_kw: None, defaults={"b": 1})


def test_slider_kinds_and_log_slider() -> None:
    assert isinstance(widgets.slider("n", 1, 10, 1, 3), ipywidgets.IntSlider)
    assert isinstance(widgets.slider("x", 0.1, 1.0, 0.1, 0.5), ipywidgets.FloatSlider)
    assert widgets.log_slider("mb", -1, 3, 10.0).value == pytest.approx(10.0)


def test_showing_composes_compute_and_chart_builders(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[Any] = []
    monkeypatch.setattr("streamcompare.charts.show", shown.append)
    render = widgets.showing(lambda n: list(range(n)), len, sum)
    render(n=4)
    assert shown == [4, 6]


def test_is_headless_outside_a_kernel_and_with_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HEADLESS_ENV, raising=False)
    assert is_headless()  # pytest is not a Jupyter kernel
    monkeypatch.setenv(HEADLESS_ENV, "1")
    assert is_headless()


def _notebook_with(bundles: list[dict]) -> Any:
    cell = new_code_cell("")
    cell.outputs = [new_output("display_data", data={MIME_TYPE: b, "text/plain": ""}) for b in bundles]
    return new_notebook(cells=[cell])


def test_recorded_headlines_round_trip_through_an_ipynb_file(displayed: list[Any], tmp_path: Any) -> None:
    record_headlines(zeta=headline(1.5, "ms", "measured", "Zeta"), alpha=3)
    record_headlines(evidence="documented", alpha=4)
    record_scores("latency", {"kafka": 8, "kinesis": 6}, "measured")
    record_scores("latency", {"kafka": 7, "kinesis": 6}, "measured")  # a criterion recorded twice: last wins
    assert all(set(d) == {MIME_TYPE, "text/plain"} and d["text/plain"] == "" for d in displayed)
    path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook_with([d[MIME_TYPE] for d in displayed]), path)
    recorded = read_recorded(nbformat.read(path, as_version=4))
    assert list(recorded["headlines"]) == ["zeta", "alpha"]  # recorded order, though .ipynb sorts keys
    assert recorded["headlines"]["alpha"] == headline(4, evidence="documented", label="alpha")
    assert recorded["headlines"]["zeta"]["unit"] == "ms"
    assert [(r["option"], r["score"]) for r in recorded["scores"]] == [("kafka", 7.0), ("kinesis", 6.0)]


def test_headline_validation() -> None:
    with pytest.raises(ConfigError, match="evidence"):
        headline(1, evidence="guessed")  # type: ignore[arg-type]
    assert headline(float("nan"))["value"] is None
    with pytest.raises(ConfigError, match="0..10"):
        record_scores("cost", {"a": 12}, "modelled")
