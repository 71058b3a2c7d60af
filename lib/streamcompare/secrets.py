"""Which client settings can carry a secret: derived from the clients' own lists, not a short regex.

- librdkafka marks its sensitive properties with `_RK_SENSITIVE` in src/rdkafka_conf.c (read from
  confluentinc/librdkafka master, 2026-07): their values are redacted in its own config dumps.
- The Java Kafka client's password-typed settings (ConfigDef.Type.PASSWORD: SaslConfigs, SslConfigs),
  which MSK and Confluent examples put in the same files.
- botocore's credential names (credentials.py, configprovider.py) and the STS/boto3 spellings.
A name not listed is still treated as secret when it looks like one (`SECRET_NAME`), as a backstop.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

LIBRDKAFKA_SENSITIVE = frozenset({
    "sasl.username", "sasl.password",
    "sasl.oauthbearer.config", "sasl.oauthbearer.client.secret",
    "sasl.oauthbearer.assertion.private.key.file", "sasl.oauthbearer.assertion.private.key.passphrase",
    "sasl.oauthbearer.assertion.private.key.pem",
    "ssl.key.location", "ssl.key.password", "ssl.key.pem", "ssl_key", "ssl.ca.pem", "ssl_ca",
    "ssl.keystore.password",
})
JAVA_KAFKA_SENSITIVE = frozenset({
    "sasl.jaas.config", "ssl.key.password", "ssl.keystore.password", "ssl.keystore.key",
    "ssl.truststore.password", "sasl.oauthbearer.client.secret",
})
BOTOCORE_SENSITIVE = frozenset({
    "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_security_token",
    "AccessKeyId", "SecretAccessKey", "SessionToken", "secret_key", "access_key", "token",
})
SHOWN = frozenset({"sasl.username"})
"""librdkafka flags the user name too; the kit shows it (it says who measured, and scrubbing a short
word like `admin` from every file of a report would corrupt the report)."""
SENSITIVE = (LIBRDKAFKA_SENSITIVE | JAVA_KAFKA_SENSITIVE | BOTOCORE_SENSITIVE) - SHOWN
SECRET_NAME = re.compile(r"pass(word|phrase)?|secret|token|credential|private|jaas|(^|[._])key($|[._])|api_?key|"
                         r"access_?key|session|\.pem$|keystore|truststore", re.IGNORECASE)
MASK = "***"


def is_sensitive(name: str) -> bool:
    """True for a setting whose value may be a secret (by the clients' lists, else by its name)."""
    if name in SHOWN:
        return False
    return name in SENSITIVE or name.lower() in {s.lower() for s in SENSITIVE} or bool(SECRET_NAME.search(name))


def mask(value: Any, key: str = "") -> Any:
    """A copy with the value of every sensitive key (at any depth) replaced by `***`."""
    if isinstance(value, Mapping):
        return {str(k): mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v, key) for v in value]
    if key and is_sensitive(key) and value not in (None, "", False):
        return MASK
    return value


def secret_values(value: Any, key: str = "") -> list[str]:
    """Every string held under a sensitive key (at any depth): what a final scrub must remove."""
    if isinstance(value, Mapping):
        return [s for k, v in value.items() for s in secret_values(v, str(k))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in secret_values(v, key)]
    if key and is_sensitive(key) and isinstance(value, str) and value:
        return [value]
    return []
