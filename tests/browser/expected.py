"""What a page must show, computed by the library from the same stored run the notebook replays.

The browser tests compare what JupyterLab shows after a knob moved against these figures, so a page
that keeps showing the values of its first render (the bug this tier exists for) fails.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from streamcompare.criteria import cost, decision, flow_control
from streamcompare.criteria.context import make_context
from streamcompare.criteria.contract import with_knobs


def plain(markdown: str) -> str:
    """Markdown source as the rendered page's text reads: no emphasis marks, escapes or repeated spaces."""
    text = markdown.replace("**", "").replace("\\$", "$")
    text = re.sub(r"(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)", "", text)
    return squash(text)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def evidence(module: Any, results_dir: Path) -> Any:
    """The criterion's evidence as the notebook reads it in replay (the newest stored run, if any)."""
    return module.collect(make_context(results_dir=str(results_dir), mode="replay", choices_file=""))


def decision_recommendation(results_dir: Path, **changes: Any) -> str | None:
    ev = evidence(decision, results_dir)
    knobs = with_knobs(decision.initial_knobs(ev), **changes)
    result = decision.outcome(ev, knobs)
    return None if result is None else result.recommendation


def decision_defaults(results_dir: Path) -> Any:
    return decision.initial_knobs(evidence(decision, results_dir))


def flow_verdict(**changes: Any) -> str:
    knobs = with_knobs(flow_control.Knobs(), **changes)
    return plain(flow_control.verdict(flow_control.figures(knobs), knobs))


def cost_verdict(results_dir: Path, **changes: Any) -> str:
    ev = evidence(cost, results_dir)
    start = cost.initial_knobs(ev) if hasattr(cost, "initial_knobs") else cost.Knobs()
    return plain(cost.verdict(ev, with_knobs(start, **changes)))
