"""KRaft cluster ids: never read as an option by the storage formatter (issue 15)."""

from __future__ import annotations

import base64
import random
import re

import pytest

from streamcompare.stack.kafka import format_error, random_cluster_id

pytestmark = pytest.mark.unit


def test_many_ids_never_start_with_a_dash_and_look_like_kafkas() -> None:
    ids = [random_cluster_id() for _ in range(20_000)]  # a leading '-' would be expected ~312 times
    assert not [i for i in ids if i.startswith("-")]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert all(len(base64.urlsafe_b64decode(i + "==")) == 16 for i in ids[:100])


def test_a_draw_that_would_start_with_a_dash_is_replaced() -> None:
    dash_first = bytes([0xF8]) + bytes(15)  # base64url of 0b111110.. starts with '-'
    assert base64.urlsafe_b64encode(dash_first).decode().startswith("-")
    draws = iter([dash_first, bytes(16), (1).to_bytes(16, "big"), bytes(range(16))])
    assert random_cluster_id(lambda: next(draws)) == base64.urlsafe_b64encode(bytes(range(16))).decode().rstrip("=")


def test_seeded_draws_over_the_whole_first_character_range() -> None:
    rng = random.Random(15)
    firsts = {random_cluster_id(lambda: rng.randbytes(16))[0] for _ in range(5_000)}
    assert "-" not in firsts and len(firsts) == 63  # every other base64url character occurs


def test_format_failure_names_the_formatters_cause_not_a_data_wipe() -> None:
    output = ("usage: kafka-storage format [-h] ...\n"
              "kafka-storage: error: argument --cluster-id/-t: expected one argument")
    err = format_error(2, output)
    assert "argument --cluster-id/-t: expected one argument" in err.message.splitlines()[0]
    assert "stack down" not in (err.fix or "") and "bug" in (err.fix or "")
    stale = format_error(1, "Log directory /x is already formatted. Use --ignore-formatted")
    assert "stack down" in (stale.fix or "")
