"""Supervised processes: start detached with a log, record a pid file, wait for readiness, stop by pid.

A pid file records the pid *and* the process start time from /proc, so a recycled pid is never
mistaken for ours and nothing is ever stopped by name.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from streamcompare.errors import StackError


@dataclass(frozen=True)
class ProcessRecord:
    """What we know about a process we started: enough to find it again and to stop only it."""

    name: str
    pid: int
    start_ticks: int
    log: str
    argv: tuple[str, ...]

    def save(self, pid_file: Path) -> None:
        pid_file.write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, pid_file: Path) -> ProcessRecord:
        data = json.loads(pid_file.read_text())
        return cls(name=data["name"], pid=int(data["pid"]), start_ticks=int(data["start_ticks"]),
                   log=data["log"], argv=tuple(data["argv"]))

    def is_running(self) -> bool:
        """True when this exact process (same pid and start time) is alive and not a zombie."""
        stat = _proc_stat(self.pid)
        return stat is not None and stat[0] != "Z" and stat[1] == self.start_ticks

    def is_paused(self) -> bool:
        """True when this exact process is stopped by a signal (SIGSTOP: a paused node)."""
        stat = _proc_stat(self.pid)
        return stat is not None and stat[0] == "T" and stat[1] == self.start_ticks

    def rss_mib(self) -> float | None:
        """Resident memory in MiB, from /proc, or None when the process is gone."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except (FileNotFoundError, ProcessLookupError):
            return None
        return None


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, start time in clock ticks) of a pid from /proc, or None when it does not exist."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = raw[raw.rindex(")") + 2:].split()  # the command name may contain spaces
    return fields[0], int(fields[19])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """Distinct ports that were free a moment ago (the OS picks them)."""
    sockets, ports = [], []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((host, 0))
            sockets.append(sock)
            ports.append(sock.getsockname()[1])
    finally:
        for sock in sockets:
            sock.close()
    return ports


def require_free(port: int, what: str, flag: str) -> None:
    if not port_is_free(port):
        raise StackError(f"port {port} for {what} is already in use by another process",
                         fix=f"choose another port with {flag}, or stop whatever listens on {port}")


def start(name: str, argv: Sequence[str], *, log: Path, pid_file: Path,
          env: Mapping[str, str] | None = None, cwd: Path | None = None) -> ProcessRecord:
    """Start argv detached in its own session, output appended to log, and record its pid file."""
    log.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **(env or {})}
    with open(log, "ab") as out:
        proc = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=full_env, cwd=cwd, start_new_session=True)
    stat = _proc_stat(proc.pid)
    record = ProcessRecord(name=name, pid=proc.pid, start_ticks=stat[1] if stat else -1, log=str(log),
                           argv=tuple(argv))
    record.save(pid_file)
    return record


def tail(path: Path | str, lines: int = 20) -> str:
    try:
        content = Path(path).read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return "(no log written)"
    return "\n".join(content[-lines:])


def wait_ready(record: ProcessRecord, check: Callable[[], bool], *, timeout_s: float, what: str,
               interval_s: float = 0.25) -> None:
    """Poll check() until it is true; fail with the log's tail if the process dies or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not record.is_running():
            raise StackError(f"{what} exited during start-up; last lines of {record.log}:\n{tail(record.log)}",
                             fix="read the log above; `streamcompare stack logs` shows it all")
        try:
            if check():
                return
        except Exception:  # not answering yet
            pass
        time.sleep(interval_s)
    raise StackError(f"{what} was not ready after {timeout_s:.0f} s; last lines of {record.log}:\n"
                     f"{tail(record.log)}", fix="check the log; on a busy machine try `--brokers 1`")


def stop(record: ProcessRecord, *, timeout_s: float = 20.0) -> str:
    """Stop our process by pid: SIGTERM, then SIGKILL after timeout_s. Returns what happened."""
    return stop_all([record], timeout_s=timeout_s)[0]


def stop_all(records: Sequence[ProcessRecord], *, timeout_s: float = 20.0) -> list[str]:
    """Stop processes together (a KRaft quorum shuts down cleanly only if its voters go at once)."""
    outcomes = ["not running"] * len(records)
    pending = []
    for index, record in enumerate(records):
        if record.is_running():
            try:
                os.kill(record.pid, signal.SIGTERM)
                pending.append(index)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + timeout_s
    while pending and time.monotonic() < deadline:
        for index in list(pending):
            _reap(records[index].pid)
            if not records[index].is_running():
                outcomes[index] = "stopped"
                pending.remove(index)
        time.sleep(0.1)
    for index in pending:
        record = records[index]
        if record.is_running():
            os.kill(record.pid, signal.SIGKILL)
            for _ in range(50):
                _reap(record.pid)
                if not record.is_running():
                    break
                time.sleep(0.1)
        outcomes[index] = "killed after timeout"
    return outcomes


def _reap(pid: int) -> None:
    """Collect the exit status if the process is our child, so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
