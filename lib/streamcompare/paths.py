"""Where the kit keeps downloads, state and outputs; every location can be overridden."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """Downloads shared across checkouts (Kafka jars, kinesis-mock): $STREAMCOMPARE_CACHE or ~/.cache."""
    override = os.environ.get("STREAMCOMPARE_CACHE")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "streamcompare"


def default_run_dir() -> Path:
    """State of the local stack (pid files, ports, logs): $STREAMCOMPARE_RUN_DIR or ./.stack."""
    return Path(os.environ.get("STREAMCOMPARE_RUN_DIR", ".stack")).expanduser().resolve()


def project_root() -> Path:
    """The checkout this package was installed from (editable installs), else the working directory."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "lib" / "streamcompare").is_dir():
            return parent
    return Path.cwd()


def data_dir() -> Path:
    """The project's data/ folder (pricing, workloads, reference figures)."""
    return project_root() / "data"


def ensure_writable(folder: Path, *, field: str, fix: str = "choose a folder you can write to") -> Path:
    """Create `folder` if needed and prove it takes a file, before any work that ends by writing there."""
    import tempfile

    from streamcompare.errors import ConfigError

    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder} is a file, not a folder", field=field, fix=fix)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".streamcompare-write-check-"):
            pass
    except OSError as exc:
        raise ConfigError(f"cannot write to {folder}: {exc.strerror or exc}", field=field, fix=fix) from None
    return folder
