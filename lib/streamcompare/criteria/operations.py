"""07_scaling_operations: resharding and partition addition measured on the target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from streamcompare.criteria.common import load_experiment, save_experiment
from streamcompare.probes import scaling


def scaling_check(target: dict[str, Any], mode: str, results_dir: str | Path, run_id: str) -> pd.DataFrame:
    """Time Kinesis UpdateShardCount (2 -> 4) and Kafka CreatePartitions (3 -> 6) live, or read the stored check."""
    if mode == "replay":
        return load_experiment(results_dir, "scaling")
    rows = [scaling.kinesis_reshard(target, 2, 4).as_dict(),
            scaling.kafka_add_partitions({**target, "replication_factor": 3}, 3, 6).as_dict()]
    save_experiment(results_dir, run_id, "scaling", rows)
    return pd.DataFrame(rows)
