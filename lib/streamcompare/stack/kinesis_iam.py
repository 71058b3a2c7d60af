"""An IAM-enforcing Kinesis endpoint for the secure profile: moto's server over HTTPS, users and policies.

kinesis-mock checks no signature and no IAM (FACTS.md), so the authorisation matrix runs against
moto (`moto[server]`), started by the stack as its own process (stopped by pid) and served over
HTTPS with a certificate from the stack's CA. The kit creates, while moto's authentication is still
off, two streams (`orders` allowed, `payroll` denied), IAM users with access keys and generated
least-privilege policies per role; then it sets moto's INITIAL_NO_AUTH_ACTION_COUNT to 0 through
`/moto-api/reset-auth`, and every later call is authenticated (SigV4) and authorised.

moto is coarser than AWS (checked by the probe, see probes/authorization.py): it authorises every
non-S3 action against the resource "*", so a policy whose Resource is a stream ARN never matches and
denies everything. Each role therefore gets two users: one with the ARN-scoped policy the kit would
deploy in AWS (`<role>-arn`), one with the same actions on Resource "*" (`<role>`), which is the
finest grain moto can enforce (action level).
"""

from __future__ import annotations

import json
import ssl
import sys
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from streamcompare.errors import PrerequisiteError
from streamcompare.stack import process

ACCOUNT = "123456789012"
"""moto's default account id."""
REGION = "us-east-1"
ALLOWED_STREAM = "orders"
DENIED_STREAM = "payroll"
ROLE_ACTIONS: dict[str, tuple[str, ...]] = {
    "producer": ("kinesis:PutRecord", "kinesis:PutRecords"),
    "consumer": ("kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards",
                 "kinesis:DescribeStream", "kinesis:DescribeStreamSummary"),
    "admin": ("kinesis:*", "iam:*"),
    "outsider": (),
}
"""Least privilege per role: the producer writes, the consumer reads, the admin manages; the outsider has nothing."""


def stream_arn(name: str) -> str:
    return f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{name}"


def policy(role: str, scope: str) -> dict[str, Any] | None:
    """The IAM policy document of a role; scope "arn" (as deployed in AWS) or "any" (Resource "*", for moto)."""
    actions = ROLE_ACTIONS[role]
    if not actions:
        return None
    resource: str | list[str] = "*" if role == "admin" or scope == "any" else stream_arn(ALLOWED_STREAM)
    return {"Version": "2012-10-17",
            "Statement": [{"Sid": f"streamcompare{role.capitalize()}", "Effect": "Allow",
                           "Action": list(actions), "Resource": resource}]}


def users() -> list[tuple[str, str, str]]:
    """(user name, role, policy scope) of every IAM user the kit creates."""
    out = [("sc-admin", "admin", "any"), ("sc-outsider", "outsider", "any")]
    for role in ("producer", "consumer"):
        out += [(f"sc-{role}", role, "any"), (f"sc-{role}-arn", role, "arn")]
    return out


def moto_available() -> None:
    try:
        import moto.server  # noqa: F401
    except ImportError:
        raise PrerequisiteError("the secure profile's Kinesis endpoint needs moto's server",
                                fix="pip install 'moto[server]>=5.0' (it is in the kit's dev extras: "
                                    "pip install -e '.[dev]')") from None


def start(home: Path, port: int, cert: Path, key: Path) -> process.ProcessRecord:
    """moto's server on https://127.0.0.1:port; authentication off until `enforce` is called."""
    moto_available()
    home.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port),
            "--ssl-cert", str(cert), "--ssl-key", str(key)]
    env = {"INITIAL_NO_AUTH_ACTION_COUNT": "inf", "MOTO_DISABLE_USAGE_LOGGING": "1"}
    return process.start("moto-iam", argv, log=home / "moto.log", pid_file=home / "moto.pid", env=env)


def _post(endpoint: str, path: str, body: bytes, ca: Path) -> dict[str, Any]:
    context = ssl.create_default_context(cafile=str(ca))
    request = urllib.request.Request(endpoint.rstrip("/") + path, data=body, method="POST",
                                     headers={"Content-Type": "text/plain"})  # a form type would eat the body
    with urllib.request.urlopen(request, timeout=5, context=context) as response:
        return dict(json.loads(response.read() or b"{}"))


def answers(endpoint: str, ca: Path) -> bool:
    """Ready means moto's own API answers over HTTPS with the stack's CA."""
    context = ssl.create_default_context(cafile=str(ca))
    with urllib.request.urlopen(endpoint.rstrip("/") + "/moto-api/data.json", timeout=3, context=context):
        return True


def enforce(endpoint: str, ca: Path, after: int = 0) -> None:
    """Set INITIAL_NO_AUTH_ACTION_COUNT: from the `after`-th next call on, every call is checked."""
    _post(endpoint, "/moto-api/reset-auth", str(after).encode(), ca)


def client(service: str, endpoint: str, ca: Path | str | bool, access_key: str, secret_key: str,
           retries: int = 1) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id=access_key,
                        aws_secret_access_key=secret_key, verify=str(ca) if isinstance(ca, Path) else ca,
                        config=Config(retries={"max_attempts": retries, "mode": "standard"},
                                      connect_timeout=5, read_timeout=10))


def provision(endpoint: str, ca: Path) -> dict[str, Any]:
    """Create streams, users, policies and access keys (authentication still off); returns what clients need."""
    setup = client("kinesis", endpoint, ca, "setup", "setup")
    for name in (ALLOWED_STREAM, DENIED_STREAM):
        setup.create_stream(StreamName=name, ShardCount=1)
        setup.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        setup.put_record(StreamName=name, Data=b"seed", PartitionKey="seed")
    iam = client("iam", endpoint, ca, "setup", "setup")
    people: list[dict[str, Any]] = []
    for user, role, scope in users():
        iam.create_user(UserName=user)
        document = policy(role, scope)
        if document is not None:
            iam.put_user_policy(UserName=user, PolicyName=f"streamcompare-{role}-{scope}",
                                PolicyDocument=json.dumps(document))
        key = iam.create_access_key(UserName=user)["AccessKey"]
        people.append({"user": user, "role": role, "policy_scope": scope, "policy": document,
                       "access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]})
    return {"endpoint": endpoint, "region": REGION, "account": ACCOUNT, "ca_file": str(ca),
            "allowed_stream": ALLOWED_STREAM, "denied_stream": DENIED_STREAM, "users": people,
            "enforcement": "moto INITIAL_NO_AUTH_ACTION_COUNT=0 (set through /moto-api/reset-auth after setup)"}


def policy_lines(people: list[Mapping[str, Any]]) -> int:
    """Lines of the generated policy documents (pretty-printed JSON, as a person would keep them)."""
    return sum(len(json.dumps(p["policy"], indent=2).splitlines()) for p in people if p.get("policy"))
