"""The Dask cluster a run uses: a local one it starts (and always stops) or the user's scheduler.

`distributed` is imported here, lazily, so the default install works without it. A local cluster
has N worker processes (one thread each: a worker runs one pair set), bound to 127.0.0.1 on free
ports (scheduler and dashboard: port 0), non-daemonic (a pair's consumer is a child process), and
its tasks never move to another worker when theirs dies (allowed-failures 0): a lost worker fails
the run loudly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from streamcompare import interrupt
from streamcompare.errors import PrerequisiteError

INSTALL_FIX = "pip install 'streamcompare[distributed]'"
LOCAL_CONFIG = {"distributed.worker.daemon": False, "distributed.scheduler.allowed-failures": 0,
                "distributed.admin.tick.limit": "10s", "distributed.worker.memory.terminate": False}


def require_distributed() -> Any:
    """The `distributed` module, or a clear error naming the extra to install."""
    try:
        import distributed
    except ImportError:
        raise PrerequisiteError("running the harness on workers needs Dask distributed, which is not installed",
                                fix=INSTALL_FIX) from None
    return distributed


@dataclass
class Cluster:
    client: Any
    description: str
    local: Any = None  # the LocalCluster this run started, if any

    def workers(self) -> dict[str, dict[str, Any]]:
        """Address -> scheduler's info (host, name, pid...) of every live worker."""
        info: dict[str, dict[str, Any]] = self.client.scheduler_info(n_workers=-1)["workers"]
        return info


@contextmanager
def open_cluster(workers: int | None = None, address: str | None = None) -> Iterator[Cluster]:
    """A local cluster of `workers` processes, or a client of the scheduler at `address`."""
    distributed = require_distributed()
    import dask

    if address:
        with distributed.Client(address, timeout="20s") as client:
            yield Cluster(client, f"Dask cluster at {address}")
        return
    n = workers or 1
    with dask.config.set(LOCAL_CONFIG):
        local = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                         dashboard_address="127.0.0.1:0", scheduler_port=0, silence_logs=40)
        try:
            with distributed.Client(local) as client:
                yield Cluster(client, f"local Dask cluster of {n} worker process(es)", local)
        finally:
            with interrupt.shielded():  # a second Ctrl-C must not leave worker processes behind
                local.close(timeout=20)
                if interrupt.stopping():
                    interrupt.cleaned(f"stopped the local Dask cluster ({n} worker process(es))")
