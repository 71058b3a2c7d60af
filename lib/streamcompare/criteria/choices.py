"""The team's decision choices as a YAML file: weights, scenario, must-haves (see data/decision/default.yaml).

A scheduled report and an interactive session start from the same file; the decision page can write
the current interactive choices to a new file (never overwriting one).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from streamcompare.criteria.contract import check_knobs, knob_specs
from streamcompare.errors import ConfigError
from streamcompare.paths import data_dir
from streamcompare.yamlio import read_yaml

SECTIONS = ("weights", "scenario", "must_haves")
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Choices:
    weights: dict[str, float] = field(default_factory=dict)
    scenario: dict[str, Any] = field(default_factory=dict)
    must_haves: dict[str, Any] = field(default_factory=dict)
    source: str = "defaults"


def default_choices_path() -> Path:
    return data_dir() / "decision" / "default.yaml"


def load_choices(path: str | Path = "") -> Choices:
    """The choices in `path` (empty: data/decision/default.yaml, or the built-in defaults if it is missing)."""
    chosen = Path(path) if path else default_choices_path()
    if not path and not chosen.is_file():
        return Choices()
    data = read_yaml(chosen, what="decision choices file", field="choices_file",
                     missing_fix="give the path of a YAML file like data/decision/default.yaml")
    if not isinstance(data, dict):
        raise ConfigError(f"{chosen} must be a mapping with {', '.join(SECTIONS)}", field="choices_file",
                          fix="see data/decision/default.yaml")
    unknown = sorted(set(data) - {*SECTIONS, "schema_version"})
    if unknown:
        raise ConfigError(f"unknown section(s) {unknown} in {chosen}", field="choices_file",
                          fix=f"use {', '.join(SECTIONS)}")
    sections = {}
    for name in SECTIONS:
        value = data.get(name) or {}
        if not isinstance(value, dict):
            raise ConfigError(f"{name} in {chosen} must be a mapping", field=f"choices_file.{name}",
                              fix="write it as `name: value` lines")
        sections[name] = value
    return Choices(dict(sections["weights"]), dict(sections["scenario"]), dict(sections["must_haves"]), str(chosen))


def to_knobs(choices: Choices, knobs_class: type[Any]) -> Any:
    """The decision's Knobs from the choices: unknown names and out-of-range values refused, naming the field."""
    names = set(knob_specs(knobs_class))
    values: dict[str, Any] = {}
    for section in SECTIONS:
        for name, value in getattr(choices, section).items():
            if name not in names:
                raise ConfigError(f"unknown {section} entry {name!r} in {choices.source}",
                                  field=f"{section}.{name}", fix=f"use one of {', '.join(sorted(names))}")
            if isinstance(value, float) and not math.isfinite(value):
                raise ConfigError(f"must be a finite number, got {value}", field=f"{section}.{name}",
                                  fix="give a number")
            values[name] = value
    knobs = dataclasses.replace(knobs_class(), **values)
    try:
        check_knobs(knobs)
    except ConfigError as exc:
        raise ConfigError(f"{exc.message} (in {choices.source})", field=exc.field, fix=exc.fix) from None
    return knobs


def from_knobs(knobs: Any) -> dict[str, Any]:
    """The YAML document for these knob values, grouped as the file groups them."""
    out: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "weights": {}, "scenario": {}, "must_haves": {}}
    for name, (spec, _default) in knob_specs(knobs).items():
        section = ("weights" if spec.group.startswith("weights") else
                   "must_haves" if spec.group.startswith("must") else "scenario")
        out[section][name] = getattr(knobs, name)
    return out


def save_choices(knobs: Any, directory: Path | None = None, now: datetime | None = None) -> Path:
    """Write the choices to `<directory>/choices-<UTC time>.yaml`; never overwrites a file."""
    folder = directory or data_dir() / "decision"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"choices-{stamp}.yaml"
    text = "# Saved from 00_decision; load it with the notebook parameter choices_file.\n" + yaml.safe_dump(
        from_knobs(knobs), sort_keys=False)
    try:
        with open(path, "x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise ConfigError(f"{path} exists already; choices files are never overwritten", field="choices_file",
                          fix="wait a second and save again") from None
    return path


def save_choices_action(knobs: Any) -> str:
    """What the decision page's save button does; returns the sentence it shows."""
    path = save_choices(knobs)
    return f"Saved to `{path}`. Start from it with the parameter `choices_file = \"{path}\"`."
