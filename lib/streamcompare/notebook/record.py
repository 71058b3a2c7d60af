"""Recording from a notebook: headline figures and scores as a private MIME bundle the report reads back."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from streamcompare.errors import ConfigError
from streamcompare.headlines import EVIDENCE, MIME_TYPE, Evidence, Scalar, headline


def record_headlines(evidence: Evidence = "measured", **values: Scalar | Mapping[str, Any]) -> None:
    """Record headline figures for the index page and 00_decision; plain values take `evidence`.

    `record_headlines(kafka_p99_ms=headline(4.1, "ms", label="Kafka p99 end-to-end"), runs=3)`.
    Displays nothing visible and returns None. Later calls add to (and override) earlier ones.
    """
    recorded = {name: dict(v) if isinstance(v, Mapping) else headline(v, evidence=evidence)
                for name, v in values.items()}
    for name, item in recorded.items():
        item.setdefault("label", "")
        if not item["label"]:
            item["label"] = name.replace("_", " ")
    _emit({"kind": "headlines", "values": recorded, "order": list(recorded)})  # .ipynb files sort keys


def record_scores(criterion: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Record this criterion's scores for 00_decision: rows of option, score (0..10), evidence and why."""
    checked = []
    for row in rows:
        if row.get("evidence") not in EVIDENCE:
            raise ConfigError(f"evidence must be one of {', '.join(EVIDENCE)}, got {row.get('evidence')!r}",
                              field=f"scores.{criterion}.evidence")
        if not 0 <= float(row["score"]) <= 10:
            raise ConfigError(f"scores must be within 0..10, got {row['score']} for {row.get('option')}",
                              field=f"scores.{criterion}")
        checked.append({"criterion": criterion, "option": str(row["option"]), "score": float(row["score"]),
                        "evidence": row["evidence"], "why": str(row.get("why", ""))})
    _emit({"kind": "scores", "rows": checked})


def _emit(payload: dict[str, Any]) -> None:
    from IPython.display import display

    json.dumps(payload)  # fail here, in the notebook, if a value cannot be stored
    display({MIME_TYPE: payload, "text/plain": ""}, raw=True)  # empty text: no "no renderer" note in Lab
