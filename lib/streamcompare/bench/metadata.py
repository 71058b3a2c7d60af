"""What a result file says about where and how it was measured: machine, software, target."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import streamcompare
from streamcompare.paths import project_root
from streamcompare.secrets import MASK, SECRET_NAME, mask
from streamcompare.target import Target

TARGET_KINDS = ("local", "aws", "kafka")
SECRET_KEY = SECRET_NAME
REDACTED = MASK


def utc_now() -> str:
    """UTC time as ISO 8601 with microseconds and a Z, e.g. 2026-11-24T20:57:00.123456Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _memory_bytes() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(project_root()), *args], capture_output=True,
                              text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_state() -> dict[str, Any]:
    """Commit of the checkout and whether tracked files differ from it; None where there is no git."""
    commit = _git("rev-parse", "HEAD")
    dirty = None
    if commit:
        status = _git("status", "--porcelain", "--untracked-files=no")
        dirty = bool(status) if status is not None else None
    return {"commit": commit, "dirty": dirty}


def machine() -> dict[str, Any]:
    return {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "system": platform.system(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_bytes": _memory_bytes(),
    }


def run_metadata(client_versions: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Machine, Python, kit version, git commit, client/system versions (from the driver) and UTC time."""
    return {
        "utc": utc_now(),
        "machine": machine(),
        "python": {"version": platform.python_version(), "implementation": platform.python_implementation(),
                   "executable": sys.executable},
        "streamcompare": streamcompare.__version__,
        "git": git_state(),
        "versions": dict(client_versions or {}),
    }


def redact(value: Any, key: str = "") -> Any:
    """Copy of a target description with every setting that can carry a secret replaced by *** (see secrets.py)."""
    return mask(value, key)


def describe_target(system: str, target: Target) -> dict[str, Any]:
    """The target as recorded in results: redacted, plus `kind` and `emulator`.

    kind: "local" (the embedded stack), "aws" (Kinesis or MSK in AWS) or "kafka" (a Kafka cluster
    elsewhere). emulator: the endpoint imitates the system (kinesis-mock, moto); its latency and
    throughput say nothing about the real service (`Target.emulated`; a target that does not say is
    read as: a local Kinesis, or an endpoint mentioning a mock, is an emulator).
    """
    out = target.public()
    out["emulator"] = target.emulated.of(system)
    return out
