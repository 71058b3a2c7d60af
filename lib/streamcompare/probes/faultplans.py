"""What a reliability experiment does to the cluster: the faults and the producer settings.

A fault runs in its own thread on the experiment's clock (the runner's clock, never another):
`FaultRun.at(offset_s)` waits until that many seconds after the fault time, `mark` records what it
did and when. Targets ("the leader of partition 0", "the active controller") are resolved through
the admin API at the moment of the fault. Each fault restores what it broke; the experiment's
`finally` restores anything left (faults.restore) in case the fault thread failed half-way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from streamcompare.bench.clock import Clock
from streamcompare.errors import ConfigError, one_of
from streamcompare.stack import faults
from streamcompare.stack.local import StackState


@dataclass(frozen=True)
class Setting:
    """Producer and topic settings of one matrix row."""

    key: str
    label: str
    acks: str
    min_isr: int
    idempotence: bool = False
    unclean: bool = False

    def producer(self, message_timeout_ms: int) -> dict[str, Any]:
        return {"acks": self.acks, "idempotence": self.idempotence,
                "extra": {"message.timeout.ms": message_timeout_ms, "log_level": 2}}

    def topic_config(self) -> dict[str, str]:
        return {"min.insync.replicas": str(self.min_isr),
                "unclean.leader.election.enable": str(self.unclean).lower()}


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("acks0", "acks=0", "0", 1),
    Setting("acks1", "acks=1", "1", 1),
    Setting("all-isr2", "acks=all, min.insync.replicas=2", "all", 2),
    Setting("idempotent", "acks=all, idempotent, min.insync.replicas=2", "all", 2, idempotence=True),
    Setting("unclean-on", "acks=all, min.insync.replicas=1, unclean election on", "all", 1, unclean=True),
    Setting("unclean-off", "acks=all, min.insync.replicas=1, unclean election off", "all", 1, unclean=False),
    Setting("unclean-on-isr2", "acks=all, min.insync.replicas=2, unclean election on", "all", 2, unclean=True),
)}
MAIN_SETTINGS = ("acks0", "acks1", "all-isr2", "idempotent")
UNCLEAN_SETTINGS = ("unclean-on", "unclean-off", "unclean-on-isr2")


@dataclass
class FaultRun:
    """The context a fault function gets: the stack, the topic, the clock and the fault time."""

    state: StackState
    topic: str
    clock: Clock
    fault_ns: int
    origin_ns: int
    down_s: float
    pause_s: float
    pinned: dict[str, int] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    targets: dict[str, int] = field(default_factory=dict)
    restarts: dict[int, int] = field(default_factory=dict)
    """Node -> its log size when it was restarted: recovery waits for the new process's start line."""

    @property
    def bootstrap(self) -> str:
        return self.state.kafka_bootstrap or ""

    def at(self, offset_s: float) -> None:
        self.clock.sleep_until_ns(self.fault_ns + int(offset_s * 1e9))

    def restart(self, node: int) -> None:
        self.restarts[node] = faults.log_size(self.state, node)
        faults.restart(self.state, node, wait=False)
        self.mark(f"restart node {node}")

    def restarted_nodes_started(self) -> bool:
        return all(faults.started_since(self.state, n, offset) for n, offset in self.restarts.items())

    def mark(self, what: str) -> None:
        self.events.append({"t_s": round((self.clock.now_ns() - self.origin_ns) / 1e9, 3), "event": what})


def _kill_and_restart(run: FaultRun, node: int, role: str) -> None:
    run.targets[role] = node
    faults.kill(run.state, node)
    run.mark(f"kill -9 node {node} ({role})")
    run.at(run.down_s)
    run.restart(node)


def kill_leader(run: FaultRun) -> None:
    _kill_and_restart(run, faults.leader_of(run.bootstrap, run.topic, 0), "leader of partition 0")


def kill_follower(run: FaultRun) -> None:
    _kill_and_restart(run, faults.followers_of(run.bootstrap, run.topic, 0)[0], "follower of partition 0")


def kill_controller(run: FaultRun) -> None:
    node = faults.active_controller(run.bootstrap)
    leads = faults.leader_of(run.bootstrap, run.topic, 0) == node
    _kill_and_restart(run, node, "active controller" + (", also leader of partition 0" if leads else ""))


def pause_leader(run: FaultRun) -> None:
    node = faults.leader_of(run.bootstrap, run.topic, 0)
    run.targets["leader of partition 0"] = node
    with faults.paused(run.state, node):
        run.mark(f"SIGSTOP node {node} (leader of partition 0)")
        run.at(run.pause_s)
    run.mark(f"SIGCONT node {node}")


def stop_leader(run: FaultRun) -> None:
    node = faults.leader_of(run.bootstrap, run.topic, 0)
    run.targets["leader of partition 0"] = node
    faults.stop(run.state, node)
    run.mark(f"graceful stop of node {node} (leader of partition 0)")
    run.at(run.down_s)
    run.restart(node)


TWO_DOWN_KILL_S = 14.0
TWO_DOWN_RESUME_S = 16.0
TWO_DOWN_RESTART_S = 26.0


def two_down(run: FaultRun) -> None:
    """Two of the partition's nodes down, leader last: the unclean-election case.

    The topic lives on nodes A (leader) and B only; C, the active controller, holds no replica, so
    the KRaft quorum keeps a majority whenever at most one of A and B is gone. B is paused: after
    the broker session times out it is fenced and leaves the ISR, and A acknowledges alone
    (acks=all with min.insync.replicas=1). Then A is killed and B resumed: B, out of sync, is the
    only replica left. With unclean election on, B leads and A's last records are gone when A
    returns; with it off, the partition stays without a leader until A is back.
    """
    a, b = run.pinned["leader"], run.pinned["follower"]
    run.targets.update({"leader": a, "follower": b})
    faults.pause(run.state, b)
    try:
        run.mark(f"SIGSTOP node {b} (follower)")
        run.at(TWO_DOWN_KILL_S)
        faults.kill(run.state, a)
        run.mark(f"kill -9 node {a} (leader)")
        run.at(TWO_DOWN_RESUME_S)
    finally:
        faults.resume(run.state, b)
    run.mark(f"SIGCONT node {b} (the only replica left)")
    run.at(TWO_DOWN_RESTART_S)
    run.restart(a)


@dataclass(frozen=True)
class Fault:
    name: str
    describe: str
    inject: Callable[[FaultRun], None]
    settings: tuple[str, ...] = MAIN_SETTINGS
    pinned: bool = False
    """True: the topic has replication factor 2 on two nodes that are not the active controller."""
    min_duration_s: float = 0.0


FAULTS: dict[str, Fault] = {f.name: f for f in (
    Fault("kill-leader", "kill -9 of the leader of partition 0, restarted after the down time", kill_leader),
    Fault("kill-follower", "kill -9 of a follower of partition 0, restarted after the down time", kill_follower),
    Fault("pause-leader", "SIGSTOP of the leader of partition 0 for the pause time, then SIGCONT", pause_leader),
    Fault("kill-controller", "kill -9 of the active KRaft controller, restarted after the down time",
          kill_controller),
    Fault("stop-leader", "graceful stop (SIGTERM) of the leader of partition 0, restarted after the down time",
          stop_leader),
    Fault("two-down", "replication factor 2: follower paused, then the leader killed, then the follower "
          "resumed (unclean election on vs off)", two_down, UNCLEAN_SETTINGS, pinned=True,
          min_duration_s=TWO_DOWN_RESTART_S + 10),
)}
MATRIX_FAULTS = ("kill-leader", "kill-follower", "pause-leader", "kill-controller", "two-down")


def fault(name: str) -> Fault:
    return one_of(FAULTS, name, what="fault", field="fault")


def setting_for(acks: str, min_isr: int | None, idempotence: bool, unclean: bool, fault_name: str) -> str:
    """The key of the setting the command-line flags describe (the matrix's rows only)."""
    if fault_name == "two-down":
        isr = 1 if min_isr is None else min_isr
        key = {(1, True): "unclean-on", (1, False): "unclean-off", (2, True): "unclean-on-isr2"}.get((isr, unclean))
        if acks != "all" or key is None:
            raise ConfigError("two-down runs acks=all with min.insync.replicas 1 (unclean on or off) or 2 "
                              "(unclean on)", field="fault", fix="use --acks all --min-isr 1 --unclean")
        return key
    if acks == "all":
        if (min_isr or 2) != 2:
            raise ConfigError("the matrix runs acks=all with min.insync.replicas=2", field="min_isr",
                              fix="use --min-isr 2 (or leave it out)")
        return "idempotent" if idempotence else "all-isr2"
    if idempotence:
        raise ConfigError("the idempotent producer needs acks=all", field="idempotence", fix="use --acks all")
    if acks in ("0", "1"):
        return f"acks{acks}"
    raise ConfigError(f"acks {acks!r} is not 0, 1 or all", field="acks", fix="use --acks all")


def setting(key: str) -> Setting:
    return one_of(SETTINGS, key, what="setting", field="setting")
