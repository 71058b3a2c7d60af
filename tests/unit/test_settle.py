import pytest

from streamcompare.bench.settle import SettleRules, is_steady, settle

pytestmark = pytest.mark.unit


def test_settle_stops_at_the_first_two_passes_that_agree() -> None:
    seen = iter([726_000.0, 123_000.0, 132_000.0, 53_000.0, 8_100.0, 7_300.0, 7_200.0, 7_000.0])
    calls: list[int] = []

    def run_pass(i: int) -> float:
        calls.append(i)
        return next(seen)

    record = settle(run_pass, SettleRules(max_passes=10, tolerance=0.25, window=3))
    assert calls == [1, 2, 3, 4, 5, 6, 7]  # 123 and 132 agree, but a third pass must agree too
    assert record.steady
    assert "7 pass(es)" in record.note(SettleRules(max_passes=6))


def test_settle_gives_up_after_max_passes_and_says_so() -> None:
    values = iter([100.0, 10.0, 100.0])
    rules = SettleRules(max_passes=3, tolerance=0.1)
    record = settle(lambda i: next(values), rules)
    assert not record.steady and len(record.p50_us) == 3
    assert "NOT steady after 3 passes" in record.note(rules)


def test_off_by_default_and_no_data_is_never_steady() -> None:
    assert settle(lambda i: 1.0, SettleRules()).p50_us == []
    assert not is_steady([None, 5.0], 0.5) and not is_steady([5.0, None], 0.5)
    assert is_steady([5.0, 6.0, 5.5], 0.25)
