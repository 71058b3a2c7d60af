"""The producer and consumer code the kit itself runs, taken from its drivers (so it cannot drift)."""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from typing import Any

import pandas as pd

from streamcompare.drivers.kafka import KafkaConsumer, KafkaProducer
from streamcompare.drivers.kinesis import PollingConsumer
from streamcompare.drivers.kinesis_producer import BatchingProducer, PutRecordProducer

SAMPLES: dict[tuple[str, str], Callable[..., Any]] = {
    ("kafka", "produce"): KafkaProducer.send,
    ("kafka", "consume"): KafkaConsumer.poll,
    ("kinesis", "produce (PutRecord)"): PutRecordProducer.send,
    ("kinesis", "produce (PutRecords batch)"): BatchingProducer._put,
    ("kinesis", "consume (GetRecords)"): PollingConsumer.poll,
}


def code_samples() -> pd.DataFrame:
    """The code the kit itself runs for each system, taken from the drivers (so it cannot drift)."""
    rows = [{"system": system, "operation": op, "code": textwrap.dedent(inspect.getsource(fn))}
            for (system, op), fn in SAMPLES.items()]
    return pd.DataFrame(rows)


