"""Weighted scoring of the options, the recommendation, its margin, and how robust it is to the weights.

Scores are 0..10 per criterion and option, each marked measured, modelled or documented; weights are
0..10 per criterion. An option's total is the weighted average of its scores (0..10). Sensitivity asks,
for each criterion alone: how far must its weight move (within 0..10) before another option ties with
the recommendation (and overtakes it beyond that point)? Pure functions, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from streamcompare.errors import ConfigError
from streamcompare.headlines import EVIDENCE, headline

WEIGHT_RANGE = (0.0, 10.0)
SCORE_COLUMNS = ["criterion", "option", "score", "evidence", "why"]
_TIE = 1e-9


@dataclass(frozen=True)
class FlipPoint:
    """For one criterion: the weights at which the recommendation stops being the only best option."""

    criterion: str
    weight: float
    up_at: float | None       # raising the weight to this ties (then flips); None: none within 0..10
    up_to: str | None         # the option that takes over
    down_at: float | None
    down_to: str | None

    @property
    def smallest_change(self) -> float | None:
        changes = [abs(at - self.weight) for at in (self.up_at, self.down_at) if at is not None]
        return min(changes) if changes else None

    def describe(self) -> str:
        parts = []
        if self.up_at is not None:
            parts.append(f"raising it to {self.up_at:.2f} (+{self.up_at - self.weight:.2f}) favours {self.up_to}")
        if self.down_at is not None:
            parts.append(f"lowering it to {self.down_at:.2f} ({self.down_at - self.weight:.2f}) favours "
                         f"{self.down_to}")
        return "; ".join(parts) if parts else "none within 0..10"


@dataclass(frozen=True)
class DecisionResult:
    totals: dict[str, float]               # option -> weighted score 0..10, best first
    recommendation: str | None             # None when the best options tie
    runner_up: str | None
    margin: float                          # best total minus runner-up total (points on 0..10)
    contributions: pd.DataFrame            # criterion, option, score, evidence, why, weight, weighted
    sensitivity: tuple[FlipPoint, ...]
    missing_criteria: tuple[str, ...]      # weighted but not scored (e.g. its notebook failed)
    evidence_share: dict[str, float]       # share of the total weight resting on each kind of evidence

    def totals_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"option": list(self.totals), "total": list(self.totals.values())})

    def sensitivity_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"criterion": f.criterion, "weight": f.weight, "raise_to": f.up_at,
                              "then_best": f.up_to, "lower_to": f.down_at, "then_best_lowered": f.down_to,
                              "smallest_change": f.smallest_change, "flip": f.describe()}
                             for f in self.sensitivity])

    def most_sensitive(self) -> FlipPoint | None:
        flips = [f for f in self.sensitivity if f.smallest_change is not None]
        return min(flips, key=lambda f: f.smallest_change or 0.0) if flips else None

    def headlines(self) -> dict[str, dict[str, Any]]:
        """Headline figures for `record_headlines(**result.headlines())`; the index reads `recommendation`."""
        out = {
            "recommendation": headline(self.recommendation or "tie", evidence="modelled", label="recommendation"),
            "runner_up": headline(self.runner_up, evidence="modelled", label="runner-up"),
            "margin": headline(round(self.margin, 2), "points of 10", "modelled", "margin over the runner-up"),
        }
        for option, total in self.totals.items():
            out[f"score_{option}"] = headline(round(total, 2), "of 10", "modelled", f"weighted score: {option}")
        flip = self.most_sensitive()
        out["most_sensitive"] = headline(
            f"{flip.criterion}: {flip.describe()}" if flip else "no single weight change within 0..10 flips it",
            evidence="modelled", label="most sensitive weight")
        if self.missing_criteria:
            out["not_scored"] = headline(", ".join(self.missing_criteria), evidence="modelled",
                                         label="weighted but not scored (left out)")
        return out


def scores_frame(scores: pd.DataFrame | Mapping[str, Mapping[str, tuple[float, str]]]) -> pd.DataFrame:
    """Long form (criterion, option, score, evidence, source) from a frame or {criterion: {option: (s, ev)}}."""
    if isinstance(scores, pd.DataFrame):
        frame = scores.copy()
    else:
        frame = pd.DataFrame([(c, o, s, e) for c, by_option in scores.items() for o, (s, e) in by_option.items()],
                             columns=SCORE_COLUMNS[:4])
    missing = [c for c in SCORE_COLUMNS[:4] if c not in frame.columns]
    if missing:
        raise ConfigError(f"scores lack column(s) {missing}", field="scores", fix=f"give columns {SCORE_COLUMNS}")
    if "why" not in frame.columns:
        frame["why"] = frame["source"] if "source" in frame.columns else ""  # headlines of older reports
    frame = frame[SCORE_COLUMNS].astype({"score": float})
    _validate_scores(frame)
    return frame.reset_index(drop=True)


def _validate_scores(frame: pd.DataFrame) -> None:
    if frame.empty:
        raise ConfigError("no scores to decide on", field="scores", fix="record scores in the criterion notebooks")
    bad = frame[(frame["score"] < 0) | (frame["score"] > 10) | frame["score"].isna()]
    if not bad.empty:
        raise ConfigError(f"scores must be within 0..10: {bad[['criterion', 'option', 'score']].to_dict('records')}",
                          field="scores")
    wrong = sorted(set(frame["evidence"]) - set(EVIDENCE))
    if wrong:
        raise ConfigError(f"unknown evidence {wrong}", field="scores.evidence", fix=f"use {', '.join(EVIDENCE)}")
    duplicated = frame[frame.duplicated(["criterion", "option"], keep=False)]
    if not duplicated.empty:
        pairs = sorted(set(zip(duplicated["criterion"], duplicated["option"], strict=True)))
        raise ConfigError(f"more than one score for {pairs}", field="scores")
    options, criteria = set(frame["option"]), set(frame["criterion"])
    have = set(zip(frame["criterion"], frame["option"], strict=True))
    gaps = sorted((c, o) for c in criteria for o in options if (c, o) not in have)
    if gaps:
        raise ConfigError(f"every option needs a score for every criterion; missing {gaps}", field="scores",
                          fix="score the missing pairs (0..10), or drop the option")


def _validate_weights(weights: Mapping[str, float]) -> dict[str, float]:
    low, high = WEIGHT_RANGE
    out = {c: float(w) for c, w in weights.items()}
    bad = {c: w for c, w in out.items() if not low <= w <= high or math.isnan(w)}
    if bad:
        raise ConfigError(f"weights must be within {low:g}..{high:g}, got {bad}", field="weights")
    return out


def decide(scores: pd.DataFrame | Mapping[str, Mapping[str, tuple[float, str]]],
           weights: Mapping[str, float]) -> DecisionResult:
    """Totals, recommendation, margin and per-criterion sensitivity for these scores and weights."""
    frame = scores_frame(scores)
    weights = _validate_weights(weights)
    unweighted = sorted(set(frame["criterion"]) - set(weights))
    if unweighted:
        raise ConfigError(f"no weight for criteria {unweighted}", field="weights",
                          fix="give every scored criterion a weight (0 ignores it)")
    missing = tuple(sorted(set(weights) - set(frame["criterion"])))
    used = {c: w for c, w in weights.items() if c not in missing}
    total_weight = sum(used.values())
    if total_weight <= 0:
        raise ConfigError("the weights of the scored criteria add up to 0", field="weights",
                          fix="give at least one scored criterion a positive weight")
    frame["weight"] = frame["criterion"].map(used)
    frame["weighted"] = frame["weight"] * frame["score"] / total_weight
    totals = frame.groupby("option")["weighted"].sum()
    ranked: list[tuple[str, float]] = sorted(((str(o), float(t)) for o, t in totals.items()),
                                             key=lambda item: (-item[1], item[0]))
    best, best_total = ranked[0]
    runner_up: str | None = ranked[1][0] if len(ranked) > 1 else None
    second_total = ranked[1][1] if len(ranked) > 1 else best_total
    margin = best_total - second_total if runner_up else math.inf
    recommendation = best if margin > _TIE else None
    matrix = frame.pivot(index="option", columns="criterion", values="score")
    flips = tuple(_flip_point(matrix, used, c, best) for c in sorted(used)) if recommendation else ()
    return DecisionResult(
        totals={o: float(t) for o, t in ranked}, recommendation=recommendation, runner_up=runner_up,
        margin=float(margin), contributions=frame, sensitivity=flips, missing_criteria=missing,
        evidence_share=_evidence_share(frame, total_weight))


def _flip_point(matrix: pd.DataFrame, weights: Mapping[str, float], criterion: str, best: str) -> FlipPoint:
    """Where, moving only this criterion's weight, another option first ties with `best`.

    Unnormalised sums U_o(w) = A_o + w * s_oc rank like the weighted averages (same positive divisor),
    and each U_best - U_o is linear in w, so each rival has at most one crossing.
    """
    low, high = WEIGHT_RANGE
    current = weights[criterion]
    others_weight = sum(w for c, w in weights.items() if c != criterion)
    rest = {o: sum(weights[c] * matrix.loc[o, c] for c in weights if c != criterion) for o in matrix.index}
    ups: list[tuple[float, str]] = []
    downs: list[tuple[float, str]] = []
    for rival in matrix.index.drop(best):
        slope = matrix.loc[best, criterion] - matrix.loc[rival, criterion]
        if slope == 0:
            continue
        at = -(rest[best] - rest[rival]) / slope
        if at <= 0 and others_weight == 0:
            continue  # at weight 0 nothing is weighted at all
        if current < at <= high:
            ups.append((at, rival))
        elif low <= at < current:
            downs.append((at, rival))
    up = min(ups) if ups else (None, None)
    down = max(downs) if downs else (None, None)
    return FlipPoint(criterion, current, _rounded(up[0]), up[1], _rounded(down[0]), down[1])


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _evidence_share(frame: pd.DataFrame, total_weight: float) -> dict[str, float]:
    options = frame["option"].nunique()
    shares = frame.groupby("evidence")["weight"].sum() / (total_weight * options)
    return {kind: float(shares.get(kind, 0.0)) for kind in EVIDENCE}
