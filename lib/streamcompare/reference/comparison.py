"""Documented comparisons (security, interfaces, reliability, operations), each row with its sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from streamcompare.errors import ConfigError
from streamcompare.paths import data_dir


def load(path: Path | None = None) -> dict[str, Any]:
    return yaml.safe_load((path or data_dir() / "reference" / "comparison.yaml").read_text())


def table(criterion: str, path: Path | None = None) -> pd.DataFrame:
    """The comparison rows of one criterion: aspect, kafka, kinesis, sources."""
    criteria = load(path)["criteria"]
    if criterion not in criteria:
        raise ConfigError(f"no documented comparison for {criterion!r}", field="criterion",
                          fix=f"use one of: {', '.join(sorted(criteria))}")
    return pd.DataFrame(criteria[criterion]["rows"])[["aspect", "kafka", "kinesis", "sources"]]


def documented_scores(criterion: str, path: Path | None = None) -> dict[str, float]:
    """The judged 0-10 scores per option for a documented criterion (users may override them)."""
    return {k: float(v) for k, v in load(path)["criteria"][criterion]["scores"].items()}


def as_of(path: Path | None = None) -> str:
    return str(load(path)["as_of"])
