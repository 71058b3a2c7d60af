"""The consumer side: receive records, time them, spot lost and duplicate ones.

`consumer_main` runs in a thread or in a child process (same code; messages go through a queue):
  out:     ("ready", index, pid), ("progress", index, unique_received), ("result", index, dict),
           ("error", index, traceback text)
  control: ("start", measure_start_ns), ("stop",)
The receive time is read once per `poll()` batch, right after it returns: that is when the
application gets the records. End-to-end latency = receive - intended send time from the payload
(same host, same CLOCK_MONOTONIC). Only the first receipt of a record is timed and counted in the
windows; later receipts are duplicates.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from streamcompare.bench.clock import Clock, MonotonicClock
from streamcompare.bench.driverref import DriverRef
from streamcompare.bench.errors import BenchmarkError
from streamcompare.bench.payload import HEADER, HEADER_BYTES, SEQ_BITS, SEQ_MASK
from streamcompare.bench.stats import LatencyHistogram
from streamcompare.bench.tally import RECEIVED, SeqSet, Windows
from streamcompare.drivers.base import DriverRegistry
from streamcompare.stack.ledger import Ledger

READY_TIMEOUT_S = 120.0
PR_SET_PDEATHSIG = 1
DRAIN_IDLE_S = 10.0


class Channel(Protocol):
    def put(self, item: Any) -> None: ...

    def get_nowait(self) -> Any: ...


@dataclass(frozen=True)
class ConsumerPlan:
    """One consumer: `index` among all of the run's consumers, `member` of `consumers` reading `stream`."""

    index: int
    consumers: int
    stream: str
    settings: Mapping[str, Any]
    run_tag: int
    poll_timeout_s: float = 0.1
    progress_interval_s: float = 0.05
    member: int | None = None  # None: the same as index (one stream)


class ReceiveTracker:
    """Times and de-duplicates received payloads of one run."""

    def __init__(self, run_tag: int) -> None:
        self.run_tag = run_tag
        self.measure_start_ns: int | None = None
        self._early: list[tuple[int, int]] = []  # (intended, received) before the start is known
        self.e2e = LatencyHistogram()
        self.windows = Windows(0)
        self.seqs: dict[int, SeqSet] = {}
        self.received = self.unique = self.duplicates = self.foreign = self.measured_received = 0

    def set_measure_start(self, t_ns: int) -> None:
        self.measure_start_ns = t_ns
        self.windows = Windows(t_ns)
        early, self._early = self._early, []
        for intended, recv in early:
            self._time(intended, recv)

    def _time(self, intended: int, recv: int) -> None:
        if intended >= self.measure_start_ns:  # type: ignore[operator]
            self.measured_received += 1
            self.e2e.record_ns(recv - intended)
            self.windows.add(RECEIVED, recv)

    def handle(self, values: list[bytes], recv_ns: int) -> None:
        unpack, tag, seqs = HEADER.unpack_from, self.run_tag, self.seqs
        for value in values:
            if len(value) < HEADER_BYTES:
                self.foreign += 1
                continue
            intended, ident, run_tag = unpack(value)
            if run_tag != tag:
                self.foreign += 1
                continue
            self.received += 1
            producer = ident >> SEQ_BITS
            seen = seqs.get(producer)
            if seen is None:
                seen = seqs[producer] = SeqSet()
            if not seen.add(ident & SEQ_MASK):
                self.duplicates += 1
                continue
            self.unique += 1
            if self.measure_start_ns is None:
                self._early.append((intended, recv_ns))
            else:
                self._time(intended, recv_ns)

    def outcome(self, counters: Mapping[str, int]) -> dict[str, Any]:
        """Plain, picklable summary for the parent."""
        return {
            "e2e": self.e2e.encode(), "e2e_clamped": self.e2e.clamped,
            "windows": dict(self.windows.counts),
            "seqs": {p: bytes(s.bits) for p, s in self.seqs.items()},
            "received": self.received, "unique": self.unique, "duplicates": self.duplicates,
            "foreign": self.foreign, "measured_received": self.measured_received,
            "counters": dict(counters),
        }


def consumer_main(ref: DriverRef, plan: ConsumerPlan, out: Channel, control: Channel,
                  registry: DriverRegistry | None = None, clock: Clock | None = None) -> None:
    """Build the driver (by name, so this works in a fresh process), consume until told to stop."""
    clock = clock or MonotonicClock()
    consumer = None
    try:
        driver = ref.build(registry)
        member = plan.index if plan.member is None else plan.member
        settings = {**plan.settings, "consumer_index": member, "consumers": plan.consumers}
        consumer = driver.consumer(plan.stream, settings)
        tracker = ReceiveTracker(plan.run_tag)
        out.put(("ready", plan.index, os.getpid()))
        progress_every = int(plan.progress_interval_s * 1e9)
        next_progress = clock.now_ns()
        reported = 0
        stopping = False
        while not stopping:
            values = consumer.poll(plan.poll_timeout_s)
            now = clock.now_ns()
            if values:
                tracker.handle(values, now)
            while True:
                try:
                    message = control.get_nowait()
                except queue.Empty:
                    break
                if message[0] == "start":
                    tracker.set_measure_start(message[1])
                elif message[0] == "stop":
                    stopping = True
            if now >= next_progress and tracker.unique != reported:
                reported = tracker.unique
                out.put(("progress", plan.index, reported))
                next_progress = now + progress_every
        out.put(("result", plan.index, tracker.outcome(consumer.counters().as_dict())))
    except BaseException:
        out.put(("error", plan.index, traceback.format_exc()))
    finally:
        if consumer is not None:
            with contextlib.suppress(Exception):
                consumer.close()


def consumer_process_main(ref: DriverRef, plan: ConsumerPlan, out: Channel, control: Channel,
                          parent_pid: int) -> None:
    """A consumer in a child process: it never outlives the kit's process (see watch_parent)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    watch_parent(parent_pid)
    consumer_main(ref, plan, out, control)


def watch_parent(parent_pid: int, interval_s: float = 0.5) -> None:
    """Exit when the parent dies, however it dies (SIGKILL included).

    On Linux the kernel sends SIGKILL when the parent goes (prctl PR_SET_PDEATHSIG); everywhere a
    daemon thread also checks the parent pid twice a second and exits the process when it changes.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the line above ran
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(interval_s)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="sc-parent-watch", daemon=True).start()


class ConsumerGroup:
    """The run's consumers, as threads or spawned processes, behind one message queue."""

    def __init__(self, ref: DriverRef, plans: list[ConsumerPlan], registry: DriverRegistry,
                 clock: Clock, in_subprocess: bool, ledger: Ledger | None = None) -> None:
        self.in_subprocess = in_subprocess
        self.ledger = ledger
        self.unique = [0] * len(plans)
        self.results: dict[int, dict[str, Any]] = {}
        self.workers: list[Any] = []
        if in_subprocess:
            ctx = multiprocessing.get_context("spawn")
            self.out: Any = ctx.Queue()
            self.controls: list[Any] = [ctx.Queue() for _ in plans]
            for plan, control in zip(plans, self.controls, strict=True):
                self.workers.append(ctx.Process(target=consumer_process_main,
                                                args=(ref, plan, self.out, control, os.getpid()),
                                                name=f"sc-consumer-{plan.index}", daemon=True))
        else:
            self.out = queue.Queue()
            self.controls = [queue.Queue() for _ in plans]
            for plan, control in zip(plans, self.controls, strict=True):
                self.workers.append(threading.Thread(
                    target=consumer_main, args=(ref, plan, self.out, control, registry, clock),
                    name=f"sc-consumer-{plan.index}", daemon=True))

    def start(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        for w in self.workers:
            w.start()
            if self.in_subprocess and self.ledger is not None:
                self.ledger.add_process(w.name, w.pid)
        if self.in_subprocess and self.ledger is not None and (tracker := _resource_tracker_pid()):
            self.ledger.add_process("multiprocessing resource tracker", tracker)
        ready: set[int] = set()
        deadline = time.monotonic() + timeout_s
        while len(ready) < len(self.workers):
            message = self._next(deadline - time.monotonic())
            if message is None:
                raise BenchmarkError(f"consumers not ready after {timeout_s:.0f} s",
                                     fix="check the target is reachable (streamcompare stack status)")
            if message[0] == "ready":
                ready.add(message[1])

    def _next(self, timeout_s: float) -> tuple[Any, ...] | None:
        """Next message (handling progress, results and errors), or None after timeout_s."""
        try:
            message = self.out.get(timeout=max(0.0, timeout_s))
        except queue.Empty:
            self._check_alive()
            return None
        kind, index = message[0], message[1]
        if kind == "error":
            raise BenchmarkError(f"consumer {index} failed:\n{message[2].rstrip()}")
        if kind == "progress":
            self.unique[index] = message[2]
        elif kind == "result":
            self.results[index] = message[2]
            self.unique[index] = message[2]["unique"]
        return message

    def _check_alive(self) -> None:
        for i, w in enumerate(self.workers):
            if i not in self.results and not w.is_alive():
                code = getattr(w, "exitcode", None)
                raise BenchmarkError(f"consumer {i} exited unexpectedly (exit code {code})")

    def pump(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while (remaining := deadline - time.monotonic()) > 0:
            self._next(remaining)

    def begin(self, measure_start_ns: int) -> None:
        for c in self.controls:
            c.put(("start", measure_start_ns))

    def drain(self, expected: int, timeout_s: float, idle_s: float = DRAIN_IDLE_S) -> bool:
        """Wait until the consumers together received `expected` distinct records.

        Gives up after timeout_s, or after idle_s without a single new record (the rest is lost or
        the consumer is stuck: waiting longer would not change the count, only the run time).
        """
        deadline = time.monotonic() + timeout_s
        last_count, last_change = sum(self.unique), time.monotonic()
        while (count := sum(self.unique)) < expected:
            now = time.monotonic()
            if count != last_count:
                last_count, last_change = count, now
            if now >= deadline or now - last_change >= idle_s:
                return False
            self._next(min(deadline - now, 0.1))
        return True

    def stop(self, timeout_s: float = 30.0) -> list[dict[str, Any]]:
        for c in self.controls:
            c.put(("stop",))
        deadline = time.monotonic() + timeout_s
        while len(self.results) < len(self.workers):
            if self._next(deadline - time.monotonic()) is None and time.monotonic() >= deadline:
                raise BenchmarkError(f"consumers did not report within {timeout_s:.0f} s of stop")
        self.close()
        return [self.results[i] for i in sorted(self.results)]

    def close(self) -> list[int]:
        """Stop every consumer still running and reap it; idempotent. Returns the child pids reaped."""
        for c in self.controls:
            c.put(("stop",))
        reaped = []
        for w in self.workers:
            if w.is_alive():
                w.join(timeout=5)
            if self.in_subprocess and w.is_alive():
                w.terminate()
                w.join(timeout=5)
            if self.in_subprocess and w.is_alive():
                w.kill()
                w.join(timeout=5)
            if self.in_subprocess and w.pid is not None:
                reaped.append(w.pid)
                if self.ledger is not None:
                    self.ledger.drop_process(w.pid)
        if self.in_subprocess:
            for c in self.controls:
                c.cancel_join_thread()
            if self.ledger is not None and (tracker := _resource_tracker_pid()):
                self.ledger.drop_process(tracker)  # it lives as long as this process, and goes with it
        return reaped


def _resource_tracker_pid() -> int | None:
    """multiprocessing's resource tracker (started with the first spawned child), if running."""
    from multiprocessing import resource_tracker

    pid = getattr(getattr(resource_tracker, "_resource_tracker", None), "_pid", None)
    return int(pid) if pid else None
