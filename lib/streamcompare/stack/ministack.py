"""MiniStack (PyPI `ministack`, MIT), a local AWS emulator whose Kinesis keeps up with the per-shard
limits the fidelity layer enforces (docs/kinesis-backends.md), served over plain HTTP.

It pins its own botocore, so it is installed into a virtual environment of its own in the cache,
never into the kit's. Only its Kinesis service is switched on (`SERVICES=kinesis`). It is started
through a small launcher (resources/ministack_launch.py) that makes two per-call scans over every
stored record incremental: without it, call time grows with the records stored.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from streamcompare.paths import cache_dir
from streamcompare.stack import process
from streamcompare.stack.cache import install_once, resource, run_tool

Progress = Callable[[str], None]

PINNED = "1.5.33"
"""The MiniStack release the kit was checked against (docs/kinesis-backends.md)."""
EXTRAS = ("cbor2>=5.4",)
"""Optional for MiniStack, needed by the kit: CBOR bodies (the Java SDK, the KPL) fail without it."""


def pinned_version() -> str:
    return PINNED


def venv_dir(version: str | None = None) -> Path:
    return cache_dir() / f"ministack-{version or PINNED}-cbor2"


def python(version: str | None = None) -> Path:
    """The venv's interpreter; MiniStack runs as `python -m ministack` (a moved venv keeps working that way)."""
    return venv_dir(version) / "bin" / "python"


def ensure_installed(progress: Progress = lambda _msg: None) -> Path:
    """Create a virtual environment and pip-install the pinned MiniStack into it, once, in the cache."""

    def install(work: Path) -> Path:
        progress(f"installing MiniStack {PINNED} (PyPI ministack) into its own virtual environment "
                 f"{venv_dir()}")
        run_tool([sys.executable, "-m", "venv", str(work)], cwd=None, timeout_s=300,
                 what="creating MiniStack's virtual environment",
                 fix="check that Python's venv module works (Debian: apt-get install python3-venv)")
        run_tool([str(work / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                  f"ministack=={PINNED}", *EXTRAS], cwd=None, timeout_s=900, what=f"pip installing ministack {PINNED}",
                 fix="check that PyPI is reachable (pip config list)")
        return work

    return install_once(venv_dir(), install, PINNED)


def start(home: Path, port: int, _spare_port: int) -> process.ProcessRecord:
    """Start MiniStack's Kinesis on 127.0.0.1:port (its own default would bind 0.0.0.0:4566)."""
    home.mkdir(parents=True, exist_ok=True)
    env = {"BIND_HOST": "127.0.0.1", "GATEWAY_PORT": str(port), "SERVICES": "kinesis", "LOG_LEVEL": "WARNING",
           "MINISTACK_REGION": "us-east-1", "TMPDIR": str(home), "PYTHONPATH": ""}
    launcher = home / "ministack_launch.py"  # see resources/ministack_launch.py: per-call scans made incremental
    launcher.write_text(resource("ministack_launch.py"))
    return process.start("ministack", [str(python()), str(launcher)], log=home / "kinesis.log",
                         pid_file=home / "kinesis.pid", env=env, cwd=home)
