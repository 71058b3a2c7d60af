"""The criterion contract: what every `criteria/<name>.py` module provides, and the types it uses.

A criterion module has:

    NAME: str                      the criterion's key in the decision ("latency", "cost", ...)
    TITLE: str
    Knobs                          a frozen dataclass whose fields are declared with `knob(...)`
    collect(ctx) -> Evidence       measures (live) or loads one run's stored files (replay)
    view(evidence, knobs) -> View  what the page shows for these knob values; pure
    scores(evidence, knobs) -> dict[option, Score]   pure, each with its evidence kind and a one-line why
    headlines(evidence, knobs) -> dict[name, headline dict]   the figures for the index page

All live/replay switching happens in `collect`; everything after it is a pure function of the
evidence and the knobs, so the interactive panel re-runs `view` and `scores` on every change.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import pandas as pd

from streamcompare.bench.store import ResultStore
from streamcompare.bench.workload import Workload
from streamcompare.errors import ConfigError
from streamcompare.headlines import EVIDENCE, Evidence
from streamcompare.target import Target

OPTIONS = ("kafka-self-managed", "msk", "kinesis")
"""The deployment options the decision weighs."""
OPTION_SYSTEM = {"kafka-self-managed": "kafka", "msk": "kafka", "kinesis": "kinesis"}
"""The system each option runs (the one map; measured evidence is per system)."""
Mode = Literal["live", "replay"]


# --- knobs ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KnobSpec:
    """How one knob is shown: a label with its unit, a range (or choices), and whether the scale is log."""

    label: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    options: tuple[Any, ...] = ()
    group: str = ""

    @property
    def description(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


def knob(default: Any, label: str, *, unit: str = "", low: float | None = None, high: float | None = None,
         step: float | None = None, log: bool = False, options: tuple[Any, ...] = (), group: str = "") -> Any:
    """Declare a knob field: `rate: float = knob(1.0, "write throughput", unit="MB/s", low=0.1, high=100, log=True)`."""
    spec = KnobSpec(label, unit, low, high, step, log, tuple(options), group)
    return field(default=default, metadata={"knob": spec})


def knob_specs(knobs: type[Any] | Any) -> dict[str, tuple[KnobSpec, Any]]:
    """{field name: (spec, default)} of a Knobs class (or instance), in declaration order."""
    cls = knobs if isinstance(knobs, type) else type(knobs)
    out: dict[str, tuple[KnobSpec, Any]] = {}
    for f in dataclasses.fields(cls):
        spec = f.metadata.get("knob")
        if spec is None:
            continue
        default = getattr(knobs, f.name) if not isinstance(knobs, type) else f.default
        out[f.name] = (spec, default)
    return out


def check_knobs(knobs: Any) -> None:
    """Every knob within its range (or among its options) and finite; raises ConfigError naming the knob."""
    for name, (spec, _default) in knob_specs(type(knobs)).items():
        value = getattr(knobs, name)
        if spec.options:
            if value not in spec.options:
                raise ConfigError(f"{value!r} is not one of {list(spec.options)}", field=name,
                                  fix=f"choose one of {', '.join(map(str, spec.options))}")
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if not math.isfinite(float(value)):
            raise ConfigError(f"must be a finite number, got {value}", field=name, fix="give a number")
        if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
            raise ConfigError(f"{value} is outside {spec.low:g}..{spec.high:g}", field=name,
                              fix=f"give a value from {spec.low:g} to {spec.high:g}")


def with_knobs(knobs: Any, **changes: Any) -> Any:
    """A copy of the knobs with changes (unknown names refused), checked."""
    names = set(knob_specs(type(knobs)))
    unknown = sorted(set(changes) - names)
    if unknown:
        raise ConfigError(f"unknown knob(s) {unknown}", field="knobs", fix=f"use {', '.join(sorted(names))}")
    changed = dataclasses.replace(knobs, **changes)
    check_knobs(changed)
    return changed


# --- scores -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Score:
    """One option's 0..10 score on one criterion, the kind of evidence it rests on, and why."""

    value: float
    evidence: Evidence
    why: str

    def __post_init__(self) -> None:
        if not (isinstance(self.value, int | float) and math.isfinite(self.value)
                and 0 <= round(float(self.value), 6) <= 10):
            raise ConfigError(f"score must be within 0..10, got {self.value}", field="score")
        if self.evidence not in EVIDENCE:
            raise ConfigError(f"unknown evidence {self.evidence!r}", field="evidence", fix=f"use {EVIDENCE}")
        object.__setattr__(self, "value", clamp(round(float(self.value), 2)))


def clamp(value: float, low: float = 0.0, high: float = 10.0) -> float:
    return max(low, min(high, value))


def scores_rows(criterion: str, scores: Mapping[str, Score]) -> list[dict[str, Any]]:
    """Long-form rows (criterion, option, score, evidence, why) as 00_decision reads them."""
    return [{"criterion": criterion, "option": option, "score": s.value, "evidence": s.evidence, "why": s.why}
            for option, s in scores.items()]


# --- the page -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Markdown:
    text: str


@dataclass(frozen=True)
class Table:
    """A table for people: headings with units, rounded figures (see `people_table`)."""

    frame: pd.DataFrame
    caption: str = ""


@dataclass(frozen=True)
class Chart:
    chart: Any  # an altair chart
    alt_text: str = ""


Block = Markdown | Table | Chart


@dataclass(frozen=True)
class View:
    """What a criterion page shows for one set of knob values, in order; `verdict` is Markdown."""

    blocks: tuple[Block, ...]
    verdict: str


# --- the context -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Context:
    """What `collect` needs: where to measure (live) or which stored run to read (replay)."""

    mode: Mode
    target: Target
    workload: Workload
    store: ResultStore
    run_id: str
    cost_scenario: Path
    notes: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    """Criterion-specific collection settings from the notebook's parameters (e.g. poll_intervals_ms)."""

    @property
    def live(self) -> bool:
        return self.mode == "live"

    def kafka_brokers(self) -> int | None:
        """The brokers of the target's Kafka cluster when known (the local stack says so)."""
        return self.target.kafka.brokers if self.target.kafka else None

    def emulated(self, system: str) -> bool:
        return self.target.emulated.of(system)


# --- live / replay -------------------------------------------------------------------------------
def experiment(ctx: Context, name: str, measure: Callable[[], list[dict[str, Any]]], *,
               evidence: Evidence = "measured", settings: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """One experiment's rows: live, `measure()` and store them under `name`; replay, the run's stored rows.

    The one place a criterion's live/replay/store switch is written (the experiment name is spelt once).
    """
    if not ctx.live:
        return ctx.store.rows(ctx.run_id, name)
    rows = measure()
    ctx.store.write_rows(ctx.run_id, name, rows, evidence=evidence, settings=settings, target=ctx.target)
    return rows


# --- the protocol ------------------------------------------------------------------------------------
class Criterion(Protocol):
    """What every scored criterion module provides; mypy checks each module against it in registry.py.

    Evidence and knobs are each criterion's own types, so the protocol takes them as `Any`.
    """

    NAME: str
    TITLE: str
    Knobs: type[Any]

    def collect(self, ctx: Context) -> Any: ...
    def view(self, evidence: Any, knobs: Any, /) -> View: ...
    def scores(self, evidence: Any, knobs: Any, /) -> dict[str, Score]: ...
    def headlines(self, evidence: Any, knobs: Any, /) -> dict[str, dict[str, Any]]: ...


# --- the decision's optional hooks ----------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    """The decision's scenario, handed to every criterion that models it (see `TakesScenario`)."""

    write_mb_per_s: float
    record_bytes: int
    consumers: int
    retention_hours: float
    latency_budget_ms: float
    exactly_once: bool

    @property
    def mean_records_per_s(self) -> float:
        return self.write_mb_per_s * 1e6 / self.record_bytes


@dataclass(frozen=True)
class MustHaves:
    """The decision's must-haves that a criterion's evidence answers (0: no rule); see `AnswersMustHaves`."""

    max_e2e_ms: float = 0.0
    max_usd_per_month: float = 0.0


@runtime_checkable
class TakesScenario(Protocol):
    """A criterion that models the decision's scenario: its own knobs with the scenario applied."""

    def apply_scenario(self, knobs: Any, scenario: Scenario, /) -> Any: ...


@runtime_checkable
class AnswersMustHaves(Protocol):
    """A criterion whose evidence answers must-haves: option -> why it fails them (empty when none)."""

    def must_have_failures(self, evidence: Any, knobs: Any, must: MustHaves, /) -> dict[str, list[str]]: ...


@runtime_checkable
class HasInitialKnobs(Protocol):
    """A criterion whose starting knobs depend on its evidence (otherwise `Knobs()`)."""

    def initial_knobs(self, evidence: Any, /) -> Any: ...


def start_knobs(criterion: Criterion, evidence: Any) -> Any:
    """The criterion's starting knobs for this evidence."""
    return criterion.initial_knobs(evidence) if isinstance(criterion, HasInitialKnobs) else criterion.Knobs()
