"""Record payloads that carry their own timing: header, then incompressible padding.

Layout (big-endian, 24 bytes of header, then padding up to `record_bytes`):

    0..8    intended send time, ns, CLOCK_MONOTONIC of the producing host (signed)
    8..16   producer index (top 16 bits) and the producer's sequence number (low 48 bits)
    16..24  run tag: random per run, so a consumer ignores records left over from other runs

End-to-end latency = consumer receive time - *intended* send time: a stalled producer delays
records the way a user of the pipeline sees it, so the stall is counted (no coordinated omission).
The padding is random bytes made once per run: compression gains nothing, as with real encrypted or
already-compressed data; a zero-filled payload would flatter compressing clients.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass
from typing import Literal

HEADER = struct.Struct(">qQQ")
HEADER_BYTES = HEADER.size  # 24
SEQ_BITS = 48
SEQ_MASK = (1 << SEQ_BITS) - 1
MAX_PRODUCERS = 1 << 16

KeyDistribution = Literal["random", "round-robin", "none"]


@dataclass(frozen=True)
class Header:
    intended_ns: int
    producer: int
    seq: int
    run_tag: int

    @property
    def record_id(self) -> int:
        return (self.producer << SEQ_BITS) | self.seq


class PayloadCodec:
    """Builds and reads payloads of one run."""

    def __init__(self, record_bytes: int, run_tag: int, seed: int = 0) -> None:
        if record_bytes < HEADER_BYTES:
            raise ValueError(f"record_bytes must be >= {HEADER_BYTES} (the header)")
        self.record_bytes = record_bytes
        self.run_tag = run_tag & ((1 << 64) - 1)
        self.padding = random.Random(seed).randbytes(record_bytes - HEADER_BYTES)

    def encode(self, intended_ns: int, producer: int, seq: int) -> bytes:
        if not 0 <= producer < MAX_PRODUCERS or not 0 <= seq <= SEQ_MASK:
            raise ValueError("producer or sequence out of range")
        return HEADER.pack(intended_ns, (producer << SEQ_BITS) | seq, self.run_tag) + self.padding

    def header(self, value: bytes) -> Header | None:
        """The header of one of this run's records, or None for a foreign or malformed record."""
        if len(value) < HEADER_BYTES:
            return None
        intended, ident, tag = HEADER.unpack_from(value)
        if tag != self.run_tag:
            return None
        return Header(intended, ident >> SEQ_BITS, ident & SEQ_MASK, tag)


def decode(value: bytes) -> int:
    """The intended send time (ns) carried by a payload."""
    return HEADER.unpack_from(value)[0]


def decode_header(value: bytes) -> Header:
    intended, ident, tag = HEADER.unpack_from(value)
    return Header(intended, ident >> SEQ_BITS, ident & SEQ_MASK, tag)


class KeyGenerator:
    """Record keys: random 16 hex chars, a round-robin over `partitions` values, or none (b"").

    An empty key means "no key" to the drivers: Kafka's sticky partitioner, a driver-chosen
    partition key for Kinesis (which requires one).
    """

    HOT_KEY = b"hot-key"
    """With `hot_key_share` > 0 this one key takes that share of the records (one shard or partition)."""

    def __init__(self, distribution: KeyDistribution, partitions: int, seed: int = 0,
                 hot_key_share: float = 0.0) -> None:
        if hot_key_share > 0:
            self.next = self._with_hot_key  # type: ignore[method-assign]
        self.hot_key_share = hot_key_share
        self.distribution = distribution
        self.partitions = max(1, partitions)
        self._rng = random.Random(seed)
        self._i = 0
        self._round = [f"key-{p}".encode() for p in range(self.partitions)]

    def next(self) -> bytes:
        if self.distribution == "random":
            return b"%016x" % self._rng.getrandbits(64)
        if self.distribution == "round-robin":
            key = self._round[self._i % self.partitions]
            self._i += 1
            return key
        return b""

    def _with_hot_key(self) -> bytes:
        if self._rng.random() < self.hot_key_share:
            return self.HOT_KEY
        return type(self).next(self)
