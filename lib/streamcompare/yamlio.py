"""Reading user YAML files strictly: every problem becomes a ConfigError naming the file, the place and the fix.

Rejected, each with its own message: a missing or unreadable path, a directory, bytes that are not
UTF-8 text, YAML syntax errors (line and column, never the offending text: it may hold a secret), and
a key given twice in one mapping (YAML's loaders silently keep the last). Numbers that are not finite
(`.nan`, `.inf`) are refused by the settings models (`allow_inf_nan=False`), which name the field;
`non_finite` finds them in free-form values the models do not type.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from streamcompare.errors import ConfigError


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        try:
            if key in seen:
                raise _DuplicateKey(key, seen[key], line)
            seen[key] = line
        except TypeError:  # an unhashable key: let the normal constructor report it
            continue
    return loader.construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, first: int, again: int) -> None:
        self.key, self.first, self.again = key, first, again
        super().__init__(f"key {key!r} appears twice (lines {first} and {again})")


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str, *, source: str, field: str) -> Any:
    """Parse YAML text strictly (duplicate keys rejected); `source` names it in messages."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as exc:
        raise ConfigError(f"{source}: {exc}; YAML would silently keep only the last", field=str(exc.key),
                          fix=f"keep one `{exc.key}:` entry") from None
    except yaml.YAMLError as exc:  # the message may quote the line, which may hold a secret: position only
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid syntax"
        raise ConfigError(f"{source} is not valid YAML{where}: {problem}", field=field,
                          fix="check indentation and quoting there") from None
    return data


def non_finite(value: Any, path: str = "") -> str | None:
    """The dotted path of the first NaN or infinite float inside `value`, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return path or "value"
    if isinstance(value, dict):
        for key, item in value.items():
            found = non_finite(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = non_finite(item, f"{path}[{index}]")
            if found:
                return found
    return None


def read_text(path: Path, *, what: str, field: str, missing_fix: str) -> str:
    """The UTF-8 text of a file the user named; a directory, unreadable file or binary is a ConfigError."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{what} {path} is a directory, not a file", field=field, fix=missing_fix)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror or exc}", field=field, fix=missing_fix) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{what} {path} is not UTF-8 text (byte {exc.start}): is it a binary file?",
                          field=field, fix="pass the YAML text file") from None


def read_yaml(path: Path, *, what: str, field: str, missing_fix: str) -> Any:
    """Parse a YAML file the user pointed at; `what` names it in messages (e.g. "price file")."""
    text = read_text(path, what=what, field=field, missing_fix=missing_fix)
    return parse_yaml(text, source=f"{what} {path}", field=field)
