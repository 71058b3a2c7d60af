"""05_security: the authorisation matrices, the price of TLS and SASL, the set-up effort, and the documented table.

Live on the local stack in the secure profile (`stack up --security sasl_ssl`), `collect` runs the
security probe (probes/security.py): Kafka ACLs and Kinesis IAM (moto) matrices, PLAINTEXT/SSL/SASL_SSL
runs at two open-loop rates, and the effort counted from the generated files. On a plaintext stack it
measures nothing and says how to get the measurement. Scores come from the matrices, cost and effort
when they exist (self-managed Kafka measured, Kinesis emulated), else from the documented judgement;
MSK with IAM stays documented (not runnable here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from streamcompare import charts
from streamcompare.criteria.contract import OPTIONS, Chart, Context, Markdown, Score, Table, View, clamp, knob
from streamcompare.headlines import headline
from streamcompare.probes.authorization import matrix_table
from streamcompare.reference import comparison

NAME = "security"
TITLE = "Security and authorisation"
EXPERIMENTS = {"kafka": "security-kafka", "kinesis": "security-kinesis", "cost": "security-cost",
               "effort": "security-effort"}
RATES = (500, 2000)
HOW_TO_MEASURE = ("`streamcompare stack down`, then `streamcompare stack up --security sasl_ssl --brokers 1` and "
                  "run this page again (or `streamcompare probe security`)")


@dataclass(frozen=True)
class Knobs:
    has_kafka_security_skills: bool = knob(False, "the team already runs Kafka with TLS and SASL")
    msk_iam: bool = knob(True, "MSK with IAM access control")


@dataclass(frozen=True)
class Evidence:
    documented: pd.DataFrame
    documented_scores: dict[str, float]
    as_of: str
    kafka: list[dict[str, Any]] = field(default_factory=list)
    kinesis: list[dict[str, Any]] = field(default_factory=list)
    cost: list[dict[str, Any]] = field(default_factory=list)
    effort: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


def collect(ctx: Context) -> Evidence:
    """Live on a secure stack: run the probe and store its four tables; replay: that run's tables."""
    documented, judged, as_of = (comparison.table("security"), comparison.documented_scores("security"),
                                 comparison.as_of())
    if not ctx.live:
        found = {k: ctx.store.rows(ctx.run_id, name) for k, name in EXPERIMENTS.items()}
        note = "" if found["kafka"] else f"No security measurement stored for this run; to measure: {HOW_TO_MEASURE}."
        return Evidence(documented, judged, as_of, found["kafka"], found["kinesis"], found["cost"], found["effort"],
                        note)
    if ctx.target.security_profile != "sasl_ssl":
        return Evidence(documented, judged, as_of, note=f"The stack runs in the plaintext profile, so nothing was "
                                                        f"measured here. To measure: {HOW_TO_MEASURE}.")
    from streamcompare.probes import security as probe

    findings = probe.run(ctx.target, rates=RATES, labels={"report_run": ctx.run_id, "notebook": "05_security"})
    tables = {"kafka": findings.kafka, "kinesis": findings.kinesis, "cost": findings.cost, "effort": findings.effort}
    for key, rows in tables.items():
        evidence = "emulated" if key == "kinesis" else "measured"
        ctx.store.write_rows(ctx.run_id, EXPERIMENTS[key], rows, evidence=evidence, target=ctx.target,
                             settings={"rates": list(RATES)} if key == "cost" else None)
    return Evidence(documented, judged, as_of, findings.kafka, findings.kinesis, findings.cost, findings.effort)


# --- pure ---------------------------------------------------------------------------------------
def enforcement(rows: Sequence[Mapping[str, Any]]) -> float | None:
    """0..10: the share of tries whose outcome matched the rules (None without rows)."""
    return 10.0 * sum(bool(r["ok"]) for r in rows) / len(rows) if rows else None


def sasl_overhead(cost: Sequence[Mapping[str, Any]], metric: str = "e2e_p99_ms") -> tuple[float, int] | None:
    """SASL_SSL against PLAINTEXT at the highest measured rate: (relative overhead, rate)."""
    runs = {(r["rate"], r["listener"]): r for r in cost if r.get("kind") == "run"}
    rates = sorted({rate for rate, _ in runs})
    for rate in reversed(rates):
        plain, sasl = runs.get((rate, "PLAINTEXT")), runs.get((rate, "SASL_SSL"))
        if plain and sasl and plain.get(metric) and sasl.get(metric) is not None:
            return (float(sasl[metric]) - float(plain[metric])) / float(plain[metric]), int(rate)
    return None


def effort_row(effort: Sequence[Mapping[str, Any]], prefix: str) -> Mapping[str, Any] | None:
    return next((r for r in effort if str(r.get("option", "")).startswith(prefix)), None)


def scores(evidence: Evidence, knobs: Knobs) -> dict[str, Score]:
    """Measured when the probe ran: enforcement (share of matching tries) minus commands/8 (max 3, halved for a
    team that runs Kafka security) minus 1 for certificates to rotate, minus the SASL_SSL e2e p99 overhead
    (2 points per 100 %, max 2). Otherwise, and for MSK, the documented judgement."""
    out = _documented_scores(evidence, knobs)
    kafka_ok, kafka_effort = enforcement(evidence.kafka), effort_row(evidence.effort, "Kafka")
    if kafka_ok is not None and kafka_effort is not None:
        effort = min(3.0, float(kafka_effort["commands"]) / 8) * (0.5 if knobs.has_kafka_security_skills else 1)
        rotation = 1.0 if kafka_effort.get("certificates") else 0.0
        overhead = sasl_overhead(evidence.cost)
        price = min(2.0, max(0.0, overhead[0]) * 2) if overhead else 0.0
        why = (f"{kafka_ok:.1f} enforcement - {effort:.1f} for {kafka_effort['commands']} commands - {rotation:g} "
               f"for certificates to rotate" + (f" - {price:.1f} for +{overhead[0]:.0%} e2e p99 with SASL_SSL at "
                                               f"{overhead[1]}/s" if overhead else ""))
        out["kafka-self-managed"] = Score(clamp(kafka_ok - effort - rotation - price), "measured", why)
    kinesis_ok, kinesis_effort = enforcement(evidence.kinesis), effort_row(evidence.effort, "Kinesis")
    if kinesis_ok is not None and kinesis_effort is not None:
        effort = min(3.0, float(kinesis_effort["commands"]) / 8)
        out["kinesis"] = Score(clamp(kinesis_ok - effort), "emulated",
                               f"{kinesis_ok:.1f} enforcement on moto (action level; moto cannot scope to a stream "
                               f"ARN) - {effort:.1f} for {kinesis_effort['commands']} IAM commands; HTTPS always on")
    return out


def _documented_scores(evidence: Evidence, knobs: Knobs) -> dict[str, Score]:
    out = {}
    for option in OPTIONS:
        base = evidence.documented_scores["kafka-self-managed" if option == "msk" and not knobs.msk_iam else option]
        value, why = base, [f"documented judgement {base:g}"]
        if option != "kinesis" and knobs.has_kafka_security_skills:
            value += 2
            why.append("team runs Kafka security already (+2)")
        out[option] = Score(clamp(value), "documented", "; ".join(why))
    return out


def cost_frame(cost: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    runs = [r for r in cost if r.get("kind") == "run"]
    if not runs:
        return pd.DataFrame()
    return pd.DataFrame({
        "listener": [r["listener"] for r in runs], "rate (records/s)": [r["rate"] for r in runs],
        "publish p50 (ms)": [_round(r["publish_p50_ms"]) for r in runs],
        "publish p99 (ms)": [_round(r["publish_p99_ms"]) for r in runs],
        "e2e p50 (ms)": [_round(r["e2e_p50_ms"]) for r in runs],
        "e2e p99 (ms)": [_round(r["e2e_p99_ms"]) for r in runs],
        "producer CPU (µs/record)": [_round(r["producer_cpu_us_per_record"], 1) for r in runs],
        "consumer CPU (µs/record)": [_round(r["consumer_cpu_us_per_record"], 1) for r in runs],
        "broker CPU (µs/record)": [_round(r.get("broker_cpu_us_per_record"), 1) for r in runs]})


def cost_chart_data(cost: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    rows = [{"listener": r["listener"], "rate": r["rate"], "metric": label, "value_ms": r[key]}
            for r in cost if r.get("kind") == "run"
            for key, label in (("publish_p99_ms", "publish p99"), ("e2e_p99_ms", "e2e p99")) if r.get(key) is not None]
    return pd.DataFrame(rows)


def effort_frame(effort: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    columns = {"option": "option", "evidence": "evidence", "files": "files", "configuration_lines": "config lines",
               "configuration lines": "config lines", "secrets": "secrets", "certificates": "certificates",
               "certificate_expiry": "certificate expiry", "policies": "policies", "commands": "commands",
               "sources": "sources"}
    rows = []
    for r in effort:
        row: dict[str, Any] = {}
        for key, label in columns.items():
            if key in r:
                value = r[key]
                row[label] = ", ".join(map(str, value)) if isinstance(value, list) else value
        rows.append(row)
    return pd.DataFrame(rows).astype(object).fillna("")


def _round(value: Any, digits: int = 2) -> Any:
    return None if value is None else round(float(value), digits)


def view(evidence: Evidence, knobs: Knobs) -> View:
    blocks: list[Any] = []
    if evidence.note:
        blocks.append(Markdown(evidence.note))
    if evidence.kafka:
        blocks += [Markdown("## Kafka: who may do what (measured, SASL_SSL + ACLs)"),
                   Table(pd.DataFrame(matrix_table(evidence.kafka)),
                         "Each cell is what the broker answered; MISMATCH marks a try that broke the rules")]
    if evidence.kinesis:
        blocks += [Markdown("## Kinesis: the same tries under IAM (emulated on moto)"),
                   Table(pd.DataFrame(matrix_table(evidence.kinesis)),
                         "[AWS: ...] marks where AWS would answer otherwise: moto cannot scope a policy to a "
                         "stream ARN (such an Allow never matches), so the ARN-scoped users are denied everything")]
    frame = cost_frame(evidence.cost)
    if not frame.empty:
        connects = [r for r in evidence.cost if r.get("kind") == "connect"]
        blocks += [Markdown("## The price of security (measured, one cluster, same open-loop rate)"),
                   Chart(charts.security_cost(cost_chart_data(evidence.cost)), "p99 latency by listener and rate"),
                   Table(frame, "Client CPU: the producers' process (librdkafka's TLS included) and the consumers' "
                                "child process, per record sent"),
                   Table(pd.DataFrame({"listener": [c["listener"] for c in connects],
                                       "connect p50 (ms)": [_round(c["connect_ms_p50"], 1) for c in connects],
                                       "connect max (ms)": [_round(c["connect_ms_max"], 1) for c in connects]}),
                         "A fresh client's first metadata answer: TCP, TLS and SASL handshakes included"),
                   Markdown("Kinesis has no plaintext mode: HTTPS is always on and inside every Kinesis latency "
                            "the kit measures.")]
    if evidence.effort:
        blocks += [Markdown("## The effort (counted from what the kit generated; MSK IAM documented)"),
                   Table(effort_frame(evidence.effort), "Commands: what a person would run to do it by hand")]
    blocks += [Markdown("## Documented comparison"),
               Table(evidence.documented, f"Documented comparison (as of {evidence.as_of}); sources per row")]
    return View(tuple(blocks), verdict(evidence, knobs))


def verdict(evidence: Evidence, knobs: Knobs) -> str:
    text = ["**Verdict (security).** Kinesis needs only IAM policies; self-managed Kafka needs certificates, SASL "
            "users and ACLs, and their rotation; MSK with IAM access control closes most of that gap"
            + ("." if knobs.msk_iam else ", but without it MSK needs the same SASL/TLS set-up as self-managed Kafka.")]
    if evidence.kafka:
        bad = [r for r in evidence.kafka if not r["ok"]]
        text.append("On the local cluster every ACL held." if not bad else
                    f"On the local cluster {len(bad)} tries broke the rules: see the matrix.")
    overhead = sasl_overhead(evidence.cost)
    if overhead:
        text.append(f"SASL_SSL added {overhead[0]:+.0%} to e2e p99 at {overhead[1]} records/s against PLAINTEXT.")
    return " ".join(text)


def headlines(evidence: Evidence, knobs: Knobs) -> dict[str, dict[str, Any]]:
    ranked = scores(evidence, knobs)
    best = max(ranked.items(), key=lambda item: item[1].value)[0]
    out = {"best": headline(best, "", ranked[best].evidence, "simplest to secure")}
    overhead = sasl_overhead(evidence.cost)
    if overhead:
        out["sasl_overhead"] = headline(round(overhead[0] * 100, 1), "%", "measured",
                                        f"SASL_SSL e2e p99 vs PLAINTEXT at {overhead[1]}/s")
    return out
