"""Published latency reference points: AWS's Kinesis propagation table and public Kafka benchmarks, with sources."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from streamcompare.paths import data_dir
from streamcompare.yamlio import read_yaml


def published_reference(path: Path | None = None) -> pd.DataFrame:
    """AWS's published propagation figures (and other reference points), with sources."""
    data = read_yaml(path or data_dir() / "reference" / "latency.yaml", what="latency reference",
                     field="reference", missing_fix="restore data/reference/latency.yaml from the repository")
    prop = data["kinesis_propagation"]
    rows = [{"system": "kinesis", "what": e["consumer"], "ms": float(e["average_ms"]), "source": prop["source"],
             "as_of": prop["as_of"], "kind": "published"} for e in prop["entries"]]
    rows += [{"system": "kafka", "what": e["what"], "ms": float(e["value_ms"]), "source": e["source"],
              "as_of": e["as_of"], "kind": "published"} for e in data.get("kafka", [])]
    return pd.DataFrame(rows)
