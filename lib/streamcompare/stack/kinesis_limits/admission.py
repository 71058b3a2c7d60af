"""Admission decisions: which writes and reads a stream's shards accept right now.

One `StreamLimits` per stream holds a rolling window per shard for records and bytes written and for
GetRecords calls, and a debt bucket for bytes read; on-demand streams also have stream-level windows
at the documented starting capacity. The shard map is refreshed from the emulator (a callback) when
it is older than the TTL, after resharding calls, and whenever a hash key falls outside every range.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from streamcompare.stack.kinesis_limits import awserrors, codec
from streamcompare.stack.kinesis_limits.buckets import Clock, DebtBucket, RollingWindow
from streamcompare.stack.kinesis_limits.routing import ShardMap, hash_key
from streamcompare.stack.kinesis_limits.settings import Limits

FetchShards = Callable[[str], Awaitable[tuple[list[Mapping[str, Any]], bool] | None]]
"""stream name -> (ListShards entries, on_demand), or None when the stream does not exist."""

RESHARDING = frozenset({"SplitShard", "MergeShards", "UpdateShardCount", "UpdateStreamMode", "CreateStream",
                        "DeleteStream"})
STALE_AFTER_RESHARD_S = 15.0
"""After a resharding call the map is refreshed on every miss and at most every 0.5 s for this long."""
MAX_ITERATORS = 200_000


@dataclass
class ShardLimits:
    records: RollingWindow
    bytes: RollingWindow
    read_calls: RollingWindow
    read_bytes: DebtBucket


@dataclass
class StreamLimits:
    shard_map: ShardMap
    on_demand: bool
    fetched_at: float
    shards: dict[str, ShardLimits] = field(default_factory=dict)
    stream_records: RollingWindow | None = None
    stream_bytes: RollingWindow | None = None
    stream_read_bytes: DebtBucket | None = None


@dataclass
class Verdict:
    """Entries (by position) accepted and rejected (with their PutRecords error entry)."""

    accepted: list[int]
    rejected: dict[int, dict[str, str]]


class Admission:
    def __init__(self, limits: Limits, fetch: FetchShards, clock: Clock = time.monotonic) -> None:
        self.limits = limits
        self._fetch = fetch
        self._clock = clock
        self._streams: dict[str, StreamLimits] = {}
        self._stale_until: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._iterators: OrderedDict[str, tuple[str, str]] = OrderedDict()

    # -- shard maps ------------------------------------------------------------------------------
    def resharded(self, stream: str) -> None:
        """A resharding (or create/delete) call went through: refresh this stream's map soon and often."""
        self._stale_until[stream] = self._clock() + STALE_AFTER_RESHARD_S
        if stream in self._streams:
            self._streams[stream].fetched_at = -1e18

    async def stream(self, name: str, *, force: bool = False) -> StreamLimits | None:
        current = self._streams.get(name)
        now = self._clock()
        ttl = 0.5 if self._stale_until.get(name, 0.0) > now else self.limits.shard_map_ttl_s
        if current is not None and not force and now - current.fetched_at < ttl:
            return current
        lock = self._locks.setdefault(name, asyncio.Lock())
        async with lock:
            current = self._streams.get(name)
            if current is not None and self._clock() - current.fetched_at < min(ttl, 0.2 if force else ttl):
                return current
            fetched = await self._fetch(name)
            if fetched is None:
                self._streams.pop(name, None)
                return None
            entries, on_demand = fetched
            shard_map = ShardMap.from_list_shards(entries)
            state = StreamLimits(shard_map, on_demand, self._clock(),
                                 shards=current.shards if current else {})
            if current is not None and current.on_demand == on_demand:
                state.stream_records, state.stream_bytes = current.stream_records, current.stream_bytes
                state.stream_read_bytes = current.stream_read_bytes
            elif on_demand:
                lim = self.limits
                state.stream_records = self._window(lim.on_demand_write_records_per_s)
                state.stream_bytes = self._window(lim.on_demand_write_bytes_per_s)
                state.stream_read_bytes = DebtBucket(lim.on_demand_read_bytes_per_s, clock=self._clock)
            self._streams[name] = state
            return state

    def widest(self) -> int:
        """Open shards of the widest stream seen (what the emulator's headroom is judged against)."""
        return max((len(state.shard_map) for state in self._streams.values()), default=1)

    def _window(self, limit: float) -> RollingWindow:
        return RollingWindow(limit, window_s=self.limits.window_s, clock=self._clock)

    def _shard(self, state: StreamLimits, shard_id: str) -> ShardLimits:
        found = state.shards.get(shard_id)
        if found is None:
            lim = self.limits
            found = ShardLimits(records=self._window(lim.write_records_per_s),
                                bytes=self._window(lim.write_bytes_per_s),
                                read_calls=self._window(lim.read_calls_per_s),
                                read_bytes=DebtBucket(lim.read_bytes_per_s, clock=self._clock))
            state.shards[shard_id] = found
        return found

    # -- writes ----------------------------------------------------------------------------------
    async def admit_writes(self, name: str, entries: list[Mapping[str, Any]]) -> Verdict | None:
        """Decide each entry (PartitionKey, ExplicitHashKey, Data); None = stream unknown (forward all)."""
        state = await self.stream(name)
        if state is None:
            return None
        verdict = Verdict(accepted=[], rejected={})
        for position, entry in enumerate(entries):
            key = str(entry.get("PartitionKey", ""))
            explicit = entry.get("ExplicitHashKey")
            try:
                hashed = hash_key(key, str(explicit) if explicit is not None else None)
            except ValueError:
                verdict.accepted.append(position)  # invalid: the emulator answers with its validation error
                continue
            shard = state.shard_map.lookup(hashed)
            if shard is None:
                state = await self.stream(name, force=True) or state
                shard = state.shard_map.lookup(hashed)
            if shard is None:
                verdict.accepted.append(position)
                continue
            size = codec.blob_size(entry.get("Data")) + len(key.encode())
            message = self._take_write(state, name, shard.shard_id, size)
            if message is None:
                verdict.accepted.append(position)
            else:
                verdict.rejected[position] = awserrors.failed_entry(awserrors.THROTTLED, message)
        return verdict

    def _take_write(self, state: StreamLimits, name: str, shard_id: str, size: int) -> str | None:
        limits = self._shard(state, shard_id)
        if limits.records.available() < 1 or limits.bytes.available() < size:
            return awserrors.rate_exceeded_message(shard_id, name)
        if state.stream_records is not None and state.stream_bytes is not None:
            if state.stream_records.available() < 1 or state.stream_bytes.available() < size:
                return awserrors.stream_rate_exceeded_message(name)
            state.stream_records.try_take(1)
            state.stream_bytes.try_take(size)
        limits.records.try_take(1)
        limits.bytes.try_take(size)
        return None

    # -- reads -----------------------------------------------------------------------------------
    def remember_iterator(self, iterator: str | None, stream: str, shard_id: str) -> None:
        if not iterator:
            return
        self._iterators[iterator] = (stream, shard_id)
        while len(self._iterators) > MAX_ITERATORS:
            self._iterators.popitem(last=False)

    def iterator_shard(self, iterator: str) -> tuple[str, str] | None:
        return self._iterators.get(iterator)

    async def admit_read(self, stream: str, shard_id: str) -> str | None:
        """None when the GetRecords call may go ahead, else the throttle message."""
        state = await self.stream(stream)
        if state is None:
            return None
        limits = self._shard(state, shard_id)
        if limits.read_bytes.in_debt() or (state.stream_read_bytes and state.stream_read_bytes.in_debt()):
            return awserrors.rate_exceeded_message(shard_id, stream)
        if not limits.read_calls.try_take(1):
            return awserrors.rate_exceeded_message(shard_id, stream)
        return None

    def charge_read(self, stream: str, shard_id: str, nbytes: int) -> None:
        state = self._streams.get(stream)
        if state is None:
            return
        self._shard(state, shard_id).read_bytes.charge(nbytes)
        if state.stream_read_bytes is not None:
            state.stream_read_bytes.charge(nbytes)
