"""The target a report measures, and the private file that hands it to notebooks.

Notebooks never get connection secrets as papermill parameters (those are stored in the output
notebook). They get `target_file`: the path of a JSON file written with mode 0600 in a fresh 0700
temporary directory outside the report, deleted when the report ends. `load_target(target_file)`
reads it back as the `Target` the drivers take (`Target.to_json` / `from_json`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from streamcompare.config import ReportConfig
from streamcompare.target import TARGET_FILE, Emulated, Target, load_target
from streamcompare.targets import open_target

__all__ = ["TARGET_FILE", "describe_target", "load_target", "replay_target", "resolve_target", "target_reference"]


@contextmanager
def target_reference(target: Target) -> Iterator[Path]:
    """Write `target` (secrets included) to a 0600 file in a private temp dir; remove both on exit."""
    directory = Path(tempfile.mkdtemp(prefix="streamcompare-target-"))  # mode 0700
    path = directory / TARGET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(target.to_json(), handle)
        yield path
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def replay_target(config: ReportConfig) -> Target:
    """What replay notebooks learn about the target: its kind and description, never credentials."""
    return Target(kind=config.target.kind, replay=True, description=config.target.describe(),
                  emulated=Emulated(kafka=False, kinesis=config.target.kind == "local"))


@contextmanager
def resolve_target(config: ReportConfig, progress: Callable[[str], None] = lambda _m: None
                   ) -> Iterator[Target]:
    """The driver target for this config: replay needs none; `local` uses (or starts, then stops) the stack."""
    if config.mode == "replay":
        yield replay_target(config)
        return
    with open_target(config.target, progress=progress) as target:
        yield target


def describe_target(config: ReportConfig, target: Target) -> str:
    """One line for the index page: the config's description plus versions the stack reported."""
    text = config.target.describe()
    found = (("Kafka", target.kafka.version if target.kafka else None),
             (((target.kinesis.backend if target.kinesis else None) or "kinesis-mock"),
              target.kinesis.version if target.kinesis else None))
    versions = [f"{name} {version}" for name, version in found if version]
    return f"{text}: {', '.join(versions)}" if versions else text
