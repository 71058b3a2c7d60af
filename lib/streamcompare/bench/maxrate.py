"""Max-rate mode: find the highest rate a system sustains, by short trials at fixed target rates.

OpenMessaging Benchmark's automatic mode adjusts the rate from the producer's own backlog and is known
to settle on rates the system does not sustain. Here every trial is an ordinary open-loop run at a
fixed target rate, on a fresh stream (no backlog carried over from a failed trial), judged by one rule:

A trial at target rate R is **sustainable** when all of these hold over its measured windows:
  1. achieved (acknowledged) rate >= min_achieved_ratio * R             (default 95%)
  2. publish delay p99 <= max_delay_p99_ms: the client kept to its schedule (default 100 ms);
     a producer that falls behind builds a hidden queue that (1) alone would notice too late
  3. failed records <= max_error_ratio of those sent                    (default 1%)
  4. no growing backlog: the least-squares slope, over the 1 s windows, of the records sent but not
     yet acknowledged and of the records acknowledged but not yet received (consumer lag) is at most
     max_backlog_growth_ratio * R per second (default 5%); needs >= 3 windows, else not judged.

Search: start at start_rate and double while trials pass (up to ceiling); once one fails, bisect
between the highest passing and the lowest failing rate until (high - low) / low <= precision; if the
first trial fails, halve until one passes. At most max_trials trials. The answer is the highest
passing rate; trials are reported so a reader can see how sharp the edge was (rates near the edge
can pass once and fail once: noise, not a contradiction).

Confirmation (`confirm_runs` > 0): a short trial that passed once may have been lucky. The search's
answer is run again for the workload's full `duration_s` after its `warmup_s`, judged by the same
rule; if that fails, the rate steps down by `precision` and runs again, at most `confirm_runs`
runs. The answer is the first confirmed rate; if none is confirmed there is no answer (not the
unconfirmed one). Confirmation runs are reported as trials with phase "confirm".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from streamcompare.bench.workload import MaxRateSearch

MIN_WINDOWS_FOR_BACKLOG = 3


@dataclass(frozen=True)
class Trial:
    rate: int
    sustainable: bool
    reasons: list[str]
    ack_rate: float
    delay_p99_us: float | None
    error_ratio: float
    backlog_growth_per_s: float | None
    details: Mapping[str, Any] = field(default_factory=dict)
    phase: str = "search"  # search | confirm

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def slope(values: Sequence[float]) -> float:
    """Least-squares slope of values against their index (units per window)."""
    n = len(values)
    if n < 2:
        return 0.0
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    num = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den


def _cumulative(values: Sequence[int]) -> list[int]:
    out, total = [], 0
    for v in values:
        total += v
        out.append(total)
    return out


def backlog_growth(windows: Sequence[Mapping[str, Any]], duration_s: float, consumers: int) -> float | None:
    """Fastest-growing backlog (records/s) over the full measured windows, or None if too few."""
    full = [w for w in windows if w["t_s"] + 1 <= duration_s]
    if len(full) < MIN_WINDOWS_FOR_BACKLOG:
        return None
    sent = _cumulative([w["sent"] for w in full])
    done = _cumulative([w["acked"] + w["failed"] for w in full])
    growth = slope([s - d for s, d in zip(sent, done, strict=True)])
    if consumers > 0:
        acked = _cumulative([w["acked"] for w in full])
        received = _cumulative([w["received"] for w in full])
        growth = max(growth, slope([a - r for a, r in zip(acked, received, strict=True)]))
    return growth


def judge(rate: int, throughput: Mapping[str, Any], delay: Mapping[str, Any],
          windows: Sequence[Mapping[str, Any]], consumers: int, rules: MaxRateSearch) -> Trial:
    """Apply the sustainability rule to one trial's measurements."""
    reasons: list[str] = []
    ack_rate = float(throughput.get("ack_rate") or 0.0)
    if ack_rate < rules.min_achieved_ratio * rate:
        reasons.append(f"achieved {ack_rate:.0f}/s < {rules.min_achieved_ratio:.0%} of {rate}/s")
    p99 = delay.get("p99")
    if p99 is None:
        reasons.append("no measured sends")
    elif p99 > rules.max_delay_p99_ms * 1000:
        reasons.append(f"publish delay p99 {p99 / 1000:.1f} ms > {rules.max_delay_p99_ms:g} ms")
    sent = int(throughput.get("sent") or 0)
    failed = int(throughput.get("failed") or 0)
    error_ratio = failed / sent if sent else 0.0
    if error_ratio > rules.max_error_ratio:
        reasons.append(f"{error_ratio:.1%} of records failed > {rules.max_error_ratio:.1%}")
    growth = backlog_growth(windows, float(throughput.get("measured_s") or 0), consumers)
    if growth is not None and growth > rules.max_backlog_growth_ratio * rate:
        reasons.append(f"backlog grows {growth:.0f} records/s > {rules.max_backlog_growth_ratio:.0%} of rate")
    return Trial(rate=rate, sustainable=not reasons, reasons=reasons, ack_rate=ack_rate,
                 delay_p99_us=p99, error_ratio=error_ratio, backlog_growth_per_s=growth)


def search(run_trial: Callable[[int], Trial], rules: MaxRateSearch) -> tuple[int | None, list[Trial]]:
    """Doubling then bisection; returns (highest sustainable rate or None, trials in order)."""
    low: int | None = None
    high: int | None = None
    rate = min(rules.start_rate, rules.ceiling)
    trials: list[Trial] = []
    while len(trials) < rules.max_trials:
        trial = run_trial(rate)
        trials.append(trial)
        if trial.sustainable:
            low = rate if low is None else max(low, rate)
        else:
            high = rate if high is None else min(high, rate)
        if high is None:
            if rate >= rules.ceiling:
                break
            rate = min(rules.ceiling, rate * 2)
        elif low is None:
            if rate <= 1:
                break
            rate = max(1, rate // 2)
        else:
            if (high - low) / low <= rules.precision:
                break
            rate = (low + high) // 2
            if rate in (low, high):
                break
    return low, trials


def confirm(run_confirmation: Callable[[int], Trial], found: int | None,
            rules: MaxRateSearch) -> tuple[int | None, list[Trial]]:
    """Rerun the search's answer at full length, stepping down by `precision` on failure.

    Returns (the confirmed rate or None, the confirmation trials in order).
    """
    if found is None or rules.confirm_runs == 0:
        return found, []
    trials: list[Trial] = []
    rate = found
    for _ in range(rules.confirm_runs):
        trial = replace(run_confirmation(rate), phase="confirm")
        trials.append(trial)
        if trial.sustainable:
            return rate, trials
        lower = int(rate * (1 - rules.precision))
        if lower < 1 or lower == rate:
            break
        rate = lower
    return None, trials
