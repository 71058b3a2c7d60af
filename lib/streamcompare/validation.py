"""The one translator from pydantic's ValidationError to the kit's ConfigError.

Every user file (report config, workload, cost scenario, price file) is a pydantic model; a problem
comes back naming the field (dotted path, by its YAML name), what is wrong and how to fix it, and
never echoes the input value (it may be a secret).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from streamcompare.errors import ConfigError


def allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys (YAML names: aliases first) the nested model at `loc` accepts; [] when not a model."""
    current: Any = model
    for part in loc:
        fields = {info.alias or name: info for name, info in current.model_fields.items()}
        info = fields.get(str(part))
        if info is None:
            return []
        candidates = [a for a in getattr(info.annotation, "__args__", (info.annotation,))
                      if isinstance(a, type) and issubclass(a, BaseModel)]
        if not candidates:
            return []
        current = candidates[0]
    return [info.alias or name for name, info in current.model_fields.items()]


def config_error(exc: ValidationError, model: type[BaseModel], *, default_field: str,
                 fixes: Mapping[str, str] | None = None, default_fix: str | None = None,
                 source: str = "") -> ConfigError:
    """The first problem as the message and field, every further one listed below it.

    `fixes` maps a top-level field to its fix; unknown keys, missing fields and wrong choices get a fix
    of their own; `source` (a file name) is appended to the message.
    """
    errors = exc.errors(include_input=False, include_url=False)
    problems = [_problem(error, model) for error in errors]
    field, message, kind_fix = problems[0]
    known = fixes or {}
    fix = kind_fix or known.get(field) or known.get(field.split(".")[0]) or default_fix
    if errors[0]["type"] == "finite_number":
        fix = f"a finite number (not NaN or infinity); {fix}" if fix else "a finite number (not NaN or infinity)"
    more = "".join(f"\n  {loc or default_field}: {msg}" for loc, msg, _ in problems[1:])
    where = f" [{source}]" if source else ""
    return ConfigError(f"{message}{where}{more}", field=field or default_field, fix=fix)


def _problem(error: Mapping[str, Any], model: type[BaseModel]) -> tuple[str, str, str | None]:
    loc = tuple(error["loc"])
    field = ".".join(str(part) for part in loc)
    kind = error["type"]
    message = str(error["msg"]).removeprefix("Value error, ")
    fix: str | None = None
    if kind == "extra_forbidden":
        allowed = allowed_keys(model, loc[:-1])
        message = "unknown field" + (f"; allowed here: {', '.join(allowed)}" if allowed else "")
        fix = f"remove it or use one of: {', '.join(allowed)}" if allowed else "remove it"
    elif kind == "missing":
        message = "required field is missing"
        fix = f"add `{loc[-1]}:`" if loc else None
    elif kind == "literal_error":
        fix = f"use one of: {error.get('ctx', {}).get('expected', '')}"
    else:  # a rule across fields names its field first: "efo: at most 20 ...", "min_volume_gb: ..."
        named, _, rest = message.partition(": ")
        if rest and named in allowed_keys(model, loc):
            field, message = ".".join(filter(None, (field, named))), rest
    return field, message, fix
