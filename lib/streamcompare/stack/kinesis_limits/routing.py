"""Which shard a record goes to, as AWS does it: the MD5 of the partition key (as a 128-bit unsigned
integer), or the ExplicitHashKey when given, falls in exactly one open shard's hash-key range.

The ranges come from the emulator's ListShards (`HashKeyRange`); a shard whose
`SequenceNumberRange` has an `EndingSequenceNumber` is closed (split or merged away) and takes no writes.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_HASH_KEY = 2**128 - 1


def hash_key(partition_key: str, explicit_hash_key: str | None = None) -> int:
    """The 128-bit hash key AWS routes by."""
    if explicit_hash_key is not None:
        value = int(explicit_hash_key)
        if not 0 <= value <= MAX_HASH_KEY:
            raise ValueError(f"ExplicitHashKey {explicit_hash_key} is outside 0..2^128-1")
        return value
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8"), usedforsecurity=False).digest(), "big")


@dataclass(frozen=True)
class Shard:
    shard_id: str
    start: int
    end: int


class ShardMap:
    """The open shards of one stream, searchable by hash key."""

    def __init__(self, shards: Iterable[Shard]) -> None:
        self.shards = sorted(shards, key=lambda s: s.start)
        self._starts = [s.start for s in self.shards]

    @classmethod
    def from_list_shards(cls, shards: Iterable[Mapping[str, Any]]) -> ShardMap:
        """Build from ListShards' `Shards` entries, keeping only open shards."""
        open_shards = []
        for entry in shards:
            if entry.get("SequenceNumberRange", {}).get("EndingSequenceNumber") is not None:
                continue
            ranges = entry["HashKeyRange"]
            open_shards.append(Shard(str(entry["ShardId"]), int(ranges["StartingHashKey"]),
                                     int(ranges["EndingHashKey"])))
        return cls(open_shards)

    def __len__(self) -> int:
        return len(self.shards)

    def lookup(self, key: int) -> Shard | None:
        """The open shard whose range holds `key`, or None (the map is stale: refresh it)."""
        position = bisect.bisect_right(self._starts, key) - 1
        if position < 0:
            return None
        shard = self.shards[position]
        return shard if shard.start <= key <= shard.end else None

    def route(self, partition_key: str, explicit_hash_key: str | None = None) -> Shard | None:
        return self.lookup(hash_key(partition_key, explicit_hash_key))


def stream_name(body: Mapping[str, Any]) -> str | None:
    """The stream a request names, by StreamName or by the last part of StreamARN."""
    name = body.get("StreamName")
    if name:
        return str(name)
    arn = body.get("StreamARN")
    if arn and "/" in str(arn):
        return str(arn).rsplit("/", 1)[1]
    return None
