"""Warm-up that ends when latency is steady, not after a fixed time.

A freshly started broker JVM serves its first seconds of traffic with cold code: on the 2-core dev
machine (2026-12-03, docs/latency-diagnosis.md) the first 10 s of 200 records/s after `stack up`
gave end-to-end p50 60-81 ms and the next runs 7-8 ms. A fixed 2 s warm-up inside the run cannot
absorb that. `settle` runs short passes of the same open-loop loop (each on its own stream, not
part of the result) until the p50 of `window` consecutive passes agree within `tolerance` (largest
<= (1 + tolerance) x smallest), or `max_passes` ran; what it saw goes into the result's notes. Two
passes were not enough: under load 9 a cold stack gave 726, 123, 132 ms and then a 53 ms run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

PassRunner = Callable[[int], "float | None"]
"""Runs pass number i (from 1) and returns its p50 in microseconds (None: nothing was measured)."""


class SettleRules(BaseModel):
    """How the steady-state warm-up decides (max_passes 0 = off: only the workload's warmup_s)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    max_passes: int = Field(0, ge=0, le=50)
    pass_s: float = Field(3.0, gt=0, le=600)
    tolerance: float = Field(0.25, gt=0, le=10, description="steady when max <= (1 + tolerance) * min")
    window: int = Field(3, ge=2, le=10, description="consecutive passes that must agree")


@dataclass
class SettleRecord:
    p50_us: list[float | None] = field(default_factory=list)
    steady: bool = False

    def note(self, rules: SettleRules) -> str:
        shown = ", ".join("-" if v is None else f"{v / 1000:.1f}" for v in self.p50_us)
        verdict = "steady" if self.steady else f"NOT steady after {rules.max_passes} passes"
        return (f"warm-up until steady: {len(self.p50_us)} pass(es) of {rules.pass_s:g} s, p50 {shown} ms; "
                f"{verdict} ({rules.window} passes within {rules.tolerance:.0%})")


def is_steady(values: list[float | None], tolerance: float) -> bool:
    known = [v for v in values if v is not None and v > 0]
    return len(known) == len(values) and bool(known) and max(known) <= (1 + tolerance) * min(known)


def settle(run_pass: PassRunner, rules: SettleRules) -> SettleRecord:
    record = SettleRecord()
    for i in range(1, rules.max_passes + 1):
        record.p50_us.append(run_pass(i))
        last = record.p50_us[-rules.window:]
        if len(last) == rules.window and is_steady(last, rules.tolerance):
            record.steady = True
            break
    return record
