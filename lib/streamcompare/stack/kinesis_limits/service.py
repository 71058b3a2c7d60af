"""The layer as one of the stack's supervised processes: start it, and tell whether it answers."""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

from streamcompare.stack import process
from streamcompare.stack.kinesis_limits.proxy import CONTROL
from streamcompare.stack.kinesis_limits.settings import Faults, Limits

NAME = "kinesis-limits"


def start(home: Path, port: int, upstream: str, limits: Limits | None = None,
          faults: Faults | None = None) -> process.ProcessRecord:
    """Start the layer on 127.0.0.1:port in front of `upstream`, with its settings in home/settings.json."""
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "settings.json"
    settings.write_text(json.dumps({"limits": (limits or Limits()).to_dict(),
                                    "faults": (faults or Faults()).to_dict()}, indent=2))
    argv = [sys.executable, "-m", "streamcompare.stack.kinesis_limits", "--port", str(port),
            "--upstream", upstream, "--settings", str(settings)]
    return process.start(NAME, argv, log=home / "kinesis-limits.log", pid_file=home / "kinesis-limits.pid")


def answers(endpoint: str) -> bool:
    """Ready means the control endpoint answers (the Kinesis API through it is checked separately)."""
    with urllib.request.urlopen(endpoint.rstrip("/") + CONTROL + "/limits", timeout=3) as response:
        json.loads(response.read())
    return True


def describe(endpoint: str) -> dict[str, Any]:
    """What a result file records about the layer: its live settings (limits and faults)."""
    with urllib.request.urlopen(endpoint.rstrip("/") + CONTROL + "/stats", timeout=5) as response:
        data = json.loads(response.read())
    return {"endpoint": endpoint, "limits": data["limits"], "faults": data["faults"]}
