"""Report settings: validated YAML in, clear errors out, and secrets kept out of everything written.

A config names the target (the local stack, a Kafka cluster, an AWS account), the mode (`live`
measures, `replay` re-renders stored results), the workload and where results and reports go.
`${NAME}` in any string is replaced by the environment variable NAME, so passwords can stay out of
the file. Secrets (SASL and key passwords, OAuth settings) are `SecretStr`: they print as `**********`,
`redacted()` masks them and `secrets()` lists their values for the report's final scrub. Notebooks
never receive them as parameters: they get the path of a 0600 target file (see `report_target`).
Relative paths are resolved against the project root (the checkout for editable installs).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from streamcompare.errors import ConfigError
from streamcompare.paths import data_dir, project_root
from streamcompare.secrets import is_sensitive, mask, secret_values
from streamcompare.target import Emulated, KafkaPart, KinesisPart, Target
from streamcompare.validation import config_error
from streamcompare.yamlio import non_finite, read_yaml

MASK = "***"
RESERVED_PARAMETERS = ("target_file", "workload", "results_dir", "run_id", "mode", "cost_scenario",
                       "choices_file")
"""Parameters the report sets for every notebook; overrides may not replace them."""
ALL_NOTEBOOKS = "*"
"""Key in `parameters` whose overrides apply to every notebook."""
AWS_SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID")
"""AWS credentials the kernel may inherit from the environment: scrubbed from reports as well."""
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


class KafkaSecurity(_Model):
    """librdkafka security settings, under their librdkafka names (as in the drivers' SECURITY_KEYS)."""

    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] | None = Field(
        None, alias="security.protocol")
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER", "GSSAPI"] | None = Field(
        None, alias="sasl.mechanism")
    sasl_username: str | None = Field(None, alias="sasl.username")
    sasl_password: SecretStr | None = Field(None, alias="sasl.password")
    ssl_ca_location: str | None = Field(None, alias="ssl.ca.location")
    ssl_certificate_location: str | None = Field(None, alias="ssl.certificate.location")
    ssl_key_location: str | None = Field(None, alias="ssl.key.location")
    ssl_key_password: SecretStr | None = Field(None, alias="ssl.key.password")
    ssl_endpoint_identification_algorithm: Literal["https", "none"] | None = Field(
        None, alias="ssl.endpoint.identification.algorithm")
    sasl_oauthbearer_config: SecretStr | None = Field(None, alias="sasl.oauthbearer.config")
    sasl_oauthbearer_method: Literal["default", "oidc"] | None = Field(None, alias="sasl.oauthbearer.method")
    sasl_oauthbearer_client_id: str | None = Field(None, alias="sasl.oauthbearer.client.id")
    sasl_oauthbearer_client_secret: SecretStr | None = Field(None, alias="sasl.oauthbearer.client.secret")
    sasl_oauthbearer_token_endpoint_url: str | None = Field(None, alias="sasl.oauthbearer.token.endpoint.url")
    sasl_oauthbearer_scope: str | None = Field(None, alias="sasl.oauthbearer.scope")
    sasl_oauthbearer_assertion_private_key_passphrase: SecretStr | None = Field(
        None, alias="sasl.oauthbearer.assertion.private.key.passphrase")
    sasl_oauthbearer_assertion_private_key_pem: SecretStr | None = Field(
        None, alias="sasl.oauthbearer.assertion.private.key.pem")
    ssl_key_pem: SecretStr | None = Field(None, alias="ssl.key.pem")
    ssl_certificate_pem: str | None = Field(None, alias="ssl.certificate.pem")
    ssl_keystore_location: str | None = Field(None, alias="ssl.keystore.location")
    ssl_keystore_password: SecretStr | None = Field(None, alias="ssl.keystore.password")
    sasl_jaas_config: SecretStr | None = Field(None, alias="sasl.jaas.config")

    @field_validator("sasl_jaas_config")
    @classmethod
    def _no_jaas(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            raise ValueError("sasl.jaas.config is a setting of the Java client; this kit uses librdkafka: give "
                             "sasl.username and sasl.password (PLAIN, SCRAM) or the sasl.oauthbearer.* settings")
        return value

    def client_settings(self) -> dict[str, str]:
        """The settings for the Kafka client, secrets revealed: only for the 0600 target file."""
        out = {}
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            if value is not None:
                out[info.alias or name] = value.get_secret_value() if isinstance(value, SecretStr) else value
        return out

    def secret_values(self) -> list[str]:
        """Every secret value held (each SecretStr field, and any setting librdkafka calls sensitive)."""
        values = [v.get_secret_value() for v in (getattr(self, n) for n in type(self).model_fields)
                  if isinstance(v, SecretStr)]
        return values + secret_values(self.client_settings())


class LocalTarget(_Model):
    brokers: int = Field(3, ge=1, le=9, description="Kafka nodes of the local stack (1 on a small machine)")


class KafkaTarget(_Model):
    bootstrap_servers: str = Field(min_length=1)
    security: KafkaSecurity = KafkaSecurity()


class AwsTarget(_Model):
    region: str = Field("us-east-1", pattern=r"^[a-z]{2}(-[a-z]+)+-\d+$")
    profile: str | None = None
    allow_create: bool = Field(False, description="let the kit create (and delete) its own test streams")


class TargetConfig(_Model):
    """`kind` picks the target; `kafka` (self-managed or MSK) and `aws` (Kinesis) may be combined."""

    kind: Literal["local", "kafka", "aws"] = "local"
    local: LocalTarget = LocalTarget()
    kafka: KafkaTarget | None = None
    aws: AwsTarget | None = None

    @model_validator(mode="after")
    def _sections_match_kind(self) -> TargetConfig:
        if self.kind == "kafka" and self.kafka is None:
            raise ValueError("kind 'kafka' needs a kafka section with bootstrap_servers")
        if self.kind == "aws" and self.aws is None:
            raise ValueError("kind 'aws' needs an aws section with region (and profile if not the default)")
        if self.kind == "local" and (self.kafka or self.aws):
            raise ValueError("the kafka and aws sections are used only with kind 'kafka' or 'aws'")
        return self

    def driver_target(self) -> Target:
        """The target the drivers take, secrets included. Local targets come from the running stack."""
        kafka = (KafkaPart(bootstrap=self.kafka.bootstrap_servers, security=self.kafka.security.client_settings())
                 if self.kafka is not None else None)
        kinesis = (KinesisPart(region=self.aws.region, profile=self.aws.profile, allow_create=self.aws.allow_create)
                   if self.aws is not None else None)
        return Target(kind=self.kind, kafka=kafka, kinesis=kinesis, emulated=Emulated(kafka=False, kinesis=False))

    def describe(self) -> str:
        """One line for people: where the report measured (no secrets)."""
        if self.kind == "local":
            return f"local stack ({self.local.brokers} Kafka node(s), kinesis-mock emulator)"
        parts = []
        if self.kafka is not None:
            protocol = self.kafka.security.security_protocol or "PLAINTEXT"
            parts.append(f"Kafka at {self.kafka.bootstrap_servers} ({protocol})")
        if self.aws is not None:
            profile = f", profile {self.aws.profile}" if self.aws.profile else ""
            parts.append(f"AWS {self.aws.region}{profile}")
        return "; ".join(parts)


class ReportConfig(_Model):
    """Everything `streamcompare report` needs; see data/report/default.yaml for a commented example."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)
    target: TargetConfig = TargetConfig()
    mode: Literal["live", "replay"] = "live"
    workload: Path = Field(Path("quick"), description="a name under data/workloads or a path to a YAML file")
    results_dir: Path = Path("data/results")
    reports_dir: Path = Path("reports")
    notebooks_dir: Path = Path("notebooks")
    notebooks: list[str] = Field(default_factory=list, description="names like 01_latency; empty: all")
    parameters: dict[str, dict[str, Any]] = Field(default_factory=dict)
    cost_scenario: Path = Path("data/scenarios/default.yaml")
    decision_file: Path | None = Field(None, description="the team's weights, scenario and must-haves for "
                                                         "00_decision; empty: data/decision/default.yaml")
    timeout_s: int = Field(1800, gt=0, description="time budget of each notebook, in seconds")
    replay_run: str = Field("", description="replay: the run id whose stored results are re-rendered")

    @field_validator("workload", mode="after")
    @classmethod
    def _resolve_workload(cls, value: Path, info: ValidationInfo) -> Path:
        base = _base_dir(info)
        if value.suffix == "" and len(value.parts) == 1:
            path = base / "data" / "workloads" / f"{value}.yaml"
        else:
            path = value if value.is_absolute() else base / value
        if not path.is_file():
            available = sorted(p.stem for p in (base / "data" / "workloads").glob("*.yaml"))
            raise ValueError(f"no workload file {path}; use a path or one of: {', '.join(available) or 'none'}")
        return path.resolve()

    @field_validator("cost_scenario", "decision_file", mode="after")
    @classmethod
    def _resolve_scenario(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None:
            return None
        path = value if value.is_absolute() else _base_dir(info) / value
        if not path.is_file():
            raise ValueError(f"no such file {path}")
        return path.resolve()

    @field_validator("results_dir", "reports_dir", "notebooks_dir", mode="after")
    @classmethod
    def _resolve_dir(cls, value: Path, info: ValidationInfo) -> Path:
        return (value if value.is_absolute() else _base_dir(info) / value).resolve()

    @field_validator("parameters", mode="after")
    @classmethod
    def _no_reserved_parameters(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for notebook, overrides in value.items():
            if bad := non_finite(overrides):
                raise ValueError(f"{notebook}.{bad} is not a finite number (NaN and infinity are not accepted)")
            clash = sorted(set(overrides) & set(RESERVED_PARAMETERS))
            if clash:
                raise ValueError(f"{notebook}: {', '.join(clash)} are set by the report itself; "
                                 f"reserved: {', '.join(RESERVED_PARAMETERS)}")
        return value

    def redacted(self) -> dict[str, Any]:
        """The config as plain JSON-able data with every secret replaced by `***`."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        security = (data["target"].get("kafka") or {}).get("security") or {}
        for name, info in KafkaSecurity.model_fields.items():
            alias = info.alias or name
            if security.get(alias) is not None and (info.annotation == SecretStr | None or is_sensitive(alias)):
                security[alias] = MASK
        return mask(data)

    def secrets(self) -> list[str]:
        """Secret values to keep out of every output: config secrets and AWS credentials in the environment."""
        found = self.target.kafka.security.secret_values() if self.target.kafka else []
        found += [os.environ[name] for name in AWS_SECRET_ENV if os.environ.get(name)]
        return sorted({s for s in found if s}, key=len, reverse=True)

    def overrides_for(self, notebook: str) -> dict[str, Any]:
        """Per-notebook parameter overrides: the `*` entry first, then the notebook's own."""
        return {**self.parameters.get(ALL_NOTEBOOKS, {}), **self.parameters.get(notebook, {})}

    def for_replay(self, results_dir: Path, run_id: str) -> ReportConfig:
        """The same config in replay mode, re-rendering run `run_id` stored in `results_dir`."""
        return self.model_copy(update={"mode": "replay", "results_dir": results_dir.resolve(), "replay_run": run_id})


def _base_dir(info: ValidationInfo) -> Path:
    context = info.context or {}
    return Path(context.get("base_dir") or project_root())


def default_config_path() -> Path:
    """data/report/default.yaml: a quick live run against the local stack."""
    return data_dir() / "report" / "default.yaml"


def load_config(path: Path | None = None, *, base_dir: Path | None = None) -> ReportConfig:
    """Read, expand `${ENV}` references and validate a report config; errors name the field and the fix."""
    path = path or default_config_path()
    raw = read_yaml(path, what="report config", field="config",
                    missing_fix="pass --config with an existing file, e.g. data/report/default.yaml")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a mapping of settings", field="config",
                          fix="start from data/report/default.yaml")
    return parse_config(expand_env(raw), base_dir=base_dir)


def parse_config(data: dict[str, Any], *, base_dir: Path | None = None) -> ReportConfig:
    """Validate already-loaded settings (no `${ENV}` expansion); ConfigError on the first problem."""
    try:
        return ReportConfig.model_validate(data, context={"base_dir": base_dir or project_root()})
    except ValidationError as exc:
        raise config_error(exc, ReportConfig, default_field="config",
                           default_fix="see data/report/default.yaml and data/report/example-msk.yaml for every "
                                       "setting") from None


def expand_env(value: Any, path: str = "") -> Any:
    """Replace `${NAME}` in every string with the environment variable NAME; unset names are errors."""
    if isinstance(value, dict):
        return {k: expand_env(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_env(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigError(f"environment variable {name} is not set", field=path or None,
                              fix=f"export {name}=... before running, or write the value in the config")
        return os.environ[name]

    return _ENV_REFERENCE.sub(substitute, value)
