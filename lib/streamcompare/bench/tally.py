"""Per-second window counts and sets of record sequence numbers (for lost and duplicate records)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

SENT, ACKED, FAILED, RECEIVED = range(4)
FIELDS = ("sent", "acked", "failed", "received")
WINDOW_NS = 1_000_000_000


class Windows:
    """Counts per 1 s window, window k covering [origin + k s, origin + (k+1) s)."""

    def __init__(self, origin_ns: int) -> None:
        self.origin_ns = origin_ns
        self.counts: dict[int, list[int]] = {}

    def add(self, field: int, t_ns: int, n: int = 1) -> None:
        k = (t_ns - self.origin_ns) // WINDOW_NS
        row = self.counts.get(k)
        if row is None:
            row = self.counts[k] = [0, 0, 0, 0]
        row[field] += n

    def add_many(self, field: int, times_ns: np.ndarray) -> None:
        """Count many events (monotonic ns, int64) at once: the vectorised twin of add."""
        if len(times_ns) == 0:
            return
        keys = (times_ns - self.origin_ns) // WINDOW_NS
        first = int(keys.min())
        for offset, n in enumerate(np.bincount(keys - first).tolist()):
            if n:
                self.add(field, (first + offset) * WINDOW_NS + self.origin_ns, n)

    def merge(self, other: Windows) -> Windows:
        for k, row in other.counts.items():
            mine = self.counts.setdefault(k, [0, 0, 0, 0])
            for i, n in enumerate(row):
                mine[i] += n
        return self

    def rows(self, target_rate: float | None = None) -> list[dict[str, float | int | None]]:
        """One dict per window from 0 to the last non-empty one (gaps filled with zeros)."""
        if not self.counts:
            return []
        out: list[dict[str, float | int | None]] = []
        for k in range(max(0, min(self.counts)), max(self.counts) + 1):
            row = self.counts.get(k, [0, 0, 0, 0])
            out.append({"t_s": k, "target": target_rate, **dict(zip(FIELDS, row, strict=True))})
        return out

    def series(self, field: int) -> list[int]:
        if not self.counts:
            return []
        return [self.counts.get(k, [0, 0, 0, 0])[field] for k in range(0, max(self.counts) + 1)]


class SeqSet:
    """A growable bitmap of sequence numbers."""

    def __init__(self, data: bytes | bytearray = b"") -> None:
        self.bits = bytearray(data)

    def add(self, seq: int) -> bool:
        """Add seq; return False if it was already there (a duplicate)."""
        byte, bit = divmod(seq, 8)
        if byte >= len(self.bits):
            self.bits.extend(bytes(max(byte + 1 - len(self.bits), len(self.bits) // 2, 64)))
        mask = 1 << bit
        if self.bits[byte] & mask:
            return False
        self.bits[byte] |= mask
        return True

    def add_many(self, seqs: np.ndarray) -> None:
        """Add many sequence numbers (non-negative int64) at once; duplicates are not reported."""
        if len(seqs) == 0:
            return
        low = int(seqs.min()) // 8 * 8
        flags = np.zeros(int(seqs.max()) + 1 - low, dtype=bool)
        flags[seqs - low] = True
        packed = np.packbits(flags, bitorder="little")
        start = low // 8
        end = start + len(packed)
        if len(self.bits) < end:
            self.bits.extend(bytes(end - len(self.bits)))
        current = np.frombuffer(bytes(self.bits[start:end]), dtype=np.uint8)
        self.bits[start:end] = (current | packed).tobytes()

    def __contains__(self, seq: int) -> bool:
        byte, bit = divmod(seq, 8)
        return byte < len(self.bits) and bool(self.bits[byte] & (1 << bit))

    def __len__(self) -> int:
        return int.from_bytes(self.bits, "little").bit_count()

    def union(self, other: SeqSet) -> SeqSet:
        a, b = int.from_bytes(self.bits, "little"), int.from_bytes(other.bits, "little")
        n = max(len(self.bits), len(other.bits))
        return SeqSet((a | b).to_bytes(n, "little"))

    def missing_from(self, other: SeqSet) -> int:
        """How many members of self are not in other."""
        a, b = int.from_bytes(self.bits, "little"), int.from_bytes(other.bits, "little")
        return (a & ~b).bit_count()

    @classmethod
    def union_all(cls, sets: Iterable[SeqSet]) -> SeqSet:
        total = cls()
        for s in sets:
            total = total.union(s)
        return total
