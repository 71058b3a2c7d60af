"""A fake driver for the bench runner: an in-memory (or file-backed) partitioned log.

Target keys (all optional):
  broker            name of the in-memory broker (share it between driver instances of one process)
  log_dir           use files under this folder instead of memory (works across processes)
  ack_delay_ms      acks arrive this long after send, from a timer thread (0: inside send)
  ack_on_poll       with ack_delay_ms, hold acks until producer.poll()/flush() (librdkafka style)
  send_block_ms     send() blocks this long (a synchronous client)
  send_cpu_us       send() burns this much Python CPU (holding the GIL)
  consume_cpu_us    consumer.poll() burns this much Python CPU per record returned
  fail_every        every n-th send is acknowledged with an error and not stored
  drop_every        every n-th send is acknowledged but never delivered (lost)
  duplicate_every   every n-th send is stored twice (a retry that duplicated)
  throttle_every    every n-th send counts a throttle and a retry
  fail_consumer     consumer() raises (to test error reporting from a consumer thread or process)
Importable by module path ("fakes:FakeDriver") so a child process can build it. `make_result` builds
a plausible RunResult for tests of results and summaries.
"""

from __future__ import annotations

import heapq
import itertools
import os
import struct
import threading
import time
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from streamcompare.bench.metadata import run_metadata
from streamcompare.bench.results import METRICS, RunResult
from streamcompare.bench.stats import LatencyHistogram
from streamcompare.drivers.base import AckCallback, DriverCounters, StreamSpec

FRAME = struct.Struct(">I")
EVENTS: list[tuple[str, str]] = []
"""(action, stream) of every admin call in this process, for assertions."""


def burn(us: float) -> None:
    if us > 0:
        end = time.perf_counter_ns() + int(us * 1000)
        while time.perf_counter_ns() < end:
            pass


class MemoryStream:
    def __init__(self, partitions: int) -> None:
        self.partitions: list[list[bytes]] = [[] for _ in range(partitions)]
        self.cond = threading.Condition()

    def append(self, partition: int, value: bytes) -> None:
        with self.cond:
            self.partitions[partition].append(value)
            self.cond.notify_all()

    def reader(self, assigned: list[int]) -> MemoryReader:
        return MemoryReader(self, assigned)


class MemoryReader:
    def __init__(self, stream: MemoryStream, assigned: list[int]) -> None:
        self.stream, self.assigned = stream, assigned
        self.offsets = dict.fromkeys(assigned, 0)

    def read(self, timeout_s: float) -> list[bytes]:
        deadline = time.monotonic() + timeout_s
        with self.stream.cond:
            while True:
                out: list[bytes] = []
                for p in self.assigned:
                    log = self.stream.partitions[p]
                    out.extend(log[self.offsets[p]:])
                    self.offsets[p] = len(log)
                remaining = deadline - time.monotonic()
                if out or remaining <= 0:
                    return out
                self.stream.cond.wait(remaining)


class FileStream:
    def __init__(self, folder: Path, partitions: int) -> None:
        self.folder, self.partitions = folder, partitions
        self._fds: dict[int, int] = {}

    def append(self, partition: int, value: bytes) -> None:
        fd = self._fds.get(partition)
        if fd is None:
            fd = self._fds[partition] = os.open(self.folder / f"p{partition}.log",
                                                os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.write(fd, FRAME.pack(len(value)) + value)

    def reader(self, assigned: list[int]) -> FileReader:
        return FileReader(self.folder, assigned)


class FileReader:
    def __init__(self, folder: Path, assigned: list[int]) -> None:
        self.files = {p: open(folder / f"p{p}.log", "ab+") for p in assigned}  # noqa: SIM115
        for fh in self.files.values():
            fh.seek(0)
        self.rest = dict.fromkeys(assigned, b"")

    def read(self, timeout_s: float) -> list[bytes]:
        deadline = time.monotonic() + timeout_s
        while True:
            out: list[bytes] = []
            for p, fh in self.files.items():
                buf = self.rest[p] + fh.read()
                pos = 0
                while len(buf) - pos >= 4:
                    (n,) = FRAME.unpack_from(buf, pos)
                    if len(buf) - pos - 4 < n:
                        break
                    out.append(buf[pos + 4:pos + 4 + n])
                    pos += 4 + n
                self.rest[p] = buf[pos:]
            if out or time.monotonic() >= deadline:
                return out
            time.sleep(0.0005)


_BROKERS: dict[str, dict[str, Any]] = {}
_BROKERS_LOCK = threading.Lock()


class FakeDriver:
    name = "fake"

    def __init__(self, target: Any) -> None:
        target = target.to_json()  # a streamcompare.target.Target: the fake's own settings are in its options
        self.target = target
        self.log_dir = Path(target["log_dir"]) if target.get("log_dir") else None
        with _BROKERS_LOCK:
            self.streams = _BROKERS.setdefault(str(target.get("broker", "default")), {})

    def _stream(self, name: str) -> Any:
        if self.log_dir is not None:
            folder = self.log_dir / name
            partitions = len(list(folder.glob("p*.log")))
            if not partitions:
                raise KeyError(f"no stream {name}")
            return FileStream(folder, partitions)
        return self.streams[name]

    def admin(self) -> FakeAdmin:
        return FakeAdmin(self)

    def producer(self, stream: str, settings: Mapping[str, Any], on_ack: AckCallback) -> FakeProducer:
        return FakeProducer(self._stream(stream), self.target, on_ack)

    def consumer(self, stream: str, settings: Mapping[str, Any]) -> FakeConsumer:
        if self.target.get("fail_consumer"):
            raise ConnectionError("injected consumer failure")
        s = self._stream(stream)
        count = len(s.partitions) if isinstance(s, MemoryStream) else s.partitions
        index, members = int(settings.get("consumer_index", 0)), int(settings.get("consumers", 1))
        assigned = [p for p in range(count) if p % members == index]
        return FakeConsumer(s.reader(assigned), float(self.target.get("consume_cpu_us", 0)))


class FakeAdmin:
    def __init__(self, driver: FakeDriver) -> None:
        self.driver = driver

    def create(self, spec: StreamSpec) -> None:
        EVENTS.append(("create", spec.name))
        if self.driver.log_dir is not None:
            folder = self.driver.log_dir / spec.name
            folder.mkdir(parents=True)
            for p in range(spec.partitions):
                (folder / f"p{p}.log").touch()
        else:
            self.driver.streams[spec.name] = MemoryStream(spec.partitions)

    def delete(self, name: str) -> None:
        EVENTS.append(("delete", name))
        if self.driver.log_dir is None:
            self.driver.streams.pop(name, None)

    def versions(self) -> dict[str, str]:
        return {"fake": "1.0", "client": "fake-client 0.1"}


class FakeProducer:
    def __init__(self, stream: Any, target: Mapping[str, Any], on_ack: AckCallback) -> None:
        self.on_ack = on_ack
        self.stream = stream
        self.partitions = len(stream.partitions) if isinstance(stream, MemoryStream) else stream.partitions
        self.t = {k: float(v) for k, v in target.items() if k.endswith(("_ms", "_us", "_every"))}
        self.ack_on_poll = bool(target.get("ack_on_poll", False))
        self.n = 0
        self._counters = DriverCounters()
        self._heap: list[tuple[float, int, bytes, BaseException | None]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self._timer: threading.Thread | None = None
        if self.t.get("ack_delay_ms", 0) > 0 and not self.ack_on_poll:
            self._timer = threading.Thread(target=self._deliver_loop, daemon=True)
            self._timer.start()

    def _every(self, key: str) -> bool:
        n = int(self.t.get(key, 0))
        return n > 0 and self.n % n == 0

    def send(self, key: bytes, value: bytes) -> None:
        self.n += 1
        burn(self.t.get("send_cpu_us", 0))
        if self.t.get("send_block_ms", 0) > 0:
            time.sleep(self.t["send_block_ms"] / 1000)
        self._counters.requests += 1
        if self._every("throttle_every"):
            self._counters.throttles += 1
            self._counters.retries += 1
        err: BaseException | None = None
        if self._every("fail_every"):
            self._counters.errors += 1
            err = RuntimeError("injected failure")
        else:
            partition = (zlib.crc32(key) if key else self.n) % self.partitions
            if not self._every("drop_every"):
                self.stream.append(partition, value)
            if self._every("duplicate_every"):
                self.stream.append(partition, value)
        delay = self.t.get("ack_delay_ms", 0) / 1000
        if delay <= 0:
            self.on_ack(value, err)
            return
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._seq), value, err))
            self._cond.notify_all()

    def _due(self) -> list[tuple[bytes, BaseException | None]]:
        now, out = time.monotonic(), []
        while self._heap and self._heap[0][0] <= now:
            _, _, value, err = heapq.heappop(self._heap)
            out.append((value, err))
        return out

    def _deliver_loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (not self._heap or self._heap[0][0] > time.monotonic()):
                    self._cond.wait(self._heap[0][0] - time.monotonic() if self._heap else None)
                if self._closed and not self._heap:
                    return
                due = self._due()
            for value, err in due:
                self.on_ack(value, err)

    def poll(self, timeout_s: float) -> None:
        if not self.ack_on_poll:
            if timeout_s > 0:  # time.sleep(0) still costs ~50 us of timer slack
                time.sleep(timeout_s)
            return
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                due = self._due()
                if due or time.monotonic() >= deadline:
                    break
                wake = min(deadline, self._heap[0][0]) if self._heap else deadline
                self._cond.wait(max(0.0, wake - time.monotonic()))
        for value, err in due:
            self.on_ack(value, err)

    def flush(self, timeout_s: float) -> int:
        deadline = time.monotonic() + timeout_s
        while True:
            with self._cond:
                pending = len(self._heap)
            if not pending or time.monotonic() >= deadline:
                return pending
            self.poll(0.001) if self.ack_on_poll else time.sleep(0.001)

    def counters(self) -> DriverCounters:
        return DriverCounters(**self._counters.as_dict())

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class FakeConsumer:
    def __init__(self, reader: Any, cpu_us: float) -> None:
        self.reader, self.cpu_us = reader, cpu_us
        self._counters = DriverCounters()

    def poll(self, timeout_s: float) -> list[bytes]:
        self._counters.requests += 1
        values = self.reader.read(timeout_s)
        burn(self.cpu_us * len(values))
        return values

    def counters(self) -> DriverCounters:
        return DriverCounters(**self._counters.as_dict())

    def close(self) -> None:
        pass


def make_result(system: str = "kafka", utc: str = "2026-11-24T20:57:01.123456Z", **changes: Any) -> RunResult:
    """A plausible result without running anything: 3 publish values per metric, no e2e."""
    hists = {m: LatencyHistogram() for m in METRICS}
    for i, m in enumerate(METRICS):
        for v in (100 * (i + 1), 200 * (i + 1), 5_000 * (i + 1)):
            hists[m].record_us(v)
    hists["e2e_latency"] = LatencyHistogram()  # e.g. a publish-only run
    fields = dict(
        run_id=RunResult.new_run_id(), utc=utc, system=system, mode="fixed-rate",
        workload={"name": "quick", "rate": 200}, target={"kind": "local", "emulator": system == "kinesis"},
        driver_settings={"acks": "all"}, versions={"client": "2.6.0"},
        environment=run_metadata({"client": "2.6.0"}), placement={"consumer_in_subprocess": True},
        throughput={"target_rate": 200, "ack_rate": 199.5, "measured_s": 10.0},
        counts={"failed": 0, "lost": 0}, quantiles={m: h.quantiles() for m, h in hists.items()},
        histograms={m: h.encode() for m, h in hists.items()},
        windows=[{"t_s": 0, "target": 200, "sent": 200, "acked": 199, "failed": 0, "received": 198,
                  "tail": False}],
        notes=["a note"], labels={"report": "r1"},
    )
    fields.update(changes)
    return RunResult(**fields)
