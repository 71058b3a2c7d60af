"""A null driver for measuring the harness itself: acknowledges at once, hands records over a FIFO.

Loaded by the runner as "bench_null_driver:NullDriver" (also in its spawned consumer process, which
inherits this folder on sys.path). Target keys:
  null_dir   folder for the named pipes (one per stream) and the consumers' CPU reports
The producer acknowledges each record inside send() (no clock read, no I/O per record) and writes
records to the stream's named pipe in batches of BATCH (one write per batch, so the transport costs
next to nothing per record). The consumer reads the pipe; on close() it writes a CPU report to
`<stream>.consumer-<index>.cpu.json`: `cpu_s`, its process CPU since the consumer was built (not the
child's interpreter start-up and imports), and `active`, the CPU and record count from the first
batch received to the last one handled (the per-record part, without start and stop costs).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import select
import struct
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from streamcompare.drivers.base import AckCallback, DriverCounters, StreamSpec
from streamcompare.target import Target

FRAME = struct.Struct(">II")  # records in the batch, bytes per record (every record of a batch has one size)
BATCH = 64
PIPE_BYTES = 1 << 20


def fifo_path(folder: Path, stream: str) -> Path:
    return folder / f"{stream}.fifo"


def cpu_report_path(folder: Path, stream: str, index: int) -> Path:
    return folder / f"{stream}.consumer-{index}.cpu.json"


def _grow_pipe(fd: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


class NullAdmin:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def create(self, spec: StreamSpec) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = fifo_path(self.folder, spec.name)
        if not path.exists():
            os.mkfifo(path)

    def delete(self, name: str) -> None:
        fifo_path(self.folder, name).unlink(missing_ok=True)

    def versions(self) -> dict[str, str]:
        return {"system": "null (acks at once, records over a named pipe)", "client": "bench_null_driver"}


class NullProducer:
    """Acknowledges inside send(); batches records into the pipe (a full pipe blocks: back-pressure)."""

    def __init__(self, path: Path, on_ack: AckCallback) -> None:
        self._on_ack = on_ack
        try:  # the runner starts consumers first, so a reader is normally there already
            self._fd: int | None = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
            self._fd = None  # no consumer (publish-only run): records go nowhere
        if self._fd is not None:
            os.set_blocking(self._fd, True)
            _grow_pipe(self._fd)
        self._values: list[bytes] = []
        self._size = -1
        self._counters = DriverCounters()

    def send(self, key: bytes, value: bytes) -> None:
        if len(value) != self._size:
            self._write()
            self._size = len(value)
        values = self._values
        values.append(value)
        if len(values) >= BATCH:
            self._write()
        self._on_ack(value, None)

    def _write(self) -> None:
        values, self._values = self._values, []
        fd = self._fd
        if not values or fd is None:
            return
        view = memoryview(FRAME.pack(len(values), self._size) + b"".join(values))
        while view:
            view = view[os.write(fd, view):]
        self._counters.requests += 1

    def poll(self, timeout_s: float) -> None:
        if timeout_s > 0:
            time.sleep(timeout_s)

    def flush(self, timeout_s: float) -> int:
        self._write()
        return 0

    def counters(self) -> DriverCounters:
        return DriverCounters(**self._counters.as_dict())

    def close(self) -> None:
        self._write()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class NullConsumer:
    """Reads batches from the pipe; keeps its own write end open so an idle pipe never reads as EOF."""

    def __init__(self, path: Path, report: Path) -> None:
        self._cpu0 = time.process_time()
        self._fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self._keep_open = os.open(path, os.O_WRONLY)
        _grow_pipe(self._fd)
        self._rest = b""
        self._report = report
        self._records = 0
        self._first: tuple[float, int] | None = None  # (process CPU, records so far) when records first came
        self._last: tuple[float, int] | None = None
        self._handling = False
        self._counters = DriverCounters()

    def poll(self, timeout_s: float) -> list[bytes]:
        if self._handling:  # CPU up to here covers handling the records the previous poll returned
            self._last = (time.process_time(), self._records)
            self._handling = False
        ready, _, _ = select.select([self._fd], [], [], max(0.0, timeout_s))
        if not ready:
            return []
        try:
            data = self._rest + os.read(self._fd, PIPE_BYTES)
        except BlockingIOError:
            return []
        self._counters.requests += 1
        values: list[bytes] = []
        pos, end = 0, len(data)
        while end - pos >= FRAME.size:
            count, size = FRAME.unpack_from(data, pos)
            start, stop = pos + FRAME.size, pos + FRAME.size + count * size
            if stop > end:
                break
            values.extend([data[i:i + size] for i in range(start, stop, size)])
            pos = stop
        self._rest = data[pos:]
        if values and self._first is None:
            self._first = self._last = (time.process_time(), self._records)
        self._records += len(values)
        self._handling = bool(values)
        return values

    def counters(self) -> DriverCounters:
        return DriverCounters(**self._counters.as_dict())

    def close(self) -> None:
        cpu = time.process_time() - self._cpu0
        active = None
        if self._first is not None and self._last is not None and self._last[1] > self._first[1]:
            active = {"cpu_s": self._last[0] - self._first[0], "records": self._last[1] - self._first[1]}
        self._report.write_text(json.dumps({"cpu_s": cpu, "records": self._records, "active": active,
                                            "pid": os.getpid()}))
        os.close(self._keep_open)
        os.close(self._fd)


class NullDriver:
    name = "null"

    def __init__(self, target: Target) -> None:
        self.folder = Path(str(target.options["null_dir"]))

    def admin(self) -> NullAdmin:
        return NullAdmin(self.folder)

    def producer(self, stream: str, settings: Mapping[str, Any], on_ack: AckCallback) -> NullProducer:
        return NullProducer(fifo_path(self.folder, stream), on_ack)

    def consumer(self, stream: str, settings: Mapping[str, Any]) -> NullConsumer:
        index = int(settings.get("consumer_index", 0))
        return NullConsumer(fifo_path(self.folder, stream), cpu_report_path(self.folder, stream, index))
