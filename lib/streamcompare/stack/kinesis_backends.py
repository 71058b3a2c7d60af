"""The local Kinesis backends the fidelity layer can sit in front of, chosen by name.

`streamcompare stack up --kinesis-backend NAME`; the default is the one measured to keep up with the
per-shard limits the layer enforces (docs/kinesis-backends.md). Each backend is installed into the
cache once, started as a supervised process (pid file, log under <run dir>/kinesis/) and checked
ready with a plain ListStreams call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from streamcompare.errors import StackError
from streamcompare.stack import kinesis, ministack, moto_kinesis, process

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Backend:
    name: str
    label: str
    """How pages name it: '<name> <version> (<where it comes from>)'."""
    version: Callable[[], str]
    install: Callable[[Progress], object]
    start: Callable[[Path, int, int], process.ProcessRecord]
    """(home, port, spare port) -> the started process; the spare port is for a backend that needs two."""
    lacks: tuple[str, ...]
    """What the kit uses and this backend does not do as AWS does (docs/kinesis-backends.md)."""


BACKENDS: dict[str, Backend] = {
    "ministack": Backend(
        "ministack", "MiniStack (PyPI ministack, own virtual environment)", ministack.pinned_version,
        ministack.ensure_installed, ministack.start,
        lacks=("UpdateShardCount replaces the shards at once (new ids from shardId-000000000000, the records "
               "written before are gone, no closed parents)",
               "SplitShard/MergeShards name the parents in the children but delete them and their records",
               "no throughput limits of its own (the layer enforces them)")),
    "kinesis-mock": Backend(
        "kinesis-mock", "kinesis-mock (npm kinesis-local)", kinesis.pinned_version, kinesis.ensure_installed,
        kinesis.start,
        lacks=("slows down as a shard fills: 100 records/s accepted and PutRecords/GetRecords about 4.5 s a call "
               "after 60 s at 1.5x the limits on 1 shard, so the layer's limits are never reached",
               "botocore cannot read its SubscribeToShard event stream (no enhanced fan-out)")),
    "moto": Backend(
        "moto", "moto's server (PyPI moto[server])", moto_kinesis.pinned_version, moto_kinesis.ensure_installed,
        moto_kinesis.start,
        lacks=("slows down as a shard fills: PutRecords p50 537 ms and 783 records/s accepted after 60 s at "
               "1.5x the limits on 1 shard", "no SubscribeToShard (no enhanced fan-out)",
               "accepts records over 1 MiB")),
}
DEFAULT = "ministack"
"""Chosen in docs/kinesis-backends.md: the only candidate that kept up at 1.5x the limits on 1 and 4 shards."""


def get(name: str | None) -> Backend:
    found = BACKENDS.get(name or DEFAULT)
    if found is None:
        raise StackError(f"unknown Kinesis backend {name!r}", field="kinesis_backend",
                         fix=f"use one of: {', '.join(BACKENDS)} (default {DEFAULT})")
    return found


def describe(name: str, version: str | None) -> str:
    """One line for pages and result files, e.g. 'MiniStack 1.5.33 (an emulator)'."""
    return f"{name} {version or ''}".strip() + " (emulator)"
