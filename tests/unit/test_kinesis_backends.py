"""The Kinesis backend registry: names, the default, and a clear error for an unknown name."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamcompare.errors import StackError
from streamcompare.stack import kinesis_backends, local

pytestmark = pytest.mark.unit


def test_the_default_is_a_registered_backend_and_each_lists_its_gaps() -> None:
    assert kinesis_backends.get(None).name == kinesis_backends.DEFAULT == "ministack"
    assert set(kinesis_backends.BACKENDS) == {"ministack", "kinesis-mock", "moto"}
    assert all(backend.lacks for backend in kinesis_backends.BACKENDS.values())


def test_an_unknown_backend_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(StackError) as err:
        local.up(tmp_path / "never", kinesis_backend="kinesalite")
    assert err.value.field == "kinesis_backend" and "ministack" in (err.value.fix or "")
    assert not (tmp_path / "never").exists()


def test_the_target_names_the_backend() -> None:
    state = local.StackState(run_dir="/tmp/x", started_utc="2026-12-03T00:00:00+00:00", kinesis_version="1.5.33",
                             kinesis_backend="ministack", kinesis_endpoint="http://127.0.0.1:1")
    target = state.target()
    assert target.kinesis is not None
    assert target.kinesis.backend == "ministack" and target.kinesis.version == "1.5.33"
    assert target.to_json()["kinesis_backend"] == "ministack", "the target file names the backend"
    assert local.StackState(run_dir="/tmp/x", started_utc="t").kinesis_backend == "kinesis-mock", \
        "state files written before backends existed were kinesis-mock"
