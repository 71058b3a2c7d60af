"""Widget panels (headless: one static render; live: interactive_output) and headline recording."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from streamcompare.criteria.contract import Markdown, Score, View, knob
from streamcompare.errors import ConfigError
from streamcompare.frontend import HEADLESS_ENV, is_headless
from streamcompare.headlines import MIME_TYPE, headline, read_recorded
from streamcompare.notebook import panels
from streamcompare.notebook.record import record_headlines, record_scores

pytestmark = pytest.mark.unit


@pytest.fixture
def displayed(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    shown: list[Any] = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **_kw: shown.extend(objs))
    return shown


class _Page:
    """A minimal criterion module for the panel: one float knob, one int knob, one dropdown."""

    NAME = "fake"

    @dataclass(frozen=True)
    class Knobs:
        rate: float = knob(10.0, "rate", unit="MB/s", low=1.0, high=100.0, log=True)
        shards: int = knob(2, "shards", low=1, high=20)
        mode: str = knob("a", "mode", options=("a", "b"))

    calls: list[Any] = []

    @classmethod
    def view(cls, evidence: Any, knobs: Any) -> View:
        cls.calls.append(knobs)
        return View((Markdown(f"rate {knobs.rate:g}, shards {knobs.shards}"),), f"verdict for {knobs.shards}")

    @staticmethod
    def scores(evidence: Any, knobs: Any) -> dict[str, Score]:
        return {"kafka": Score(knobs.shards / 2, "modelled", "half the shards")}


@pytest.fixture
def page() -> Any:
    _Page.calls = []
    return _Page


def test_headless_panel_renders_the_defaults_once_with_a_caption(monkeypatch: pytest.MonkeyPatch,
                                                                 displayed: list[Any], page: Any) -> None:
    monkeypatch.setenv(HEADLESS_ENV, "1")
    panels.panel(page, None, {"shards": 4})
    assert [k.shards for k in page.calls] == [4]
    text = " ".join(str(getattr(obj, "data", obj)) for obj in displayed)
    assert "Shown for rate (MB/s) = 10, shards = 4, mode = a" in text and "verdict for 4" in text
    assert not any(isinstance(obj, ipywidgets.Widget) for obj in displayed)


def test_live_panel_generates_widgets_from_the_knobs_and_rerenders_the_whole_view(
        monkeypatch: pytest.MonkeyPatch, displayed: list[Any], page: Any) -> None:
    monkeypatch.setenv(HEADLESS_ENV, "0")
    monkeypatch.setattr(panels, "is_headless", lambda: False)
    panels.panel(page, None)
    assert isinstance(displayed[0], ipywidgets.VBox)  # knobs, then the one output area (outside a kernel the
    controls = displayed[0].children[0].children       # output area does not capture, so the view follows)
    kinds = [type(c).__name__ for c in controls]
    assert kinds == ["FloatLogSlider", "IntSlider", "Dropdown"]
    assert all(c.layout.width == panels.SLIDER_WIDTH for c in controls)
    assert [k.shards for k in page.calls] == [2]
    controls[1].value = 7  # moving a knob re-runs view and scores with every current value
    assert page.calls[-1].shards == 7 and page.calls[-1].rate == pytest.approx(10.0)


def test_knob_overrides_are_checked_by_name() -> None:
    with pytest.raises(ConfigError, match="unknown knob"):
        panels.initial_knobs(_Page, None, {"nope": 1})
    with pytest.raises(ConfigError) as caught:
        panels.initial_knobs(_Page, None, {"shards": 99})
    assert caught.value.field == "shards"


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
    record_scores("latency", _rows(kafka=8, kinesis=6))
    record_scores("latency", _rows(kafka=7, kinesis=6))  # a criterion recorded twice: last wins
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
        record_scores("cost", _rows(a=12))
    with pytest.raises(ConfigError, match="evidence"):
        record_scores("cost", [{"option": "a", "score": 1, "evidence": "guessed", "why": ""}])


def _rows(**scores: float) -> list[dict[str, Any]]:
    return [{"option": o, "score": s, "evidence": "measured", "why": "test"} for o, s in scores.items()]
