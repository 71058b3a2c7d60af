"""Stopping on a signal: SIGTERM and SIGINT become one exception that unwinds every `finally`.

Cron, CI runners and orchestrators stop a job with SIGTERM, a person with Ctrl-C (SIGINT). Both raise
`Interrupted` in the main thread, so the code that created something (a topic, a stream, a consumer
process) deletes it on the way out; a second signal while that clean-up runs is ignored, so the
clean-up itself is never cut short. `Interrupted` derives from BaseException and not from
KeyboardInterrupt: the CLI library would turn a KeyboardInterrupt into a silent exit 130 before the
kit could say what it stopped and what it cleaned. Clean-up code reports what it did with `cleaned()`.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

_CLEANED: list[str] = []
_DOING: list[str] = []
_state: dict[str, int] = {"raised": 0, "shield": 0, "pending": 0}


class Interrupted(BaseException):
    """The process was asked to stop by `signum`; exit with 128 + signum (130 for SIGINT, 143 for SIGTERM)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def _handler(signum: int, _frame: FrameType | None) -> None:
    if _state["raised"]:
        return  # already unwinding: let the clean-up finish
    if _state["shield"]:
        _state["pending"] = signum  # raised when the shielded clean-up ends
        return
    _state["raised"] = signum
    raise Interrupted(signum)


def install() -> None:
    """Route SIGTERM and SIGINT to `Interrupted` (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        return
    _state.update(raised=0, shield=0, pending=0)
    _CLEANED.clear()
    _DOING.clear()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _handler)


def stopping() -> bool:
    """True once a signal arrived: long loops may check it to stop early."""
    return bool(_state["raised"] or _state["pending"])


def cleaned(what: str) -> None:
    """Record one clean-up step (e.g. "deleted topic sc-quick-1a2b3c4d") for the interruption message."""
    _CLEANED.append(what)


def doing(what: str) -> None:
    """Say what is running now (e.g. "bench kafka (workload quick)"), for the interruption message."""
    _DOING[:] = [what]


def activity() -> str | None:
    return _DOING[0] if _DOING else None


def cleaned_steps() -> list[str]:
    return list(_CLEANED)


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """A block no signal interrupts (clean-up); a signal that arrives meanwhile is raised after it."""
    _state["shield"] += 1
    try:
        yield
    finally:
        _state["shield"] -= 1
        pending = _state["pending"]
        if not _state["shield"] and pending and not _state["raised"]:
            _state.update(pending=0, raised=pending)
            raise Interrupted(pending)
