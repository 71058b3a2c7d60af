"""00_decision and two criterion notebooks in a real JupyterLab, replaying a stored run with the network blocked.

Each test opens the notebook, runs every cell (Run > Run All Cells), checks that no cell shows an error
and every chart was drawn with no request leaving the machine, then moves a slider with the keyboard (or
types into its readout) and checks that the page's verdict or recommendation became what the library
computes for the new knob value. Screenshots before and after go to the test's tmp_path.
"""

from __future__ import annotations

import os
import re
import statistics
from pathlib import Path

import pytest

from browser import expected
from browser.expected import squash
from streamcompare.paths import project_root

pytestmark = pytest.mark.browser
THROUGHPUT = "write throughput (MB/s)"
DOCS_IMG = os.environ.get("STREAMCOMPARE_BROWSER_DOCS_IMG", "")  # also save the decision pictures there


def picture_decision(nb, name: str) -> Path:
    """The decision's knobs, recommendation and weighted-score chart in one picture (tmp_path; docs/img on request)."""
    nb.page.set_viewport_size({"width": 1280, "height": 2000})
    top = nb.slider("latency")
    chart = nb.notebook.locator(".widget-output .jp-RenderedSVG, .widget-output .jp-RenderedImage").first
    path = nb.screenshot_span(nb.shots / f"decision-{name}.png", top, chart)
    if DOCS_IMG:
        Path(DOCS_IMG).mkdir(parents=True, exist_ok=True)
        (Path(DOCS_IMG) / path.name).write_bytes(path.read_bytes())
    return path


def ran_cleanly(nb, offline) -> None:
    assert nb.errors() == [], nb.errors()
    charts = nb.charts()
    assert charts, "no chart on the page"
    assert nb.chart_problems() == [], charts
    assert offline.outside == [], f"requests that tried to leave the machine: {offline.outside}"


def replay_note(nb) -> str:
    note = next((m for m in nb.markdown() if m.startswith("Replay:")), "")
    assert "no local stack is running" in note, nb.markdown()[:3]
    return note


def recommendation(nb) -> str:
    found = [m for m in nb.markdown() if "Recommendation:" in m or "No recommendation" in m]
    assert len(found) == 1, nb.markdown()
    return squash(found[0])


def verdict(nb, title: str) -> str:
    found = [squash(m) for m in nb.markdown() if m.startswith(f"Verdict ({title})")]
    assert len(found) == 1, nb.markdown()
    return found[0]


OTHERS = sorted(p.name for p in (project_root() / "notebooks").glob("*.ipynb")
                if not p.name.startswith(("00_", "04_", "06_")))


@pytest.mark.parametrize("name", OTHERS)
def test_notebook_opens_and_runs_offline_without_error(offline_page, lab_results, name: str) -> None:
    """Every other notebook: Run All in replay shows the replay line, no error, and draws every chart offline."""
    offline, open_notebook = offline_page
    nb = open_notebook(name)
    nb.run_all()
    replay_note(nb)
    nb.screenshot("after-run-all")
    assert nb.errors() == [], nb.errors()
    assert nb.chart_problems() == [], nb.charts()
    assert offline.outside == [], offline.outside
    assert nb.sliders() or "Verdict" in nb.text(), "the page shows neither knobs nor a verdict"


def test_flow_control_verdict_follows_the_shards(offline_page, lab_results) -> None:
    offline, open_notebook = offline_page
    nb = open_notebook("04_flow_control.ipynb")
    nb.run_all()
    replay_note(nb)
    ran_cleanly(nb, offline)
    assert verdict(nb, "flow control") == expected.flow_verdict()
    nb.screenshot("before")
    move = nb.type_value("Kinesis shards", "40")
    assert nb.slider_value("Kinesis shards") == "40"
    nb.screenshot("after")
    assert "With 40 shard(s)" in verdict(nb, "flow control")
    assert verdict(nb, "flow control") == expected.flow_verdict(shards=40)
    assert squash(move.before) != squash(move.after)
    ran_cleanly(nb, offline)


def test_cost_verdict_follows_the_throughput(offline_page, lab_results) -> None:
    offline, open_notebook = offline_page
    nb = open_notebook("06_cost.ipynb")
    nb.run_all()
    replay_note(nb)
    ran_cleanly(nb, offline)
    assert verdict(nb, "cost") == expected.cost_verdict(lab_results)
    nb.screenshot("before")
    nb.type_value(THROUGHPUT, "100")
    nb.screenshot("after")
    after = verdict(nb, "cost")
    assert "at 100 MB/s" in after
    assert after == expected.cost_verdict(lab_results, write_mb_per_s=100.0)
    nb.press(THROUGHPUT, "ArrowLeft")  # one step down the log scale: a new figure again
    assert verdict(nb, "cost") not in (after, expected.cost_verdict(lab_results))
    ran_cleanly(nb, offline)


def test_decision_recommendation_follows_weights_and_throughput(offline_page, lab_results) -> None:
    offline, open_notebook = offline_page
    nb = open_notebook("00_decision.ipynb")
    nb.run_all()
    replay_note(nb)
    ran_cleanly(nb, offline)
    defaults = expected.decision_defaults(lab_results)
    first = recommendation(nb)
    assert f"Recommendation: {expected.decision_recommendation(lab_results)} at 1 MB/s" in first
    nb.screenshot("before")
    picture_decision(nb, "default")

    nb.press("cost", "Home")
    assert nb.slider_value("cost") == "0"
    no_cost = recommendation(nb)
    nb.screenshot("cost-weight-0")
    picture_decision(nb, "cost-weight-0")
    assert no_cost != first
    assert f"Recommendation: {expected.decision_recommendation(lab_results, cost=0.0)} " in no_cost

    nb.type_value("cost", f"{defaults.cost:g}")
    assert recommendation(nb) == first
    nb.type_value(THROUGHPUT, "100")
    at_100 = recommendation(nb)
    nb.screenshot("throughput-100")
    picture_decision(nb, "throughput-100")
    assert f"Recommendation: {expected.decision_recommendation(lab_results, write_mb_per_s=100.0)} at 100 MB/s" \
        in at_100
    ran_cleanly(nb, offline)


def test_decision_update_time(offline_page, lab_results, record_property) -> None:
    """Median time from releasing a slider key to the last change of the re-rendered decision page."""
    offline, open_notebook = offline_page
    nb = open_notebook("00_decision.ipynb")
    nb.run_all()
    moves = [nb.press("latency", "ArrowRight" if i % 2 == 0 else "ArrowLeft") for i in range(10)]
    settle = [m.settle_ms for m in moves]
    median = statistics.median(settle)
    record_property("decision_update_median_ms", round(median))
    print(f"\n00_decision update after a slider release: median {median:.0f} ms, "
          f"min {min(settle):.0f}, max {max(settle):.0f} ms (n=10); first change median "
          f"{statistics.median(m.first_ms for m in moves):.0f} ms")
    assert all(re.search(r"Recommendation|No recommendation", m.after) for m in moves)
    assert median < 30_000
    ran_cleanly(nb, offline)
