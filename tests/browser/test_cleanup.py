"""JupyterLab (with a running kernel) and Chromium are stopped by PID when the block around them fails."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest

from browser import servers
from browser.procs import alive, descendants

pytestmark = pytest.mark.browser


def start_kernel(lab: servers.Lab) -> str:
    request = urllib.request.Request(f"{lab.url}/api/kernels", data=b"{}", method="POST",
                                     headers={"Authorization": f"token {lab.token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
        return str(json.load(response)["id"])


def kernel_pids(lab: servers.Lab, timeout_s: float = 30) -> list[int]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [pid for pid in descendants(lab.pid)
                 if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("no kernel process appeared under JupyterLab")


def test_lab_kernel_and_chromium_are_stopped_even_when_the_test_fails(tmp_path: Path) -> None:
    root = tmp_path / "notebooks"
    root.mkdir()
    started: list[int] = []
    with (pytest.raises(RuntimeError, match="the test failed here"),
          servers.jupyter_lab(root, tmp_path / "lab") as lab, servers.chromium(tmp_path / "chromium") as browser):
        start_kernel(lab)
        kernels = kernel_pids(lab)
        started = [lab.pid, browser.pid, *kernels, *descendants(browser.pid)]
        assert all(alive(pid) for pid in started)
        assert len(started) > 3  # Chromium forks helpers
        raise RuntimeError("the test failed here")
    assert started, "the servers did not start"
    assert [pid for pid in started if alive(pid)] == []
