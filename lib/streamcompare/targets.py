"""The one target resolver: where a command or a notebook measures.

    open_target(config_target, brokers=..., progress=...)  the local stack (reused, or started and
                                                           stopped), or a configured cluster / account
    running_stack_target()                                 the running local stack's target, or None

A target is the `streamcompare.target.Target` the drivers take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from streamcompare.config import TargetConfig
from streamcompare.paths import default_run_dir, project_root
from streamcompare.target import Target

Progress = Callable[[str], None]


@contextmanager
def open_target(target: TargetConfig, *, brokers: int | None = None, allow_create: bool = False,
                progress: Progress = lambda _m: None) -> Iterator[Target]:
    """The driver target: `local` reuses a running stack or starts one (and stops it on exit)."""
    if target.kind == "local":
        from streamcompare.stack.local import local_stack

        with local_stack(brokers=brokers or target.local.brokers, progress=progress) as stack:
            yield stack.target()
        return
    found = target.driver_target()
    yield found.with_kinesis(allow_create=True) if allow_create else found


def running_stack_target() -> Target | None:
    """The running local stack's target ($STREAMCOMPARE_RUN_DIR, ./.stack or the project's .stack), or None."""
    from streamcompare.stack.local import StackState

    for run_dir in dict.fromkeys((default_run_dir(), project_root() / ".stack")):
        state = StackState.load(run_dir)
        if state is not None and state.is_up():
            return state.target()
    return None
