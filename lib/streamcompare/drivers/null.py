"""The null driver: the harness's own floor.

`send` acknowledges at once (inside the call) and hands the record to an in-process queue per stream;
the consumer takes whatever is queued. No I/O, no broker: what the open-loop loop then measures as
publish and end-to-end latency is the harness itself (schedule, clock, callbacks, consumer loop).
In-process only: the consumer must run as a thread of the producers' process (the runner does so
for this driver, see IN_PROCESS_ONLY).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from typing import Any

from streamcompare.drivers.base import AckCallback, DriverCounters, StreamSpec
from streamcompare.target import Target

IN_PROCESS_ONLY = True


class _Stream:
    def __init__(self) -> None:
        self.queue: deque[bytes] = deque()
        self.ready = threading.Condition()


_STREAMS: dict[str, _Stream] = {}
_LOCK = threading.Lock()


def _stream(name: str) -> _Stream:
    with _LOCK:
        return _STREAMS.setdefault(name, _Stream())


class NullAdmin:
    def create(self, spec: StreamSpec) -> None:
        _stream(spec.name)

    def delete(self, name: str) -> None:
        with _LOCK:
            _STREAMS.pop(name, None)

    def versions(self) -> dict[str, str]:
        return {"system": "null driver (the harness's floor)", "client": "in-process queue"}


class NullProducer:
    def __init__(self, stream: str, on_ack: AckCallback) -> None:
        self._stream = _stream(stream)
        self._on_ack = on_ack
        self._counters = DriverCounters()

    def send(self, key: bytes, value: bytes) -> None:
        stream = self._stream
        stream.queue.append(value)
        self._on_ack(value, None)
        with stream.ready:
            stream.ready.notify()

    def poll(self, timeout_s: float) -> object:
        return None

    def flush(self, timeout_s: float) -> int:
        return 0

    def counters(self) -> DriverCounters:
        return self._counters

    def close(self) -> None:
        return None


class NullConsumer:
    def __init__(self, stream: str) -> None:
        self._stream = _stream(stream)
        self._counters = DriverCounters()

    def poll(self, timeout_s: float) -> list[bytes]:
        stream = self._stream
        if not stream.queue:
            with stream.ready:
                if not stream.queue:
                    stream.ready.wait(timeout_s)
        out: list[bytes] = []
        pop = stream.queue.popleft
        while stream.queue:
            out.append(pop())
        if out:
            self._counters.requests += 1
        return out

    def counters(self) -> DriverCounters:
        return self._counters

    def close(self) -> None:
        return None


class NullDriver:
    name = "null"

    def __init__(self, target: Target) -> None:
        self._target = target

    def admin(self) -> NullAdmin:
        return NullAdmin()

    def producer(self, stream: str, settings: Mapping[str, Any], on_ack: AckCallback) -> NullProducer:
        return NullProducer(stream, on_ack)

    def consumer(self, stream: str, settings: Mapping[str, Any]) -> NullConsumer:
        return NullConsumer(stream)
