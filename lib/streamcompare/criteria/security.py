"""05_security: authentication, authorisation, encryption and audit on each side (documented, sourced)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from streamcompare.criteria.contract import OPTIONS, Context, Markdown, Score, Table, View, clamp, knob
from streamcompare.headlines import headline
from streamcompare.reference import comparison

NAME = "security"
TITLE = "Security and authorisation"


@dataclass(frozen=True)
class Knobs:
    has_kafka_security_skills: bool = knob(False, "the team already runs Kafka with TLS and SASL")
    msk_iam: bool = knob(True, "MSK with IAM access control")


@dataclass(frozen=True)
class Evidence:
    documented: pd.DataFrame
    documented_scores: dict[str, float]
    as_of: str


def collect(ctx: Context) -> Evidence:
    return Evidence(comparison.table("security"), comparison.documented_scores("security"), comparison.as_of())


def view(evidence: Evidence, knobs: Knobs) -> View:
    return View((Markdown("## Documented comparison"),
                 Table(evidence.documented, f"Documented comparison (as of {evidence.as_of}); sources per row")),
                verdict(evidence, knobs))


def verdict(evidence: Evidence, knobs: Knobs) -> str:
    return ("**Verdict (security).** Kinesis needs only IAM policies; self-managed Kafka needs certificates, SASL "
            "users and ACLs, and their rotation; MSK with IAM access control closes most of that gap"
            + ("." if knobs.msk_iam else ", but without it MSK needs the same SASL/TLS set-up as self-managed Kafka."))


def scores(evidence: Evidence, knobs: Knobs) -> dict[str, Score]:
    """Documented judgement; +2 for Kafka options when the team already runs Kafka security; MSK without IAM
    access control takes self-managed Kafka's score."""
    out = {}
    for option in OPTIONS:
        base = evidence.documented_scores["kafka-self-managed" if option == "msk" and not knobs.msk_iam else option]
        value, why = base, [f"documented judgement {base:g}"]
        if option != "kinesis" and knobs.has_kafka_security_skills:
            value += 2
            why.append("team runs Kafka security already (+2)")
        out[option] = Score(clamp(value), "documented", "; ".join(why))
    return out


def headlines(evidence: Evidence, knobs: Knobs) -> dict[str, dict[str, Any]]:
    best = max(scores(evidence, knobs).items(), key=lambda item: item[1].value)[0]
    return {"best": headline(best, "", "documented", "simplest to secure")}
