"""The names a notebook imports, in one place: `from streamcompare.notebook import show, panel, ...`.

A notebook stays thin: a typed `parameters` cell, this import, one library call per cell, and a final
`record_headlines(...)` (plus `record_scores(...)` for criteria that feed 00_decision).
"""

from __future__ import annotations

import warnings

from streamcompare.charts import render_static, show
from streamcompare.decision import collect_scores, decide
from streamcompare.headlines import headline, load_headlines
from streamcompare.notebook.panels import dropdown, log_slider, panel, showing, slider
from streamcompare.notebook.record import record_headlines, record_scores
from streamcompare.report.target import load_target

__all__ = ["collect_scores", "decide", "dropdown", "headline", "load_headlines", "load_target", "log_slider",
           "panel", "quiet_warnings", "record_headlines", "record_scores", "render_static", "show", "showing",
           "slider"]


def quiet_warnings() -> None:
    """Hide deprecation and future warnings from libraries: noise for the readers of a notebook."""
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category)
