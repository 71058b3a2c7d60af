"""What a process created on the local stack, written down as it happens, for `streamcompare cleanup --local`.

A run killed with SIGKILL runs no `finally`: the topics and streams it created and the consumer
processes it spawned would be left behind. So every process that creates something on the local
stack keeps a ledger, `<run dir>/runs/<pid>-<start ticks>.json`, written before each creation and
updated after each deletion: the owner (pid and start time, so a recycled pid is never mistaken for
it), the streams by system, and the child processes by pid and start time. A clean exit leaves an
empty ledger, which is removed. `cleanup --local` treats a ledger whose owner is gone as orphaned:
it stops the recorded processes still running (only those exact processes) and deletes the streams.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from streamcompare.stack.process import _proc_stat
from streamcompare.target import Target

RUNS = "runs"
_LOCK = threading.Lock()
_OPEN: dict[str, Ledger] = {}


@dataclass(frozen=True)
class Owned:
    name: str
    pid: int
    start_ticks: int

    def is_running(self) -> bool:
        stat = _proc_stat(self.pid)
        return stat is not None and stat[0] != "Z" and stat[1] == self.start_ticks


def this_process(name: str = "owner", pid: int | None = None) -> Owned:
    pid = os.getpid() if pid is None else pid
    stat = _proc_stat(pid)
    return Owned(name, pid, stat[1] if stat else -1)


@dataclass
class Ledger:
    """One process's record of what it created on one local stack."""

    path: Path
    owner: Owned
    streams: list[dict[str, str]] = field(default_factory=list)
    processes: list[Owned] = field(default_factory=list)

    def _save(self) -> None:
        if not self.streams and not self.processes:
            self.path.unlink(missing_ok=True)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"owner": asdict(self.owner), "streams": self.streams,
                                   "processes": [asdict(p) for p in self.processes]}, indent=2))
        tmp.replace(self.path)

    def add_stream(self, system: str, name: str) -> None:
        with _LOCK:
            entry = {"system": system, "name": name}
            if entry not in self.streams:
                self.streams.append(entry)
            self._save()

    def drop_stream(self, system: str, name: str) -> None:
        with _LOCK:
            self.streams = [s for s in self.streams if s != {"system": system, "name": name}]
            self._save()

    def add_process(self, name: str, pid: int) -> None:
        with _LOCK:
            self.processes.append(this_process(name, pid))
            self._save()

    def drop_process(self, pid: int) -> None:
        with _LOCK:
            self.processes = [p for p in self.processes if p.pid != pid]
            self._save()


def ledger_for(target: Target) -> Ledger | None:
    """This process's ledger for a local-stack target (one that names its `run_dir`), else None."""
    if not target.local or not target.run_dir:
        return None
    owner = this_process()
    path = Path(target.run_dir) / RUNS / f"{owner.pid}-{owner.start_ticks}.json"
    with _LOCK:
        ledger = _OPEN.get(str(path))
        if ledger is None:
            ledger = _OPEN[str(path)] = Ledger(path, owner)
        return ledger


def read_ledgers(run_dir: Path) -> list[Ledger]:
    """Every ledger under a run dir (unreadable ones are skipped: they are rewritten atomically)."""
    found = []
    for path in sorted((run_dir / RUNS).glob("*.json")):
        try:
            data = json.loads(path.read_text())
            found.append(Ledger(path, Owned(**data["owner"]), list(data.get("streams", [])),
                                [Owned(**p) for p in data.get("processes", [])]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return found
