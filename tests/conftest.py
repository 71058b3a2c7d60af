"""Shared fixtures: one live local stack per test session, stopped at the end even when tests fail."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamcompare.stack.local import LocalStack, local_stack
from streamcompare.target import Target


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """A real Kafka cluster (3 nodes unless STREAMCOMPARE_TEST_BROKERS says otherwise) and kinesis-mock.

    STREAMCOMPARE_TEST_RUN_DIR=.stack runs the tests against an already running stack (left running).
    """
    brokers = int(os.environ.get("STREAMCOMPARE_TEST_BROKERS", "3"))
    reuse = os.environ.get("STREAMCOMPARE_TEST_RUN_DIR")
    run_dir = Path(reuse).resolve() if reuse else tmp_path_factory.mktemp("stack")
    with local_stack(brokers=brokers, run_dir=run_dir, progress=lambda msg: print(f"[stack] {msg}")) as stack:
        yield stack


@pytest.fixture(scope="session")
def live_target(live_stack: LocalStack) -> Target:
    return live_stack.target()
