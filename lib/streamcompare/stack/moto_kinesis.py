"""moto's server (`moto[server]`, already a dev dependency for the secure profile) as a plain-HTTP
Kinesis backend behind the fidelity layer: `stack up --kinesis-backend moto`.

A separate process from the secure profile's IAM-enforcing moto (stack/kinesis_iam.py): its own free
port, no TLS, authentication off.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from streamcompare.stack import process
from streamcompare.stack.kinesis_iam import moto_available

Progress = Callable[[str], None]


def pinned_version() -> str:
    from importlib.metadata import version

    return version("moto")


def ensure_installed(progress: Progress = lambda _msg: None) -> None:
    """moto comes with the kit's dev extras; only check that it is importable."""
    moto_available()


def start(home: Path, port: int, _spare_port: int) -> process.ProcessRecord:
    home.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    return process.start("moto-kinesis", argv, log=home / "kinesis.log", pid_file=home / "kinesis.pid",
                         env={"MOTO_DISABLE_USAGE_LOGGING": "1"})
