"""`streamcompare cleanup --local`: remove what killed runs left on the local stack, and say what.

Orphans are found two ways. Ledgers (stack/ledger.py) whose owner process is gone name the topics,
streams and child processes of a killed run: the processes still running are stopped (by pid and
start time, never by name) and the streams deleted. Then any topic or stream that carries the kit's
marks (a name starting `sc-`; for Kinesis also the tag created-by=streamcompare) and that no live
ledger claims is deleted too: it was left by a run that died before it could record it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import time
from pathlib import Path
from typing import Any

from streamcompare.clients import kafka_admin
from streamcompare.errors import StackError
from streamcompare.paths import default_run_dir
from streamcompare.stack.ledger import Ledger, Owned, read_ledgers
from streamcompare.stack.local import StackState, down

KIT_PREFIX = "sc-"


def stop_process(proc: Owned, timeout_s: float = 5.0) -> str:
    """SIGTERM, then SIGKILL after timeout_s, to exactly this process; returns what happened."""
    if not proc.is_running():
        return "not running"
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(proc.pid, os.WNOHANG)
        if not proc.is_running():
            return "stopped"
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGKILL)
    return "killed"


class _Systems:
    """Admin clients of the running local stack, made on first use."""

    def __init__(self, state: StackState | None) -> None:
        self.state = state
        # cleaning must not write ledgers of its own: no run_dir
        self.target = dataclasses.replace(state.target(), run_dir=None) if state and state.is_up() else None
        self._admins: dict[str, Any] = {}

    def admin(self, system: str) -> Any:
        if system not in self._admins:
            target = self.target
            if system == "kafka" and target is not None and target.kafka and target.kafka.bootstrap:
                self._admins[system] = kafka_admin(target.kafka.client_settings())
            elif system == "kinesis" and target is not None and target.kinesis and target.kinesis.endpoint:
                from streamcompare.drivers.kinesis import make_client

                self._admins[system] = make_client(target)
            else:
                self._admins[system] = None
        return self._admins[system]

    def delete(self, system: str, name: str) -> str:
        admin = self.admin(system)
        if admin is None:
            return f"could not delete {system} stream {name}: the local stack's {system} is not running"
        try:
            if system == "kafka":
                for future in admin.delete_topics([name], operation_timeout=30).values():
                    future.result(timeout=60)
                return f"deleted Kafka topic {name}"
            admin.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
            admin.get_waiter("stream_not_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
            return f"deleted Kinesis stream {name}"
        except Exception as exc:
            text = str(exc)
            if "UNKNOWN_TOPIC" in text or "ResourceNotFound" in text:
                return f"{system} stream {name} was already gone"
            return f"could not delete {system} stream {name}: {type(exc).__name__}: {text}"

    def kit_streams(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        kafka = self.admin("kafka")
        if kafka is not None:
            topics = kafka.list_topics(timeout=10).topics
            found += [("kafka", t) for t in sorted(topics) if t.startswith(KIT_PREFIX)]
        kinesis = self.admin("kinesis")
        if kinesis is not None:
            from streamcompare.cleanup.aws import tagged_streams

            found += [("kinesis", s) for s in tagged_streams(kinesis) if s.startswith(KIT_PREFIX)]
        return found


def _stop_processes(ledger: Ledger) -> list[str]:
    lines = []
    for proc in ledger.processes:
        outcome = stop_process(proc)
        if outcome != "not running":
            lines.append(f"{outcome} orphaned {proc.name} (pid {proc.pid}) of the killed run of pid "
                         f"{ledger.owner.pid}")
    return lines


def cleanup_local(run_dir: Path | None = None) -> list[str]:
    """Clean what killed runs left; returns one line per thing removed (or why nothing was)."""
    run_dir = (run_dir or default_run_dir()).resolve()
    state = StackState.load(run_dir)
    lines: list[str] = []
    if state is not None and state.orphaned():  # a run that started the stack for itself was killed
        for ledger in read_ledgers(run_dir):
            if not ledger.owner.is_running():
                lines += _stop_processes(ledger)
                ledger.path.unlink(missing_ok=True)  # its streams go with the stack's data
        for name, pid, outcome in down(run_dir):
            lines.append(f"{outcome} {name} (pid {pid}) of the local stack started by a killed run")
        state = None
    systems = _Systems(state)
    ledgers = read_ledgers(run_dir)
    live: list[Ledger] = [le for le in ledgers if le.owner.is_running()]
    for ledger in live:
        lines.append(f"left alone: run of pid {ledger.owner.pid} is still running "
                     f"({len(ledger.streams)} stream(s), {len(ledger.processes)} process(es))")
    for ledger in ledgers:
        if ledger in live:
            continue
        lines += _stop_processes(ledger)
        for stream in ledger.streams:
            lines.append(systems.delete(stream["system"], stream["name"]))
        ledger.path.unlink(missing_ok=True)
    claimed = {(s["system"], s["name"]) for le in live for s in le.streams}
    if systems.target is not None:
        try:
            leftovers = [s for s in systems.kit_streams() if s not in claimed]
        except Exception as exc:
            raise StackError(f"could not list the local stack's topics and streams: {exc}",
                             fix="check `streamcompare stack status`") from None
        for system, name in leftovers:
            lines.append(systems.delete(system, name) + " (not recorded by any live run)")
    elif state is None:
        lines.append(f"no local stack state in {run_dir}: only recorded processes were checked")
    else:
        lines.append("the local stack is not fully up: topics and streams were not checked")
    removed = [line for line in lines if line.startswith(("deleted", "stopped", "killed"))]
    lines.append(f"removed {len(removed)} thing(s)" if removed else "nothing to remove")
    return lines
