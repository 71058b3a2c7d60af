"""00_decision: weights, a scenario and must-haves over every criterion's evidence; the recommendation.

`collect` gathers each criterion's evidence of one run (replay of the run id: the decision never
measures). The knobs hold the team's choices (see `choices.py` for the YAML file that stores them):
weights per criterion; a scenario that recomputes the modelled criteria (cost, flow control, cloud
latency) and leaves measured evidence as measured; must-haves that exclude an option whatever its score.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pandas as pd

from streamcompare import charts
from streamcompare.criteria import choices as ch
from streamcompare.criteria import registry
from streamcompare.criteria.contract import (
    OPTIONS,
    AnswersMustHaves,
    Chart,
    Context,
    Criterion,
    Markdown,
    MustHaves,
    Scenario,
    Score,
    Table,
    TakesScenario,
    View,
    knob,
    start_knobs,
)
from streamcompare.decision import DecisionResult, decide
from streamcompare.headlines import headline

NAME = "decision"
TITLE = "Decision"
FLIP_GRID_MB_S = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
_S = "scenario"
_M = "must-haves (0 or off: no rule)"


def _weight(name: str) -> Any:
    """A weight knob whose default and label come from the criterion's registry entry."""
    e = registry.entry(name)
    return knob(e.weight, e.weight_label, low=0, high=10, step=0.5, group="weights (0 ignores a criterion)")


@dataclass(frozen=True)
class Knobs:
    latency: float = _weight("latency")
    interfaces: float = _weight("interfaces")
    reliability: float = _weight("reliability")
    flow_control: float = _weight("flow_control")
    security: float = _weight("security")
    cost: float = _weight("cost")
    operations: float = _weight("operations")
    write_mb_per_s: float = knob(1.0, "write throughput", unit="MB/s", low=0.1, high=1000, log=True, group=_S)
    record_bytes: int = knob(1024, "record size", unit="bytes", low=100, high=1_000_000, log=True, group=_S)
    consumers: int = knob(2, "consumer applications", low=1, high=50, group=_S)
    retention_hours: float = knob(24.0, "retention", unit="hours", low=24, high=8760, step=24, group=_S)
    latency_budget_ms: float = knob(1000.0, "end-to-end budget", unit="ms", low=5, high=10_000, log=True, group=_S)
    max_e2e_ms: float = knob(0.0, "end-to-end latency at most", unit="ms", low=0, high=5000, step=10, group=_M)
    min_consumers: int = knob(0, "independent consumers at full speed, at least", low=0, high=100, group=_M)
    exactly_once: bool = knob(False, "exactly-once", group=_M)
    outside_aws: bool = knob(False, "runs outside AWS", group=_M)
    max_usd_per_month: float = knob(0.0, "budget at most", unit="USD/month", low=0, high=100_000, step=100, group=_M)


WEIGHTS = registry.names()
"""The weight knobs, one per scored criterion (a test checks Knobs has a field for each)."""


@dataclass(frozen=True)
class Evidence:
    criteria: dict[str, tuple[Criterion, Any]]   # criterion name -> (module, its evidence of this run)
    failed: dict[str, str]                        # criterion name -> why its evidence could not be read
    choices: ch.Choices
    run_id: str


def collect(ctx: Context) -> Evidence:
    """Every criterion's evidence of this run, read from the store (the decision itself measures nothing)."""
    replay = dataclasses.replace(ctx, mode="replay")
    found: dict[str, tuple[Criterion, Any]] = {}
    failed: dict[str, str] = {}
    for module in (e.module for e in registry.SCORED):
        try:
            found[module.NAME] = (module, module.collect(replay))
        except Exception as exc:  # one unreadable criterion must not hide the others  # noqa: BLE001
            failed[module.NAME] = f"{type(exc).__name__}: {exc}"
    return Evidence(found, failed, ch.load_choices(ctx.options.get("choices_file", "")), ctx.run_id)


def initial_knobs(evidence: Evidence) -> Knobs:
    return ch.to_knobs(evidence.choices, Knobs)


# --- scores under the scenario ------------------------------------------------------------------------
def scenario(knobs: Knobs) -> Scenario:
    return Scenario(knobs.write_mb_per_s, knobs.record_bytes, knobs.consumers, knobs.retention_hours,
                    knobs.latency_budget_ms, knobs.exactly_once)


def criterion_knobs(module: Criterion, evidence: Any, knobs: Knobs) -> Any:
    """The criterion's own knobs with the scenario applied where the criterion models it (its hook)."""
    start = start_knobs(module, evidence)
    return module.apply_scenario(start, scenario(knobs)) if isinstance(module, TakesScenario) else start


def all_scores(evidence: Evidence, knobs: Knobs) -> dict[str, dict[str, Score]]:
    out = {}
    for name, (module, criterion_evidence) in evidence.criteria.items():
        out[name] = module.scores(criterion_evidence, criterion_knobs(module, criterion_evidence, knobs))
    return out


def scores_table(scores: dict[str, dict[str, Score]]) -> pd.DataFrame:
    return pd.DataFrame([{"criterion": c, "option": o, "score": s.value, "evidence": s.evidence, "why": s.why}
                         for c, by_option in scores.items() for o, s in by_option.items()],
                        columns=["criterion", "option", "score", "evidence", "why"])


def weights(knobs: Knobs) -> dict[str, float]:
    return {name: float(getattr(knobs, name)) for name in WEIGHTS}


def exclusions(evidence: Evidence, knobs: Knobs) -> dict[str, list[str]]:
    """Option -> the must-haves it fails, each an explicit rule on the evidence, with the figure."""
    out: dict[str, list[str]] = {o: [] for o in OPTIONS}
    if knobs.exactly_once:
        out["kinesis"].append("exactly-once: Kinesis has no transactions (documented)")
    if knobs.outside_aws:
        out["msk"].append("runs outside AWS: MSK is an AWS service")
        out["kinesis"].append("runs outside AWS: Kinesis is an AWS service")
    if knobs.min_consumers:
        limit = 20
        if knobs.min_consumers > limit:
            out["kinesis"].append(f"{knobs.min_consumers} consumers at full speed: Kinesis enhanced fan-out allows at "
                                  f"most {limit} per stream (documented)")
    must = MustHaves(max_e2e_ms=knobs.max_e2e_ms, max_usd_per_month=knobs.max_usd_per_month)
    for module, criterion_evidence in evidence.criteria.values():
        if isinstance(module, AnswersMustHaves):
            own = criterion_knobs(module, criterion_evidence, knobs)
            failures = module.must_have_failures(criterion_evidence, own, must)
            for option, why in failures.items():
                out[option].extend(why)
    return {o: why for o, why in out.items() if why}


def outcome(evidence: Evidence, knobs: Knobs) -> DecisionResult | None:
    """The weighted decision among the options no must-have excludes; None when none is left or nothing scored."""
    table = scores_table(all_scores(evidence, knobs))
    excluded = exclusions(evidence, knobs)
    table = table[~table.option.isin(excluded)]
    used = {c: w for c, w in weights(knobs).items() if c in set(table.criterion)}
    if table.empty or sum(used.values()) <= 0:
        return None
    return decide(table, used)


def throughput_flips(evidence: Evidence, knobs: Knobs) -> list[tuple[float, str | None]]:
    """The recommendation at each throughput of a grid, the other knobs fixed."""
    return [(mb, result.recommendation if (result := outcome(evidence, dataclasses.replace(knobs, write_mb_per_s=mb)))
             else None) for mb in FLIP_GRID_MB_S]


def flip_text(flips: list[tuple[float, str | None]]) -> str:
    changes = [f"{b[1] or 'none'} from {b[0]:g} MB/s" for a, b in zip(flips, flips[1:], strict=False) if a[1] != b[1]]
    first = flips[0]
    if not changes:
        return f"From {first[0]:g} to {flips[-1][0]:g} MB/s the answer stays {first[1] or 'none'}."
    return f"Across throughput: {first[1] or 'none'} at {first[0]:g} MB/s, then " + ", ".join(changes) + "."


def recommendation_text(result: DecisionResult | None, excluded: dict[str, list[str]], knobs: Knobs) -> str:
    if result is None:
        return "**No recommendation:** every option is excluded by a must-have, or no criterion has weight."
    if result.recommendation is None:
        return "**No recommendation:** the best options tie under these weights."
    ahead = (f"ahead of {result.runner_up} by {result.margin:.2f} points (0-10 scale)" if result.runner_up
             else "the only option the must-haves leave")
    lines = [f"**Recommendation: {result.recommendation}** at {knobs.write_mb_per_s:g} MB/s, {ahead}."]
    for option, why in excluded.items():
        lines.append(f"{option} is excluded: {'; '.join(why)}.")
    flip = result.most_sensitive()
    if flip is not None:
        lines.append(f"Most sensitive weight: {flip.criterion} ({flip.describe()}).")
    shares = ", ".join(f"{k} {v:.0%}" for k, v in result.evidence_share.items())
    lines.append(f"Weight resting on each kind of evidence: {shares}.")
    return " ".join(lines)


def sensitivity_table(result: DecisionResult) -> pd.DataFrame:
    rows = [{"criterion": f.criterion, "weight now": f.weight,
             "raise to": f.up_at, "then best": f.up_to or "", "lower to": f.down_at,
             "then best (lowered)": f.down_to or ""}
            for f in result.sensitivity]
    return pd.DataFrame(rows)


def view(evidence: Evidence, knobs: Knobs) -> View:
    result = outcome(evidence, knobs)
    excluded = exclusions(evidence, knobs)
    table = scores_table(all_scores(evidence, knobs))
    blocks: list[Any] = [Markdown(recommendation_text(result, excluded, knobs))]
    if evidence.failed:
        blocks.append(Markdown("Not scored (their evidence could not be read): "
                               + "; ".join(f"{k}: {v}" for k, v in evidence.failed.items())))
    if result is not None:
        blocks += [Chart(charts.scores(result.contributions, title="Weighted score by option")),
                   Markdown("## What would change the answer"),
                   Markdown(flip_text(throughput_flips(evidence, knobs))),
                   Table(sensitivity_table(result), "Moving one weight alone (0-10): where another option takes over")]
    blocks += [Markdown("## Every score, with what it rests on and why"),
               Table(table.rename(columns={"score": "score (0-10)"}), "")]
    return View(tuple(blocks), "")


def scores(evidence: Evidence, knobs: Knobs) -> dict[str, Score]:
    """The decision weighs the criteria's scores; it gives none of its own."""
    return {}


def headlines(evidence: Evidence, knobs: Knobs) -> dict[str, dict[str, Any]]:
    result = outcome(evidence, knobs)
    excluded = exclusions(evidence, knobs)
    out: dict[str, dict[str, Any]] = {}
    if result is not None:
        out.update(result.headlines())
    else:
        out["recommendation"] = headline("none", evidence="modelled", label="recommendation")
    if excluded:
        out["must_haves"] = headline("; ".join(f"{o}: {', '.join(w)}" for o, w in excluded.items()),
                                     evidence="modelled", label="excluded by must-haves")
    out["throughput_flips"] = headline(flip_text(throughput_flips(evidence, knobs)), evidence="modelled",
                                       label="across throughput")
    return out


ACTIONS = {"Save these choices to a new file": ch.save_choices_action}
