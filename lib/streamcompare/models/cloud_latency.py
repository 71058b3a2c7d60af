"""Cloud latency, modelled from visible parameters; local measurements plug in where they exist.

Nothing here is measured in the cloud. Each component says where its number comes from: a
parameter (an assumption the user can change), a local measurement, or AWS's published table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from streamcompare.errors import ConfigError


@dataclass(frozen=True)
class CloudLatencyParameters:
    """Assumptions of the cloud model, each adjustable; defaults are typical, not measured here."""

    same_az_rtt_ms: float = 0.2
    cross_az_rtt_ms: float = 1.0
    client_to_kinesis_rtt_ms: float = 2.0
    kinesis_put_service_ms: float = 15.0
    """No official PutRecord latency exists; this is an assumption to replace with a measurement."""
    kafka_linger_ms: float = 5.0
    kafka_broker_ms: float = 1.0
    """Broker-side append and fetch handling; the local cluster's measurement is a better value."""
    kinesis_poll_interval_ms: float = 1000.0
    kinesis_consumers: int = 1
    efo: bool = False

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise ConfigError(f"must not be negative, got {value}", field=name, fix="give 0 or more")
        if self.kinesis_consumers < 1:
            raise ConfigError("must be at least 1", field="kinesis_consumers", fix="give 1 or more")


def kafka_components(p: CloudLatencyParameters, acks: str = "all") -> list[dict[str, object]]:
    """Publish: linger + a round trip to the leader (a cross-AZ 2/3 of the time over 3 AZs) + the
    follower round trip for acks=all; end-to-end adds the consumer's fetch of the committed record."""
    to_leader = (2 / 3) * p.cross_az_rtt_ms + (1 / 3) * p.same_az_rtt_ms
    rows = [("publish", "linger.ms", p.kafka_linger_ms, "parameter"),
            ("publish", "client to leader round trip", to_leader, "parameter"),
            ("publish", "broker handling", p.kafka_broker_ms, "parameter")]
    if acks == "all":
        rows.append(("publish", "replication to followers (cross-AZ)", p.cross_az_rtt_ms, "parameter"))
    rows.append(("end-to-end", "consumer fetch (long poll returns on data)", to_leader, "parameter"))
    return [{"system": "kafka", "stage": s, "component": c, "ms": ms, "source": src} for s, c, ms, src in rows]


def kinesis_components(p: CloudLatencyParameters) -> list[dict[str, object]]:
    """Publish: a round trip to the regional endpoint + service time (an assumption: AWS publishes none;
    it replicates synchronously to three AZs). End-to-end adds the wait for the next poll, or EFO push."""
    rows = [("publish", "client to Kinesis endpoint round trip", p.client_to_kinesis_rtt_ms, "parameter"),
            ("publish", "service time incl. 3-AZ replication (assumed)", p.kinesis_put_service_ms, "parameter")]
    if p.efo:
        rows.append(("end-to-end", "enhanced fan-out push (AWS average 70 ms incl. publish)", 70.0, "published"))
    else:
        # 5 GetRecords calls/s per shard are shared: with n consumers each polls no faster than n/5 s.
        interval = max(p.kinesis_poll_interval_ms, 200.0 * p.kinesis_consumers)
        rows.append(("end-to-end", f"polling wait (half of a {interval:.0f} ms interval)", interval / 2, "parameter"))
        rows.append(("end-to-end", "GetRecords round trip", p.client_to_kinesis_rtt_ms, "parameter"))
    return [{"system": "kinesis", "stage": s, "component": c, "ms": ms, "source": src} for s, c, ms, src in rows]


def model_frame(p: CloudLatencyParameters, kafka_acks: str = "all") -> pd.DataFrame:
    """Every modelled component, one row each, with where its number comes from."""
    return pd.DataFrame(kafka_components(p, kafka_acks) + kinesis_components(p))


def model_totals(p: CloudLatencyParameters, kafka_acks: str = "all") -> pd.DataFrame:
    """Modelled publish and end-to-end latency per system (end-to-end includes publish)."""
    frame = model_frame(p, kafka_acks)
    rows = []
    for system, part in frame.groupby("system"):
        publish = float(part.loc[part.stage == "publish", "ms"].sum())
        e2e_extra = part.loc[part.stage == "end-to-end"]
        published_efo = (e2e_extra.source == "published").any()
        e2e = float(e2e_extra.ms.sum()) if published_efo else publish + float(e2e_extra.ms.sum())
        rows += [{"system": system, "metric": "publish", "ms": publish, "kind": "modelled"},
                 {"system": system, "metric": "end-to-end", "ms": e2e, "kind": "modelled"}]
    return pd.DataFrame(rows)
