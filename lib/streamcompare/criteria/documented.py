"""Criteria read from sourced documentation (security; parts of interfaces, reliability, operations)."""

from __future__ import annotations

from streamcompare.criteria.common import markdown, table
from streamcompare.reference import comparison


def show_comparison(criterion: str) -> None:
    """The sourced comparison table of one criterion, with the date it was written."""
    table(comparison.table(criterion), caption=f"Documented comparison, sources in the last column "
                                                f"(as of {comparison.as_of()}).")


def scores(criterion: str, **overrides: float) -> dict[str, float]:
    """The judged 0..10 scores of a documented criterion, with the user's overrides applied."""
    return {**comparison.documented_scores(criterion), **overrides}


def show_scores(criterion: str, scores_: dict[str, float]) -> None:
    ranked = sorted(scores_.items(), key=lambda item: -item[1])
    markdown(f"**Scores for {criterion} (documented judgement, 0-10):** "
             + ", ".join(f"{option} {score:g}" for option, score in ranked)
             + ". Override them in the parameters cell if your context differs.")
