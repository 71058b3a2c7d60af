"""00_decision: weigh the criteria's recorded scores; the recommendation and what would flip it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from streamcompare.decision import DecisionResult, collect_scores, decide
from streamcompare.headlines import load_headlines

DEFAULT_WEIGHTS = {"latency": 5.0, "interfaces": 3.0, "reliability": 5.0, "flow_control": 3.0,
                   "security": 4.0, "cost": 6.0, "operations": 5.0}


def scores(headlines_file: str | Path) -> pd.DataFrame:
    """The scores the criterion notebooks recorded in this report run (only those that completed)."""
    path = Path(headlines_file)
    if not str(headlines_file) or not path.exists():
        return pd.DataFrame(columns=["criterion", "option", "score", "evidence", "source"])
    return collect_scores(load_headlines(path))


def weighted(frame: pd.DataFrame) -> Callable[..., pd.DataFrame]:
    """A compute function for `showing`: weights as keyword arguments in, contributions out."""
    def compute(**weights: float) -> pd.DataFrame:
        return decide(frame, {k: float(v) for k, v in weights.items() if k in set(frame.criterion)}).contributions

    return compute


def result(frame: pd.DataFrame, weights: dict[str, float]) -> DecisionResult:
    return decide(frame, {k: v for k, v in weights.items() if k in set(frame.criterion)})


def recommendation_text(outcome: DecisionResult) -> str:
    if outcome.recommendation is None:
        return "**No recommendation:** the best options tie under these weights."
    flip = outcome.most_sensitive()
    lines = [f"**Recommendation: {outcome.recommendation}**, ahead of {outcome.runner_up} by "
             f"{outcome.margin:.2f} points (0-10 scale)."]
    if flip is not None:
        lines.append(f"Most sensitive: {flip.describe()}.")
    if outcome.missing_criteria:
        lines.append(f"Not scored in this run (its notebook failed or was skipped): "
                     f"{', '.join(outcome.missing_criteria)}.")
    shares = ", ".join(f"{k} {v:.0%}" for k, v in outcome.evidence_share.items())
    lines.append(f"Weight resting on each kind of evidence: {shares}.")
    return " ".join(lines)
