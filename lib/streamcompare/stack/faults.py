"""Fault injection on the local Kafka cluster, by the pids the stack started (never by name).

Hard kill (SIGKILL) and restart of one node by id, graceful stop and restart, pause (SIGSTOP) and
resume (SIGCONT); "the leader of partition p of topic t" and "the active controller" are resolved
through the admin API at the moment of the fault. A restarted node reuses its config and data
directory; its new pid goes into the same pid file the stack state lists, so `stack status` and
`stack down` see it. `health` says whether the cluster is whole again (every broker registered, no
under-replicated partition); `wait_healthy` waits for it, bounded, and says so when it is not.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamcompare.clients import kafka_admin
from streamcompare.errors import StackError
from streamcompare.stack import process
from streamcompare.stack.local import StackState

RESTART_READY_TIMEOUT_S = 120.0


def node_ids(state: StackState) -> list[int]:
    return [int(str(n["node_id"])) for n in state.kafka_nodes]


def _node(state: StackState, node_id: int) -> dict[str, object]:
    for node in state.kafka_nodes:
        if int(str(node["node_id"])) == node_id:
            return node
    raise StackError(f"the local stack has no Kafka node {node_id}", field="node",
                     fix=f"use one of: {', '.join(map(str, node_ids(state)))}")


def pid_file(state: StackState, node_id: int) -> Path:
    return Path(str(_node(state, node_id)["log"])).parent / "kafka.pid"


def record(state: StackState, node_id: int) -> process.ProcessRecord:
    path = pid_file(state, node_id)
    if not path.exists():
        raise StackError(f"Kafka node {node_id} has no pid file at {path}", fix="restart the stack")
    return process.ProcessRecord.load(path)


def kill(state: StackState, node_id: int) -> process.ProcessRecord:
    """SIGKILL node_id's process (checked by pid and start time); returns the record it killed."""
    rec = record(state, node_id)
    if not rec.is_running():
        raise StackError(f"Kafka node {node_id} (pid {rec.pid}) is not running", fix="restart it first")
    os.kill(rec.pid, signal.SIGKILL)  # also ends a paused process
    _wait_gone(rec)
    return rec


def stop(state: StackState, node_id: int, timeout_s: float = 30.0) -> str:
    """Graceful stop (SIGTERM, SIGKILL after timeout_s): Kafka moves its leaderships away first."""
    return process.stop(record(state, node_id), timeout_s=timeout_s)


def pause(state: StackState, node_id: int) -> process.ProcessRecord:
    rec = record(state, node_id)
    if not rec.is_running():
        raise StackError(f"Kafka node {node_id} (pid {rec.pid}) is not running", fix="restart it first")
    os.kill(rec.pid, signal.SIGSTOP)
    _wait_for(lambda: rec.is_paused() or not rec.is_running())  # signals are delivered asynchronously
    return rec


def resume(state: StackState, node_id: int) -> None:
    rec = record(state, node_id)
    if rec.is_running():
        os.kill(rec.pid, signal.SIGCONT)
        _wait_for(lambda: not rec.is_paused())


def _wait_for(check: Callable[[], bool], timeout_s: float = 2.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check() and time.monotonic() < deadline:
        time.sleep(0.005)


@contextlib.contextmanager
def paused(state: StackState, node_id: int) -> Iterator[process.ProcessRecord]:
    """Pause a node for the body's duration; it is resumed even when the body fails."""
    rec = pause(state, node_id)
    try:
        yield rec
    finally:
        resume(state, node_id)


def restart(state: StackState, node_id: int, *, wait: bool = True,
            timeout_s: float = RESTART_READY_TIMEOUT_S) -> process.ProcessRecord:
    """Start a node that is down again with its own config and data; its pid file gets the new pid."""
    old = record(state, node_id)
    if old.is_running():
        raise StackError(f"Kafka node {node_id} is still running (pid {old.pid})", fix="stop or kill it first")
    _reap(old.pid)
    new = process.start(old.name, old.argv, log=Path(old.log), pid_file=pid_file(state, node_id))
    state.save()
    if wait:
        bootstrap = state.kafka_bootstrap or ""
        process.wait_ready(new, lambda: node_id in registered_brokers(bootstrap), timeout_s=timeout_s,
                           what=f"restarted Kafka node {node_id}")
    return new


STARTED_LINE = b"Kafka Server started"
"""What a KRaft node logs once it is registered and unfenced (KafkaRaftServer, Kafka 4.x)."""


def log_size(state: StackState, node_id: int) -> int:
    """The node's log size now: `started_since` reads only what a restarted process wrote after it."""
    path = Path(str(_node(state, node_id)["log"]))
    return path.stat().st_size if path.exists() else 0


def started_since(state: StackState, node_id: int, offset: int) -> bool:
    """True when the node logged that it started (registered, unfenced) after byte `offset` of its log.

    The metadata alone cannot tell: a killed broker stays registered, and in the ISR, until its session
    times out or its next incarnation registers, so "every broker registered, ISR full" holds for a
    few seconds right after a kill as well as after the recovery."""
    path = Path(str(_node(state, node_id)["log"]))
    try:
        with open(path, "rb") as log:
            log.seek(offset)
            return STARTED_LINE in log.read()
    except FileNotFoundError:
        return False


def down_nodes(state: StackState) -> list[int]:
    """Nodes whose process is not running (killed, stopped, crashed)."""
    return [n for n in node_ids(state) if not record(state, n).is_running()]


def restore(state: StackState) -> list[int]:
    """Resume paused nodes and restart dead ones; returns the nodes it restarted (try/finally helper)."""
    restarted = []
    for n in node_ids(state):
        rec = record(state, n)
        if rec.is_running():
            with contextlib.suppress(ProcessLookupError):
                os.kill(rec.pid, signal.SIGCONT)
        else:
            restart(state, n, wait=False)
            restarted.append(n)
    return restarted


# --- the admin API, at the moment of the fault -----------------------------------------------------

def admin(bootstrap: str) -> Any:
    return kafka_admin({"bootstrap.servers": bootstrap, "socket.timeout.ms": 3000}, quiet_logs=True)


def registered_brokers(bootstrap: str, timeout_s: float = 3.0) -> set[int]:
    return set(admin(bootstrap).list_topics(timeout=timeout_s).brokers)


def leader_of(bootstrap: str, topic: str, partition: int = 0, timeout_s: float = 5.0) -> int:
    """The node id leading `partition` of `topic` now (librdkafka metadata)."""
    meta = admin(bootstrap).list_topics(topic, timeout=timeout_s).topics.get(topic)
    if meta is None or meta.error is not None or partition not in meta.partitions:
        raise StackError(f"topic {topic} partition {partition} is unknown to the cluster", field="topic",
                         fix="create the topic first")
    leader = int(meta.partitions[partition].leader)
    if leader < 0:
        raise StackError(f"topic {topic} partition {partition} has no leader now", fix="wait for the election")
    return leader


def followers_of(bootstrap: str, topic: str, partition: int = 0, timeout_s: float = 5.0) -> list[int]:
    meta = admin(bootstrap).list_topics(topic, timeout=timeout_s).topics[topic].partitions[partition]
    return [int(r) for r in meta.replicas if int(r) != int(meta.leader)]


def active_controller(bootstrap: str, timeout_s: float = 5.0) -> int:
    """The node id of the active KRaft controller, as DescribeCluster reports it."""
    client = admin(bootstrap)  # referenced until the answer is in: a collected client cancels its requests
    described = client.describe_cluster(request_timeout=timeout_s).result(timeout=timeout_s + 2)
    if described.controller is None:
        raise StackError("the cluster reports no active controller", fix="wait for the KRaft election")
    return int(described.controller.id)


# --- health --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Health:
    """Whether the cluster is whole: every expected broker registered, every partition fully in sync."""

    registered: tuple[int, ...]
    missing: tuple[int, ...]
    under_replicated: tuple[str, ...] = ()
    offline: tuple[str, ...] = ()
    error: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return self.error is None and not self.missing and not self.under_replicated and not self.offline

    def describe(self) -> str:
        if self.healthy:
            return f"healthy: brokers {list(self.registered)} registered, every partition fully in sync"
        parts = []
        if self.error:
            parts.append(f"metadata unavailable ({self.error})")
        if self.missing:
            parts.append(f"broker(s) {list(self.missing)} not registered")
        if self.under_replicated:
            parts.append(f"{len(self.under_replicated)} under-replicated partition(s) "
                         f"({', '.join(self.under_replicated[:5])})")
        if self.offline:
            parts.append(f"{len(self.offline)} partition(s) without a leader ({', '.join(self.offline[:5])})")
        return "not healthy: " + "; ".join(parts)


def evaluate(expected: Sequence[int], brokers: Sequence[int],
             partitions: Mapping[str, tuple[int, Sequence[int], Sequence[int]]]) -> Health:
    """Pure: health from a metadata snapshot; partitions maps "topic/p" -> (leader, replicas, isr)."""
    registered = tuple(sorted(int(b) for b in brokers))
    missing = tuple(sorted(set(expected) - set(registered)))
    urp = tuple(sorted(k for k, (_l, replicas, isr) in partitions.items() if set(isr) < set(replicas)
                       or len(isr) < len(replicas)))
    offline = tuple(sorted(k for k, (leader, _r, _i) in partitions.items() if leader < 0))
    return Health(registered, missing, urp, offline)


def health(bootstrap: str, expected: Sequence[int], topics: Sequence[str] | None = None,
           timeout_s: float = 3.0) -> Health:
    """A metadata snapshot of the whole cluster (or of `topics`), judged by `evaluate`."""
    try:
        meta = admin(bootstrap).list_topics(timeout=timeout_s)
    except Exception as exc:
        return Health((), tuple(expected), error=f"{type(exc).__name__}: {exc}")
    parts = {f"{t}/{p}": (int(pm.leader), list(pm.replicas), list(pm.isrs))
             for t, tm in meta.topics.items() if topics is None or t in topics
             for p, pm in tm.partitions.items()}
    return evaluate(expected, list(meta.brokers), parts)


def wait_healthy(bootstrap: str, expected: Sequence[int], *, timeout_s: float, topics: Sequence[str] | None = None,
                 interval_s: float = 0.2, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], float] = time.monotonic) -> Health:
    """Poll `health` until healthy or timeout_s passed; returns the last snapshot (check `.healthy`)."""
    deadline = now() + timeout_s
    last = health(bootstrap, expected, topics)
    while not last.healthy and now() < deadline:
        sleep(interval_s)
        last = health(bootstrap, expected, topics)
    return last


def _wait_gone(rec: process.ProcessRecord, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while rec.is_running() and time.monotonic() < deadline:
        _reap(rec.pid)
        time.sleep(0.02)
    _reap(rec.pid)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
