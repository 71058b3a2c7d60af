"""Errors a user can act on: each names what is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")


class StreamcompareError(Exception):
    """A failure the user can fix; the CLI prints it without a traceback and exits non-zero."""

    exit_code = 2

    def __init__(self, message: str, *, fix: str | None = None, field: str | None = None) -> None:
        self.message = message
        self.fix = fix
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        text = f"{where}{self.message}"
        return f"{text}\n  fix: {self.fix}" if self.fix else text


class ConfigError(StreamcompareError):
    """Invalid user input (a config file, a workload, a flag)."""


class PrerequisiteError(StreamcompareError):
    """A tool the kit needs (Java 17, Maven, Node, npm) is missing or too old."""


class StackError(StreamcompareError):
    """The local stack could not start, stop or be reached."""


def one_of(table: Mapping[str, T], name: str, *, what: str, field: str) -> T:
    """`table[name]`, or the one "unknown <what>" error naming the field and every choice."""
    try:
        return table[name]
    except KeyError:
        raise ConfigError(f"unknown {what} {name!r}", field=field, fix=f"use one of: {', '.join(table)}") from None
