"""The private target file a report hands to notebooks (0600 JSON), and reading it back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamcompare.errors import ConfigError

TARGET_FILE = "target.json"


def load_target(target_file: str | Path) -> dict[str, Any]:
    """The target dict for the drivers, from the file the report passed as `target_file`."""
    path = Path(target_file)
    if not path.is_file():
        raise ConfigError(f"no target file {path}", field="target_file",
                          fix="run notebooks through `streamcompare report`, or point target_file at a JSON "
                              "target such as the one `streamcompare stack status` describes")
    return json.loads(path.read_text(encoding="utf-8"))
