"""Headline figures and criterion scores: recorded by notebooks, read back by the report.

Mechanism: `record_headlines` and `record_scores` display a bundle of the private MIME type
`application/x-streamcompare+json` (raw, with an empty text/plain fallback, so nothing visible appears;
the report drops it from HTML). The report reads every such output of the executed notebook
(`read_recorded`), stores the merged result in the output notebook's metadata (`metadata.streamcompare`),
and appends it to the run's `headlines.json` (`{notebook: {"title", "status", "headlines", "scores"}}`).
"""

from __future__ import annotations

import json
import math
from typing import Any, Literal, get_args

from streamcompare.errors import ConfigError

MIME_TYPE = "application/x-streamcompare+json"
Evidence = Literal["measured", "emulated", "modelled", "documented"]
EVIDENCE: tuple[str, ...] = get_args(Evidence)
Scalar = str | int | float | bool | None


def headline(value: Scalar, unit: str = "", evidence: Evidence = "measured", label: str = "",
             note: str = "") -> dict[str, Any]:
    """One headline figure with its unit and where it comes from (measured, modelled or documented)."""
    if evidence not in EVIDENCE:
        raise ConfigError(f"evidence must be one of {', '.join(EVIDENCE)}, got {evidence!r}", field="evidence",
                          fix="say whether the figure was measured here, modelled, or taken from documentation")
    if isinstance(value, float) and not math.isfinite(value):
        value = None  # JSON has no NaN/inf; the index shows "n/a"
    if value is not None and not isinstance(value, str | int | float | bool):
        value = float(value)  # numpy scalars
    return {"value": value, "unit": unit, "evidence": evidence, "label": label, "note": note}


def read_recorded(nb: Any) -> dict[str, Any]:
    """Merge every recorded bundle of an executed notebook: {"headlines": {...}, "scores": [...]}."""
    headlines: dict[str, Any] = {}
    scores: list[dict[str, Any]] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(MIME_TYPE)
            if payload is None:
                continue
            if isinstance(payload, str):  # some writers store JSON bundles as text
                payload = json.loads(payload)
            if payload.get("kind") == "headlines":
                values = payload.get("values", {})
                headlines.update({name: values[name] for name in payload.get("order") or values})
            elif payload.get("kind") == "scores":
                criteria = {row["criterion"] for row in payload.get("rows", [])}
                scores = [row for row in scores if row["criterion"] not in criteria] + list(payload["rows"])
    return {"headlines": headlines, "scores": scores}
