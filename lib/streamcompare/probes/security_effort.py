"""The effort of securing each option, counted from what the kit generated (and, for MSK IAM, documented).

Kafka (self-managed, counted in <run dir>/security and the nodes' server.properties): files,
security configuration lines, secrets, private keys, certificates with their expiry dates, and the
commands a person would run to do by hand what `stack up --security sasl_ssl` did. Kinesis (counted
from the IAM users and policies the kit created on moto): policies, their lines, access keys. MSK
with IAM access control is not runnable here: its row is documented, with the sources.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from streamcompare.stack import security

SECURE_KEYS = ("listeners", "advertised.listeners", "listener.", "controller.listener.names",
               "inter.broker.listener.name", "sasl.", "ssl.", "authorizer.", "allow.everyone", "super.users")

MSK_IAM_DOCUMENTED: dict[str, Any] = {
    "option": "MSK with IAM access control", "evidence": "documented",
    "files": "0 on brokers (AWS runs them); client: an IAM role or profile",
    "configuration lines": "cluster: client authentication IAM enabled (1 setting); client: 4 "
                           "(security.protocol=SASL_SSL, sasl.mechanism=OAUTHBEARER or AWS_MSK_IAM, "
                           "a token provider, bootstrap on port 9098)",
    "secrets": "0 long-lived (temporary IAM credentials of the role)",
    "certificates": "0 to manage (AWS-managed TLS on port 9098)",
    "policies": "1 per application: kafka-cluster:Connect plus WriteData / ReadData, DescribeTopic, "
                "AlterGroup, DescribeGroup on topic/group ARNs",
    "commands": "create the cluster with IAM auth; one policy per role; add the signer library to each client "
                "(Java aws-msk-iam-auth; Python aws-msk-iam-sasl-signer-python for librdkafka's OAUTHBEARER)",
    "sources": "Amazon MSK developer guide, 'IAM access control' "
               "(https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html) and "
               "'Create authorization policies'; github.com/aws/aws-msk-iam-sasl-signer-python",
}


def _security_lines(properties: str) -> list[str]:
    return [line for line in properties.splitlines() if line.startswith(SECURE_KEYS)]


def kafka_effort(run_dir: Path, clients: Mapping[str, Any]) -> dict[str, Any]:
    """Counts from the secure stack's run directory (no secret values, only how many)."""
    root = run_dir / security.SECURITY_DIR
    configs = sorted((run_dir / "kafka").glob("node-*/server.properties"))
    lines_per_node = [len(_security_lines(p.read_text())) for p in configs]
    certificates = json.loads((root / "certificates.json").read_text())
    files = sorted(p.name for p in root.iterdir() if p.is_file())
    principals = clients["kafka_principals"]
    users = [p for p in principals if p.get("sasl_username")]
    acls = sum(len(p.get("acls", [])) for p in principals)
    secrets = security.secret_values({"kafka": principals, "ssl": clients["ssl_client"],
                                      "brokers": clients.get("brokers", {})})
    nodes = len(configs)
    commands = {
        "create the CA (openssl req -x509)": 1,
        "issue a node certificate and build its keystore (openssl + keytool / openssl pkcs12)": nodes,
        "issue the SSL client certificate": 1,
        "format storage with the admin's SCRAM credential (kafka-storage.sh format --add-scram)": nodes,
        "start each node": nodes,
        "create a SCRAM user (kafka-configs.sh --alter --add-config SCRAM-SHA-512=...)": len(users) - 1,
        "add ACLs (kafka-acls.sh --add, one per principal and resource pattern)": _acl_commands(principals),
        "hand each client its properties, CA and password": len(users) + 1,
    }
    expiries = sorted({c["not_after"][:10] for c in certificates})
    return {
        "option": "Kafka self-managed (SASL_SSL + ACLs)", "evidence": "measured",
        "files": len(files) + len(configs), "file_names": files + [f"kafka/{p.parent.name}/server.properties"
                                                                   for p in configs],
        "configuration_lines": sum(lines_per_node), "configuration_lines_per_node": lines_per_node[0] if
        lines_per_node else 0, "plaintext_lines_per_node": len(security.PLAINTEXT_LISTENER_LINES),
        "secrets": len(secrets), "private_keys": nodes + 2,
        "certificates": len(certificates), "certificate_expiry": expiries,
        "sasl_users": len(users), "acls": acls, "commands": sum(commands.values()), "command_list": commands,
        "rotation": "passwords and certificates have no automatic rotation; leaf certificates expire "
                    f"{expiries[0] if expiries else '?'}",
    }


def _acl_commands(principals: list[Mapping[str, Any]]) -> int:
    """kafka-acls.sh takes several --operation flags per call: one call per (principal, resource pattern)."""
    patterns = set()
    for p in principals:
        for acl in p.get("acls", []):
            _op, kind, name = acl.split(" ", 2)
            patterns.add((p["name"], kind, name))
    return len(patterns)


def kinesis_effort(iam_clients: Mapping[str, Any]) -> dict[str, Any]:
    """Counts from the IAM users and policies the kit generated (least privilege, ARN-scoped variants)."""
    users = [u for u in iam_clients.get("users", []) if u.get("policy_scope") == "arn" or u["role"] in (
        "admin", "outsider")]
    policies = [u["policy"] for u in users if u.get("policy")]
    lines = sum(len(json.dumps(p, indent=2).splitlines()) for p in policies)
    granted = [u for u in users if u.get("policy")]
    commands = {"aws iam create-user / create-role": len(granted),
                "aws iam put-user-policy (or attach a managed policy)": len(policies),
                "aws iam create-access-key (or use the role's temporary credentials)": len(granted)}
    return {
        "option": "Kinesis (IAM)", "evidence": "measured (policies generated by the kit; enforced by moto)",
        "files": len(policies), "configuration_lines": lines, "policies": len(policies),
        "secrets": len(granted), "certificates": 0, "certificate_expiry": [],
        "commands": sum(commands.values()), "command_list": commands,
        "rotation": "access keys rotate through IAM; roles use temporary credentials (no long-lived secret)",
    }


def effort_table(run_dir: Path, clients: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per option, for people: the measured counts and the documented MSK IAM row."""
    kafka = kafka_effort(run_dir, clients)
    rows = [kafka]
    if clients.get("kinesis"):
        rows.append(kinesis_effort(clients["kinesis"]))
    rows.append(MSK_IAM_DOCUMENTED)
    return rows
