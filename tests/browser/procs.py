"""Stopping the processes a browser test started, by PID: the process, its group and every descendant.

JupyterLab starts each kernel in a session of its own and Chromium forks helpers, so killing one process
group is not enough; the descendants are collected from /proc before anything is signalled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path


def descendants(pid: int) -> list[int]:
    """Every living descendant of `pid` (children first-found order), read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: the fields start after the last ')'
        fields = text[text.rfind(")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:  # a zombie has exited; only its parent's wait is missing
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def stop_tree(proc: subprocess.Popen[bytes], grace_s: float = 10.0) -> list[int]:
    """SIGTERM the process (a session leader), its group and its descendants; SIGKILL what outlives grace_s.

    Returns the PIDs that needed SIGKILL (empty when everything stopped on SIGTERM).
    """
    pids = [proc.pid, *descendants(proc.pid)]
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    _signal_group(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        proc.poll()
        if not any(alive(pid) for pid in pids):
            break
        time.sleep(0.1)
    stubborn = [pid for pid in pids if alive(pid)]
    for pid in stubborn:
        _signal(pid, signal.SIGKILL)
    _signal_group(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    return stubborn


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
