"""Kinesis producers: synchronous PutRecord, and PutRecords batching (optionally KPL-aggregated).

The batching producer is the latency mitigation Kinesis needs: records queue in memory, a pool of
sender threads packs up to 500 records (or the request size limit) per PutRecords call, and entries
that fail (per record: FailedRecordCount and ErrorCode) are retried with backoff, which can reorder
and duplicate. Retries and throttles are counted. A monotonic clock bounds how long a batch lingers;
nothing here measures latency (only the bench runner does).
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from streamcompare.drivers.base import AckCallback, DriverCounters

MAX_RECORDS_PER_CALL = 500
MAX_REQUEST_BYTES = 5 * 1024 * 1024
MAX_RECORD_BYTES = 1024 * 1024
THROTTLE_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException",
                            "LimitExceededException"})


def partition_key(key: bytes, fallback: int) -> str:
    """Kinesis needs a 1..256 character partition key; an empty key spreads by a counter."""
    return key.hex()[:256] if key else str(fallback)


class PutRecordProducer:
    """One synchronous PutRecord per record: simple, and slow (a round trip per record).

    sequence_for_ordering: pass the previous record's sequence number of the same partition key as
    SequenceNumberForOrdering (AWS: strictly increasing sequence numbers per partition key)."""

    def __init__(self, client: Any, stream: str, on_ack: AckCallback, sequence_for_ordering: bool = False) -> None:
        self._client, self._stream, self._on_ack = client, stream, on_ack
        self._counters = DriverCounters()
        self._sequence = 0
        self._ordering: dict[str, str] | None = {} if sequence_for_ordering else None

    def send(self, key: bytes, value: bytes) -> None:
        self._sequence += 1
        self._counters.requests += 1
        pk = partition_key(key, self._sequence)
        extra = {}
        if self._ordering is not None and pk in self._ordering:
            extra["SequenceNumberForOrdering"] = self._ordering[pk]
        try:
            answer = self._client.put_record(StreamName=self._stream, Data=value, PartitionKey=pk, **extra)
        except (ClientError, BotoCoreError) as exc:  # BotoCoreError: a connection cut or timed out
            code = _code(exc)
            self._counters.throttles += code in THROTTLE_CODES
            self._counters.errors += 1
            self._on_ack(value, exc)
            return
        if self._ordering is not None:
            self._ordering[pk] = answer["SequenceNumber"]
        self._on_ack(value, None)

    def poll(self, timeout_s: float) -> None:
        """Acknowledgements were delivered inside send(); just wait as asked."""
        if timeout_s > 0:
            threading.Event().wait(timeout_s)

    def flush(self, timeout_s: float) -> int:
        return 0

    def counters(self) -> DriverCounters:
        return self._counters

    def close(self) -> None:
        pass


@dataclass
class _Entry:
    key: str
    data: bytes
    values: list[bytes]
    """The user records this entry carries (one, or many when aggregated): each is acknowledged."""
    attempts: int = 0

    @property
    def size(self) -> int:
        return len(self.data) + len(self.key)


class BatchingProducer:
    """PutRecords from background threads; with aggregate=True, records are packed in the KPL format."""

    def __init__(self, client: Any, stream: str, settings: Mapping[str, Any], on_ack: AckCallback) -> None:
        self._client, self._stream, self._on_ack = client, stream, on_ack
        self._aggregate = bool(settings.get("aggregate", False))
        self._linger_s = float(settings.get("linger_ms", 50)) / 1000
        self._max_attempts = int(settings.get("max_attempts", 10))
        self._backoff_s = float(settings.get("backoff_ms", 50)) / 1000
        self._queue: queue.Queue[tuple[bytes, bytes] | None] = queue.Queue(
            maxsize=int(settings.get("max_queued", 100_000)))
        self._counters = DriverCounters()
        self._lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._sequence = 0
        self._threads = [threading.Thread(target=self._sender, name=f"kinesis-sender-{i}", daemon=True)
                         for i in range(int(settings.get("sender_threads", 4)))]
        for thread in self._threads:
            thread.start()

    def send(self, key: bytes, value: bytes) -> None:
        with self._lock:
            self._pending += 1
        self._queue.put((key, value))  # blocks when full: back-pressure shows as publish delay

    def poll(self, timeout_s: float) -> None:
        """Sender threads deliver acknowledgements; just wait as asked."""
        if timeout_s > 0:
            threading.Event().wait(timeout_s)

    def flush(self, timeout_s: float) -> int:
        with self._idle:
            self._idle.wait_for(lambda: self._pending == 0, timeout=timeout_s)
            return self._pending

    def counters(self) -> DriverCounters:
        return self._counters

    def close(self) -> None:
        self.flush(30)
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=10)

    def _sender(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            deadline = time.monotonic() + self._linger_s
            try:  # linger: gather what arrives within linger_s of the first record, up to one request's worth
                while len(batch) < MAX_RECORDS_PER_CALL * (50 if self._aggregate else 1):
                    remaining = deadline - time.monotonic()
                    item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
                    if item is None:
                        self._queue.put(None)
                        break
                    batch.append(item)
            except queue.Empty:
                pass
            self._put_with_retries(self._entries(batch))

    def _entries(self, batch: list[tuple[bytes, bytes]]) -> list[_Entry]:
        with self._lock:
            first_sequence = self._sequence
            self._sequence += len(batch)
        if not self._aggregate:
            return [_Entry(partition_key(k, first_sequence + i), v, [v]) for i, (k, v) in enumerate(batch)]
        from aws_kinesis_agg.aggregator import AggRecord

        entries: list[_Entry] = []
        values: list[bytes] = []
        record = AggRecord()
        for i, (key, value) in enumerate(batch):
            pk = partition_key(key, first_sequence + i)
            if not record.add_user_record(pk, value):
                entries.append(_aggregated_entry(record, values))
                record, values = AggRecord(), list[bytes]()
                record.add_user_record(pk, value)
            values.append(value)
        if values:
            entries.append(_aggregated_entry(record, values))
        return entries

    def _put_with_retries(self, entries: list[_Entry]) -> None:
        while entries:
            request: list[_Entry] = []
            size = 0
            while entries and len(request) < MAX_RECORDS_PER_CALL and size + entries[0].size <= MAX_REQUEST_BYTES:
                size += entries[0].size
                request.append(entries.pop(0))
            failed = self._put(request)
            entries = failed + entries

    def _put(self, request: list[_Entry]) -> list[_Entry]:
        """One PutRecords call; returns the entries to retry (after a backoff)."""
        for entry in request:
            entry.attempts += 1
        self._counters.requests += 1
        try:
            response = self._client.put_records(
                StreamName=self._stream, Records=[{"Data": e.data, "PartitionKey": e.key} for e in request])
            results = response["Records"]
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            results = [{"ErrorCode": code, "ErrorMessage": str(exc)}] * len(request)
        except BotoCoreError as exc:  # connection reset or timeout after botocore's retries: retry the entries
            results = [{"ErrorCode": type(exc).__name__, "ErrorMessage": str(exc)}] * len(request)
        retry = []
        for entry, result in zip(request, results, strict=True):
            code = result.get("ErrorCode")
            if not code:
                self._done(entry, None)
                continue
            self._counters.throttles += code in THROTTLE_CODES
            if entry.attempts < self._max_attempts:
                self._counters.retries += 1
                retry.append(entry)
            else:
                self._counters.errors += 1
                self._done(entry, RuntimeError(f"{code}: {result.get('ErrorMessage', '')}"))
        if retry:  # exponential backoff with jitter before the failed entries go again
            attempt = max(e.attempts for e in retry)
            threading.Event().wait(self._backoff_s * (2 ** min(attempt - 1, 6)) * random.uniform(0.5, 1.5))
        return retry

    def _done(self, entry: _Entry, error: BaseException | None) -> None:
        for value in entry.values:
            self._on_ack(value, error)
        with self._idle:
            self._pending -= len(entry.values)
            if self._pending == 0:
                self._idle.notify_all()


def _code(exc: BaseException) -> str:
    """AWS's error code, or the exception's name for a connection-level failure (no answer at all)."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "")) or "ClientError"
    return type(exc).__name__


def _aggregated_entry(record: Any, values: list[bytes]) -> _Entry:
    key, _explicit_hash_key, data = record.get_contents()
    return _Entry(key, data, list(values))
