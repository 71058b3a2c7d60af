"""The criteria, in notebook order: each one's notebook, module, name and default weight in the decision.

The decision's weights, the default choices file, the committed-notebook test and the report tests read
this table instead of keeping their own lists. Each entry's `module` is typed `Criterion`, so mypy checks
every criterion module against the contract (criteria/contract.py) where it is registered here.
"""

from __future__ import annotations

from dataclasses import dataclass

from streamcompare.criteria import (
    cost,
    flow_control,
    latency,
    programming_interfaces,
    reliability,
    scaling_operations,
    security,
)
from streamcompare.criteria.contract import Criterion
from streamcompare.errors import one_of


@dataclass(frozen=True)
class Entry:
    """One scored criterion: its notebook, its module (checked against `Criterion`), its default weight."""

    notebook: str
    module: Criterion
    weight: float
    weight_label: str

    @property
    def name(self) -> str:
        return self.module.NAME

    @property
    def module_name(self) -> str:
        return self.module.__name__.rsplit(".", 1)[-1]  # type: ignore[attr-defined]


DECISION_NOTEBOOK = "00_decision"
DECISION_MODULE = "decision"

SCORED: tuple[Entry, ...] = (
    Entry("01_latency", latency, 5.0, "latency"),
    Entry("02_programming_interfaces", programming_interfaces, 3.0, "programming interfaces"),
    Entry("03_reliability", reliability, 5.0, "reliability"),
    Entry("04_flow_control", flow_control, 3.0, "flow control"),
    Entry("05_security", security, 4.0, "security"),
    Entry("06_cost", cost, 6.0, "cost"),
    Entry("07_scaling_operations", scaling_operations, 5.0, "scaling and operations"),
)
"""Every criterion the decision weighs, in notebook order."""


def names() -> tuple[str, ...]:
    """The scored criteria's names (the decision's weight keys), in notebook order."""
    return tuple(e.name for e in SCORED)


def notebook_modules() -> dict[str, str]:
    """Notebook name -> its module under streamcompare.criteria, the decision first."""
    return {DECISION_NOTEBOOK: DECISION_MODULE, **{e.notebook: e.module_name for e in SCORED}}


def entry(name: str) -> Entry:
    """The scored criterion called `name`; one clear error for an unknown one."""
    return one_of({e.name: e for e in SCORED}, name, what="criterion", field="criterion")
