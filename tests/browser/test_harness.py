"""The harness itself, on small notebooks it writes: it sees a slider's update, a drawn chart, an error, a CDN chart."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_a_slider_move_updates_the_output_it_drives(offline_page) -> None:
    offline, open_notebook = offline_page
    nb = open_notebook("harness_ok.ipynb")
    nb.run_all()
    nb.screenshot("before")
    assert "level is 3" in nb.markdown()[-1]
    assert nb.errors() == []
    assert len(nb.charts()) == 1 and nb.chart_problems() == [], nb.charts()
    move = nb.press("level", "ArrowRight")
    assert "level is 4" in move.after and "level is 3" in move.before
    assert nb.slider_value("level") == "4"
    assert 0 < move.first_ms <= move.settle_ms < 30_000
    move = nb.press("level", "End")
    assert "level is 10" in move.after
    move = nb.type_value("level", "0")
    assert "level is 0" in move.after
    nb.screenshot("after")
    assert nb.chart_problems() == []
    assert offline.outside == []


def test_errors_and_charts_from_the_internet_are_seen(offline_page) -> None:
    offline, open_notebook = offline_page
    nb = open_notebook("harness_broken.ipynb")
    nb.run_all()
    errors = nb.errors()
    assert any("ZeroDivisionError" in e for e in errors), errors
    problems = nb.chart_problems()
    assert problems and "Error loading script" in problems[0], nb.charts()
    assert any("cdn.jsdelivr.net" in url for url in offline.outside), offline.outside
