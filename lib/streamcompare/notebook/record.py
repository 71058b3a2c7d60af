"""Recording from a notebook: headline figures and scores as a private MIME bundle the report reads back."""

from __future__ import annotations

import json
from collections.abc import Mapping
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


def record_scores(criterion: str, scores: Mapping[str, float], evidence: Evidence,
                  source: str = "") -> None:
    """Record this criterion's 0..10 score per option (e.g. {"kafka-msk": 8, "kinesis": 6}) for 00_decision."""
    if evidence not in EVIDENCE:
        raise ConfigError(f"evidence must be one of {', '.join(EVIDENCE)}, got {evidence!r}", field="evidence")
    bad = {option: s for option, s in scores.items() if not 0 <= float(s) <= 10}
    if bad:
        raise ConfigError(f"scores must be within 0..10, got {bad}", field=f"scores.{criterion}")
    rows = [{"criterion": criterion, "option": option, "score": float(s), "evidence": evidence,
             "source": source} for option, s in scores.items()]
    _emit({"kind": "scores", "rows": rows})


def _emit(payload: dict[str, Any]) -> None:
    from IPython.display import display

    json.dumps(payload)  # fail here, in the notebook, if a value cannot be stored
    display({MIME_TYPE: payload, "text/plain": ""}, raw=True)  # empty text: no "no renderer" note in Lab
