"""The one target type: where the kit measures, as a frozen typed value.

    Target.from_json(data)   from the 0600 target file (or any legacy target dict; unknown keys kept in `options`)
    target.to_json()         the same flat JSON form, secrets included: only for the 0600 target file
    target.public()          that form with every secret masked: for logs and result files
    load_target(path)        read a target file

A `Target` has a Kafka part (bootstrap, security settings, brokers, listeners, version), a Kinesis
part (endpoint, emulator endpoint, fidelity-layer limits, IAM endpoint, region, profile, AWS opt-in,
version), its `kind` (local, kafka, aws), which systems are `emulated`, and whether it is a `replay`
target (no connection at all). The file format is the flat dict the kit always wrote (`kafka_bootstrap`,
`kinesis_endpoint`, ...), so old target files read as they are. `repr` masks secrets.

A new setting: add a field to the part it belongs to (with a default), read and write it in that part's
`_from_json` / `_to_json` under its JSON key, and read it as `target.kafka.<field>` or
`target.kinesis.<field>`. A plugged-in driver's own settings need no field: they stay in `options`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

from streamcompare.errors import ConfigError
from streamcompare.secrets import mask

Kind = Literal["local", "kafka", "aws"]
KINDS: tuple[Kind, ...] = ("local", "kafka", "aws")
TARGET_FILE = "target.json"
DEFAULT_REGION = "us-east-1"
_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value)) if value else _EMPTY


@dataclass(frozen=True, repr=False)
class KafkaPart:
    """A Kafka cluster: bootstrap servers and librdkafka security settings (secrets revealed)."""

    bootstrap: str = ""
    security: Mapping[str, str] = field(default_factory=dict)
    """librdkafka names (security.protocol, sasl.username, sasl.password, ...)."""
    brokers: int | None = None
    listeners: Mapping[str, str] = field(default_factory=dict)
    """Secure local stack: bootstrap per listener kind (SASL_SSL, SSL, PLAINTEXT)."""
    version: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "security", _frozen(self.security))
        object.__setattr__(self, "listeners", _frozen(self.listeners))

    def __reduce__(self) -> tuple[Any, ...]:  # mappingproxy does not pickle; a child process gets a target
        return (KafkaPart, (self.bootstrap, dict(self.security), self.brokers, dict(self.listeners), self.version))

    def client_settings(self) -> dict[str, str]:
        """bootstrap.servers plus the security settings, as librdkafka takes them."""
        return {"bootstrap.servers": self.bootstrap, **self.security}

    def __repr__(self) -> str:
        return (f"KafkaPart(bootstrap={self.bootstrap!r}, security={mask(dict(self.security))!r}, "
                f"brokers={self.brokers!r}, listeners={dict(self.listeners)!r}, version={self.version!r})")

    @classmethod
    def _from_json(cls, data: Mapping[str, Any]) -> KafkaPart | None:
        keys = ("kafka_bootstrap", "kafka_security", "kafka_listeners", "kafka_version", "brokers")
        if not any(data.get(k) for k in keys):
            return None
        brokers = data.get("brokers")
        return cls(bootstrap=str(data.get("kafka_bootstrap") or ""),
                   security={str(k): v for k, v in (data.get("kafka_security") or {}).items()},
                   brokers=int(brokers) if brokers is not None else None,
                   listeners={str(k): str(v) for k, v in (data.get("kafka_listeners") or {}).items()},
                   version=data.get("kafka_version"))

    def _to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kafka_bootstrap": self.bootstrap or None, "kafka_security": dict(self.security) or None,
                               "kafka_listeners": dict(self.listeners) or None, "kafka_version": self.version,
                               "brokers": self.brokers}
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class KinesisPart:
    """A Kinesis endpoint: the local emulator (through the fidelity layer) or an AWS region."""

    endpoint: str | None = None
    """Where clients connect: the fidelity layer locally when limits are on; None: AWS's own endpoint."""
    emulator_endpoint: str | None = None
    """kinesis-mock itself (local stack)."""
    limits: Mapping[str, Any] | None = None
    """The fidelity layer's settings (None: clients reach the bare emulator)."""
    iam_endpoint: str | None = None
    """Secure local stack: the IAM-enforcing HTTPS endpoint."""
    region: str = DEFAULT_REGION
    profile: str | None = None
    allow_create: bool = False
    """AWS: the user's opt-in to create (and delete) the kit's own test streams."""
    version: str | None = None
    backend: str | None = None
    """Local stack: which emulator answers behind the fidelity layer (ministack, kinesis-mock, moto)."""

    def __post_init__(self) -> None:
        if self.limits is not None:
            object.__setattr__(self, "limits", _frozen(self.limits))

    def __reduce__(self) -> tuple[Any, ...]:
        return (KinesisPart, (self.endpoint, self.emulator_endpoint, dict(self.limits) if self.limits else None,
                              self.iam_endpoint, self.region, self.profile, self.allow_create, self.version,
                              self.backend))

    @classmethod
    def _from_json(cls, data: Mapping[str, Any]) -> KinesisPart | None:
        keys = ("kinesis_endpoint", "kinesis_emulator_endpoint", "kinesis_limits", "kinesis_iam_endpoint", "region",
                "profile", "allow_create", "kinesis_version", "kinesis_backend")
        if not any(k in data for k in keys):
            return None
        return cls(endpoint=data.get("kinesis_endpoint") or None,
                   emulator_endpoint=data.get("kinesis_emulator_endpoint") or None,
                   limits=data.get("kinesis_limits") or None, iam_endpoint=data.get("kinesis_iam_endpoint") or None,
                   region=str(data.get("region") or DEFAULT_REGION), profile=data.get("profile") or None,
                   allow_create=bool(data.get("allow_create")), version=data.get("kinesis_version"),
                   backend=data.get("kinesis_backend") or None)

    def _to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kinesis_endpoint": self.endpoint, "kinesis_emulator_endpoint": self.emulator_endpoint,
                               "kinesis_limits": dict(self.limits) if self.limits else None,
                               "kinesis_iam_endpoint": self.iam_endpoint, "region": self.region,
                               "profile": self.profile, "allow_create": self.allow_create or None,
                               "kinesis_version": self.version, "kinesis_backend": self.backend}
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class Emulated:
    """Which systems of the target are emulators (their figures are not the real service's)."""

    kafka: bool = False
    kinesis: bool = False

    def of(self, system: str) -> bool:
        """True when `system` ("kafka", "kinesis", or a driver name containing one) is emulated here."""
        name = system.lower()
        return (self.kafka and "kafka" in name) or (self.kinesis and "kinesis" in name)


@dataclass(frozen=True, repr=False)
class Target:
    """Where the kit measures. Frozen; build variants with `dataclasses.replace` or `with_kafka`/`with_kinesis`."""

    kind: Kind = "local"
    kafka: KafkaPart | None = None
    kinesis: KinesisPart | None = None
    emulated: Emulated = Emulated()
    replay: bool = False
    """A replay target: the report re-renders stored results and connects to nothing."""
    description: str | None = None
    security_profile: str | None = None
    """The local stack's security profile: plaintext or sasl_ssl (stack/security.py)."""
    security_file: str | None = None
    """Secure local stack: the 0600 clients.json with the principals' credentials."""
    run_dir: str | None = None
    """Local stack: its run directory (the stream ledger lives there)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Settings of a plugged-in driver the kit does not know (kept as given, written back as given)."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(f"unknown target kind {self.kind!r}", field="target.kind",
                              fix=f"use one of: {', '.join(KINDS)}")
        object.__setattr__(self, "options", _frozen(self.options))

    def __reduce__(self) -> tuple[Any, ...]:
        return (Target.from_json, (self.to_json(),))

    @property
    def local(self) -> bool:
        return self.kind == "local"

    def need_kafka(self) -> KafkaPart:
        """The Kafka part, or a ConfigError saying how to get one."""
        if self.kafka is None or not self.kafka.bootstrap:
            raise ConfigError("the target has no Kafka cluster", field="target.kafka_bootstrap",
                              fix="start the local stack (`streamcompare stack up`) or set kafka.bootstrap_servers")
        return self.kafka

    def need_kinesis(self) -> KinesisPart:
        """The Kinesis part with an endpoint, or a ConfigError saying how to get one."""
        if self.kinesis is None or not self.kinesis.endpoint:
            raise ConfigError("the target has no Kinesis endpoint", field="target.kinesis_endpoint",
                              fix="start the local stack (`streamcompare stack up`)")
        return self.kinesis

    def with_kafka(self, **changes: Any) -> Target:
        """A copy whose Kafka part has `changes` (a Kafka part is created if there was none)."""
        return dataclasses.replace(self, kafka=dataclasses.replace(self.kafka or KafkaPart(), **changes))

    def with_kinesis(self, **changes: Any) -> Target:
        """A copy whose Kinesis part has `changes` (a Kinesis part is created if there was none)."""
        return dataclasses.replace(self, kinesis=dataclasses.replace(self.kinesis or KinesisPart(), **changes))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Target:
        """A target from its flat JSON form (the target file; every older target dict reads too)."""
        if isinstance(data, Target):
            return data
        if not isinstance(data, Mapping):
            raise ConfigError(f"a target must be a JSON object, not {type(data).__name__}", field="target_file",
                              fix="point target_file at a file written by `streamcompare report`")
        kind = str(data.get("kind") or "local")
        kinesis = KinesisPart._from_json(data)
        flags = data.get("emulator")
        if isinstance(flags, Mapping):
            emulated = Emulated(kafka=bool(flags.get("kafka")), kinesis=bool(flags.get("kinesis")))
        elif flags is not None:
            emulated = Emulated(kafka=bool(flags), kinesis=bool(flags))
        else:  # not said: a local Kinesis is kinesis-mock, and so is an endpoint naming a mock
            endpoint = str(data.get("kinesis_endpoint") or data.get("endpoint_url") or data.get("endpoint") or "")
            emulated = Emulated(kinesis=kind == "local" or "mock" in endpoint.lower())
        return cls(kind=cast(Kind, kind), kafka=KafkaPart._from_json(data), kinesis=kinesis, emulated=emulated,
                   replay=bool(data.get("replay")), description=data.get("description"),
                   security_profile=data.get("security"), security_file=data.get("security_file"),
                   run_dir=str(data["run_dir"]) if data.get("run_dir") else None,
                   options={k: v for k, v in data.items() if k not in _KNOWN})

    def to_json(self) -> dict[str, Any]:
        """The flat JSON form, secrets revealed: write it only to the 0600 target file."""
        out: dict[str, Any] = {"kind": self.kind, **(self.kafka._to_json() if self.kafka else {}),
                               **(self.kinesis._to_json() if self.kinesis else {}),
                               "emulator": {"kafka": self.emulated.kafka, "kinesis": self.emulated.kinesis}}
        extra = {"replay": self.replay or None, "description": self.description, "security": self.security_profile,
                 "security_file": self.security_file, "run_dir": self.run_dir}
        out.update({k: v for k, v in extra.items() if v is not None})
        out.update(self.options)
        return out

    def public(self) -> dict[str, Any]:
        """`to_json` with every setting that can carry a secret masked (secrets.py): safe to log or store."""
        return cast(dict[str, Any], mask(self.to_json()))

    def __repr__(self) -> str:
        return f"Target({self.public()!r})"


_KNOWN = frozenset({"kind", "kafka_bootstrap", "kafka_security", "kafka_listeners", "kafka_version", "brokers",
                    "kinesis_endpoint", "kinesis_emulator_endpoint", "kinesis_limits", "kinesis_iam_endpoint",
                    "region", "profile", "allow_create", "kinesis_version", "kinesis_backend", "emulator", "replay",
                    "description", "security", "security_file", "run_dir"})


def load_target(target_file: str | Path) -> Target:
    """The target, from the file the report passed as `target_file`."""
    path = Path(target_file)
    if not path.is_file():
        raise ConfigError(f"no target file {path}", field="target_file",
                          fix="run notebooks through `streamcompare report`, or point target_file at a JSON "
                              "target such as the one `streamcompare stack status` describes")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ConfigError(f"{path} is not JSON ({exc})", field="target_file",
                          fix="point target_file at a file written by `streamcompare report`") from None
    return Target.from_json(data)
