"""The security probe: both authorisation matrices, the price of security and the effort, in one call.

Needs the local stack in the secure profile (`streamcompare stack up --security sasl_ssl`); its
target says so (`security: sasl_ssl`, `security_file`). Everything returned has been scrubbed of
the profile's secrets (clients.json), so callers may store or print it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamcompare.errors import StackError
from streamcompare.probes import security_cost, security_effort
from streamcompare.probes.authorization import Attempt, kafka_matrix
from streamcompare.probes.authorization_kinesis import kinesis_matrix
from streamcompare.stack import security
from streamcompare.target import Target

DEFAULT_RATES = (500, 2000)


@dataclass
class SecurityFindings:
    kafka: list[dict[str, Any]] = field(default_factory=list)
    kinesis: list[dict[str, Any]] = field(default_factory=list)
    cost: list[dict[str, Any]] = field(default_factory=list)
    effort: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def mismatches(self) -> list[dict[str, Any]]:
        return [r for r in [*self.kafka, *self.kinesis] if not r["ok"]]

    @property
    def passed(self) -> bool:
        return bool(self.kafka) and not self.mismatches

    def as_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "mismatches": len(self.mismatches), "kafka_matrix": self.kafka,
                "kinesis_matrix": self.kinesis, "cost": self.cost, "effort": self.effort, "seconds": self.seconds}


def require_secure(target: Target) -> tuple[Path, dict[str, Any]]:
    """The run directory and clients.json of a secure local stack, or a StackError saying how to get one."""
    if target.security_profile != "sasl_ssl" or not target.security_file:
        raise StackError("the security probe needs the local stack in the secure profile",
                         field="security", fix="`streamcompare stack down`, then "
                                               "`streamcompare stack up --security sasl_ssl` (1 broker is enough)")
    clients_path = Path(target.security_file)
    run_dir = clients_path.parent.parent
    return run_dir, security.load_clients(run_dir)


def run(target: Target, *, rates: Sequence[int] = DEFAULT_RATES, cost: bool = True,
        broker_pids: Sequence[int] = (), labels: Mapping[str, str] | None = None,
        progress: Callable[[str], None] = lambda _m: None) -> SecurityFindings:
    """Matrices (Kafka, Kinesis), cost runs (unless cost=False) and effort, scrubbed of every secret."""
    run_dir, clients = require_secure(target)
    secrets = security.secret_values(clients)
    findings = SecurityFindings()
    began = time.monotonic()
    kafka_rows: list[Attempt] = kafka_matrix(target, clients, progress)
    findings.seconds["kafka_matrix"] = round(time.monotonic() - began, 1)
    began = time.monotonic()
    kinesis_rows: list[Attempt] = kinesis_matrix(clients["kinesis"], progress) if clients.get("kinesis") else []
    findings.seconds["kinesis_matrix"] = round(time.monotonic() - began, 1)
    findings.kafka = [r.row() for r in kafka_rows]
    findings.kinesis = [r.row() for r in kinesis_rows]
    if cost:
        began = time.monotonic()
        findings.cost = security_cost.measure(target, clients, rates, broker_pids=broker_pids, labels=labels,
                                              progress=progress)
        findings.seconds["cost"] = round(time.monotonic() - began, 1)
    findings.effort = security_effort.effort_table(run_dir, clients)
    for name in ("kafka", "kinesis", "cost", "effort"):
        setattr(findings, name, security.scrub_value(getattr(findings, name), secrets))
    return findings
