"""Reading user YAML files: a missing file or bad syntax becomes a ConfigError naming the file and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from streamcompare.errors import ConfigError


def read_yaml(path: Path, *, what: str, field: str, missing_fix: str) -> Any:
    """Parse a YAML file the user pointed at; `what` names it in messages (e.g. "price file")."""
    try:
        return yaml.safe_load(Path(path).read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}", field=field, fix=missing_fix) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{what} {path} is not valid YAML: {exc}",
                          field=field, fix="fix the YAML syntax") from None
