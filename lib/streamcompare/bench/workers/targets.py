"""The target a worker receives: every secret removed, plus where the worker reads the secrets itself.

Secrets never travel in task arguments (a Dask scheduler keeps and logs them, and a user's cluster
may be shared). The single-process harness reads them from the 0600 files it was given: the local
stack's clients file (through its state in `run_dir`) or the report config named by `--target`.
A worker does the same from `secrets_from`, so on a real cluster those files must exist at the same
path on every worker host (docs/distributed.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from streamcompare.errors import ConfigError
from streamcompare.secrets import is_sensitive
from streamcompare.target import Target

SECRETS_FROM = "secrets_from"


def _strip(value: Any) -> tuple[Any, bool]:
    if not isinstance(value, Mapping):
        return value, False
    out: dict[str, Any] = {}
    removed = False
    for key, item in value.items():
        if is_sensitive(str(key)) and item not in (None, "", False):
            removed = True
            continue
        out[str(key)], inner = _strip(item)
        removed = removed or inner
    return out, removed


def public_target(target: Target, secrets_from: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`target`'s JSON form without secrets; names the source of the secrets when any were removed.

    secrets_from: {"kind": "config", "path": <report config>} or {"kind": "stack", "run_dir": <dir>};
    None = the local stack's run_dir when the target is the local stack.
    """
    stripped, removed = _strip(target.to_json())
    if not removed:
        return stripped
    source = dict(secrets_from) if secrets_from else None
    if source is None and target.local and target.run_dir:
        source = {"kind": "stack", "run_dir": target.run_dir}
    if source is None:
        raise ConfigError("the target carries secrets and the workers have no file to read them from",
                          field="target", fix="pass --target with a config file (workers read it at the same path) "
                                              "or measure the local stack")
    stripped[SECRETS_FROM] = source
    return stripped


def _fill(public: Mapping[str, Any], full: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(public)
    for key, value in full.items():
        if key not in out:
            if is_sensitive(str(key)):
                out[key] = value
        elif isinstance(out[key], Mapping) and isinstance(value, Mapping):
            out[key] = _fill(out[key], value)
    return out


def restore_secrets(public: Mapping[str, Any]) -> Target:
    """On the worker: the target with its secrets read back from `secrets_from` (if it names one)."""
    source = public.get(SECRETS_FROM)
    target = {k: v for k, v in public.items() if k != SECRETS_FROM}
    if not source:
        return Target.from_json(target)
    if source.get("kind") == "stack":
        from streamcompare.stack.local import StackState

        state = StackState.load(Path(source["run_dir"]))
        if state is None:
            raise ConfigError(f"no local stack state in {source['run_dir']} on this worker", field="target",
                              fix="run the workers on the machine of the local stack")
        full = state.target()
    elif source.get("kind") == "config":
        from streamcompare.config import load_config

        full = load_config(Path(source["path"])).target.driver_target()
    else:
        raise ConfigError(f"unknown secrets source {source.get('kind')!r}", field=SECRETS_FROM)
    return Target.from_json(_fill(target, full.to_json()))
