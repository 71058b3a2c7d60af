"""Last line of defence: no secret value survives in any file of a report, in any common encoding."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from streamcompare.config import MASK
from streamcompare.errors import StreamcompareError
from streamcompare.target import Target


class SecretLeakError(StreamcompareError):
    """A secret was still found in a report file after scrubbing."""


def encodings(secret: str) -> list[str]:
    """The forms a secret takes in text files: as is, HTML-escaped, JSON-escaped (both ASCII and not)."""
    forms = {secret, html.escape(secret, quote=True), html.escape(secret, quote=False),
             json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    return sorted((f for f in forms if f), key=len, reverse=True)


def target_secrets(target: Target) -> list[str]:
    """Secret values a driver target carries (passwords, keys, tokens), plus every secret of the secure
    stack's clients.json when the target names one (`security_file`)."""
    from streamcompare.bench.metadata import SECRET_KEY

    found: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and value and key and SECRET_KEY.search(key):
            found.append(value)

    walk(target.to_json())
    clients = Path(target.security_file or "")
    if target.security_file and clients.is_file():
        from streamcompare.stack.security import secret_values

        found += secret_values(json.loads(clients.read_text(encoding="utf-8")))
    return sorted(set(found), key=len, reverse=True)


def scrub_text(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted(set(secrets), key=len, reverse=True):
        for form in encodings(secret):
            text = text.replace(form, MASK)
    return text


def scrub_tree(root: Path, secrets: Iterable[str]) -> list[Path]:
    """Replace every secret in every file under `root`; return the files changed; verify none remains."""
    secrets = [s for s in secrets if s]
    if not secrets:
        return []
    changed = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        text = raw.decode("utf-8", errors="surrogateescape")
        cleaned = scrub_text(text, secrets)
        if cleaned != text:
            path.write_bytes(cleaned.encode("utf-8", errors="surrogateescape"))
            changed.append(path)
    leaks = find_secrets(root, secrets)
    if leaks:
        raise SecretLeakError(f"a secret is still present in {', '.join(map(str, leaks))} after scrubbing",
                              fix="delete the report folder; report this as a bug")
    return changed


def find_secrets(root: Path, secrets: Iterable[str]) -> list[Path]:
    """Files under `root` that contain any encoding of any secret."""
    needles = [form.encode("utf-8") for s in secrets if s for form in encodings(s)]
    return [p for p in sorted(root.rglob("*")) if p.is_file() and any(n in p.read_bytes() for n in needles)]
