"""One module per notebook, each with the same contract (contract.py `Criterion`), listed in registry.py."""

from __future__ import annotations

import importlib
from types import ModuleType


def criterion_module(notebook: str) -> ModuleType:
    """The criterion module of a notebook ("01_latency" -> streamcompare.criteria.latency)."""
    from streamcompare.criteria.registry import notebook_modules
    return importlib.import_module(f"streamcompare.criteria.{notebook_modules()[notebook]}")
