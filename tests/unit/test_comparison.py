"""Every documented comparison row names its sources; every criterion scores the same options."""

from __future__ import annotations

import pytest

from streamcompare.errors import ConfigError
from streamcompare.reference import comparison

pytestmark = pytest.mark.unit
CRITERIA = ("security", "interfaces", "reliability", "operations")


@pytest.mark.parametrize("criterion", CRITERIA)
def test_rows_have_both_sides_and_sources(criterion: str) -> None:
    frame = comparison.table(criterion)
    assert len(frame) >= 3
    for column in ("aspect", "kafka", "kinesis", "sources"):
        assert frame[column].str.len().min() > 3, f"{criterion}: empty {column}"


def test_scores_cover_the_same_options_in_range() -> None:
    options = {frozenset(comparison.documented_scores(c)) for c in CRITERIA}
    assert len(options) == 1
    assert all(0 <= s <= 10 for c in CRITERIA for s in comparison.documented_scores(c).values())


def test_unknown_criterion_names_the_choices() -> None:
    with pytest.raises(ConfigError, match="security"):
        comparison.table("speed")
