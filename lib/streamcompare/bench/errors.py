"""Errors of the benchmark machinery."""

from __future__ import annotations

from streamcompare.errors import StreamcompareError


class BenchmarkError(StreamcompareError):
    """The benchmark could not run to the end (a consumer failed, a producer crashed, a timeout)."""
