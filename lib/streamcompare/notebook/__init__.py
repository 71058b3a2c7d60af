"""The only package a notebook imports: open the page's context, show the panel, record the results.

A criterion notebook is, after its narrative and parameters cell:

    from streamcompare.criteria import latency as criterion
    from streamcompare.notebook import context, panel, record
    ctx = context(target_file=target_file, workload=workload, results_dir=results_dir, run_id=run_id,
                  mode=mode, cost_scenario=cost_scenario)
    evidence = criterion.collect(ctx)
    panel(criterion, evidence, knobs)
    record(criterion, evidence, knobs)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from streamcompare.criteria.context import make_context
from streamcompare.criteria.contract import Context, scores_rows
from streamcompare.notebook.display import render_view, show_markdown, show_table
from streamcompare.notebook.panels import initial_knobs, panel
from streamcompare.notebook.record import record_headlines, record_scores

__all__ = ["context", "panel", "record", "render_view", "show_markdown", "show_table"]


def quiet_warnings() -> None:
    """Hide deprecation and future warnings from libraries: noise for the readers of a notebook."""
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category)


def context(**parameters: Any) -> Context:
    """The criterion's Context from the notebook's parameters; says in one line whether it measures or replays."""
    quiet_warnings()
    ctx = make_context(**parameters)
    for note in ctx.notes:
        show_markdown(f"*{note}*")
    return ctx


def record(criterion: ModuleType, evidence: Any, overrides: Mapping[str, Any] | None = None) -> None:
    """Record the page's headline figures and scores (at the default knobs) for the index and 00_decision."""
    knobs = initial_knobs(criterion, evidence, overrides)
    record_headlines(**criterion.headlines(evidence, knobs))
    scores = criterion.scores(evidence, knobs)
    if scores:
        record_scores(criterion.NAME, scores_rows(criterion.NAME, scores))
