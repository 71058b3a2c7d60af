"""Downloads installed once into the cache: built in a scratch folder, then moved into place whole."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

from streamcompare.errors import StackError


def resource(name: str) -> str:
    """A file shipped in streamcompare/stack/resources (pom, package.json, lock file, log4j2 config)."""
    return (resources.files("streamcompare.stack") / "resources" / name).read_text()


def install_once(target: Path, build: Callable[[Path], Path], version: str) -> Path:
    """Run build(scratch) -> folder, and move that folder to `target`, marked complete; a half-done
    install never looks complete, and a failed one leaves nothing behind."""
    marker = target.parent / f".{target.name}.complete"
    if marker.exists() and target.is_dir():
        return target
    work = target.parent / f"tmp-{target.name}-{uuid.uuid4().hex[:8]}"
    work.mkdir(parents=True)
    try:
        built = build(work)
        if target.exists():
            shutil.rmtree(target)
        built.rename(target)
        marker.write_text(version)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def run_tool(argv: Sequence[str], *, cwd: Path | None, what: str, fix: str, timeout_s: int) -> None:
    """Run an installer (mvn, npm); on failure raise a StackError with the end of its output."""
    result = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, timeout=timeout_s)
    if result.returncode != 0:
        raise StackError(f"{what} failed:\n{(result.stdout + result.stderr)[-2000:]}", fix=fix)
