"""A small client for the layer's control endpoint (loopback only), for probes and tests.

    from streamcompare.stack.kinesis_limits import control
    with control.injected(endpoint, internal_failure=0.05, drop_response=0.01):
        ...                                   # faults are switched off again on exit, also on failure
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from streamcompare.errors import ConfigError, StackError
from streamcompare.stack.kinesis_limits.proxy import CONTROL


def _call(endpoint: str, path: str, body: Mapping[str, Any] | None = None, timeout_s: float = 10.0) -> Any:
    url = endpoint.rstrip("/") + CONTROL + path
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")
        try:
            problem = json.loads(detail)
        except ValueError:
            problem = {"error": detail}
        if exc.code == 400:
            raise ConfigError(str(problem.get("error")), field=problem.get("field"), fix=problem.get("fix")) from None
        raise StackError(f"the Kinesis fidelity layer at {endpoint} answered {exc.code}: {detail}") from None
    except urllib.error.URLError as exc:
        raise StackError(f"the Kinesis fidelity layer at {endpoint} does not answer ({exc.reason})",
                         fix="start the stack with limits on: `streamcompare stack up --kinesis-limits on`") from None


def faults(endpoint: str) -> dict[str, Any]:
    return dict(_call(endpoint, "/faults"))


def set_faults(endpoint: str, **settings: Any) -> dict[str, Any]:
    """Replace the fault settings (fields of settings.Faults); returns what the layer now uses."""
    return dict(_call(endpoint, "/faults", settings))


def limits(endpoint: str) -> dict[str, Any]:
    return dict(_call(endpoint, "/limits"))


def set_limits(endpoint: str, **changes: Any) -> dict[str, Any]:
    """Change some limit settings (fields of settings.Limits, e.g. enabled=False); windows restart empty."""
    return dict(_call(endpoint, "/limits", changes))


def reset(endpoint: str) -> dict[str, Any]:
    """Faults off, counters zeroed, rate windows emptied; limits keep their settings."""
    return dict(_call(endpoint, "/reset", {}))


def stats(endpoint: str) -> dict[str, Any]:
    """Settings and counters (requests per operation, throttled entries, faults injected)."""
    return dict(_call(endpoint, "/stats"))


@contextmanager
def injected(endpoint: str, **settings: Any) -> Iterator[dict[str, Any]]:
    """Faults on for the block, off afterwards (also when the block fails)."""
    applied = set_faults(endpoint, **settings)
    try:
        yield applied
    finally:
        set_faults(endpoint)


@contextmanager
def limits_set(endpoint: str, **changes: Any) -> Iterator[dict[str, Any]]:
    """Limit settings changed for the block, restored afterwards (also when the block fails)."""
    before = limits(endpoint)
    applied = set_limits(endpoint, **changes)
    try:
        yield applied
    finally:
        set_limits(endpoint, **before)
