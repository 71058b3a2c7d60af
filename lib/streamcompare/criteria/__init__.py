"""One module per notebook, each with the same contract (see contract.py): Knobs, collect, view, scores, headlines."""

from __future__ import annotations

import importlib
from types import ModuleType

NOTEBOOK_MODULES = {
    "00_decision": "decision",
    "01_latency": "latency",
    "02_programming_interfaces": "programming_interfaces",
    "03_reliability": "reliability",
    "04_flow_control": "flow_control",
    "05_security": "security",
    "06_cost": "cost",
    "07_scaling_operations": "scaling_operations",
}
"""Notebook name -> its criterion module under streamcompare.criteria."""


def criterion_module(notebook: str) -> ModuleType:
    return importlib.import_module(f"streamcompare.criteria.{NOTEBOOK_MODULES[notebook]}")


def scored_criteria() -> list[ModuleType]:
    """Every criterion the decision weighs (all but the decision itself), in notebook order."""
    return [criterion_module(n) for n in NOTEBOOK_MODULES if n != "00_decision"]
