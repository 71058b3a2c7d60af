"""The authorisation matrix on Kinesis with IAM enforced (moto over HTTPS, stack/kinesis_iam.py).

The same tries as on Kafka, in Kinesis terms: PutRecord to the allowed (`orders`) and a denied
(`payroll`) stream, read (ListShards, GetShardIterator, GetRecords) each, CreateStream, ListStreams
(describe), and iam:PutUserPolicy on oneself (the analogue of altering ACLs). Each row has two
expectations: `expected_aws` (what AWS's policy evaluation would answer for the user's policy) and
`expected` (the same, adjusted for moto's one documented coarseness: it authorises every non-S3
action against the resource "*", so an Allow scoped to a stream ARN never matches). The probe
fails when moto answers anything else; the table shows where AWS would differ.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from streamcompare.probes.authorization import ALLOWED, DENIED, Attempt, attempt
from streamcompare.stack import kinesis_iam

KINESIS_ACTIONS = ("put to allowed stream", "put to denied stream", "read allowed stream", "read denied stream",
                   "create a stream", "list streams (describe)", "alter own policy (ACL analogue)")
MOTO_COARSER = ("moto matches a policy's Resource against \"*\" for Kinesis: an Allow scoped to a stream ARN "
                "never matches, so it denies")


def aws_expectation(role: str, scope: str, action: str) -> str:
    """AWS's answer for the kit's policy of (role, scope): scope arn = stream/orders only, any = Resource *."""
    if role == "admin":
        return ALLOWED
    allowed_stream_only = {"producer": "put to", "consumer": "read"}.get(role)
    if allowed_stream_only is None or not action.startswith(allowed_stream_only):
        return DENIED
    if "denied stream" in action:
        return ALLOWED if scope == "any" else DENIED
    return ALLOWED


def moto_expectation(role: str, scope: str, action: str) -> tuple[str, str]:
    aws = aws_expectation(role, scope, action)
    if scope == "arn" and role in ("producer", "consumer") and aws == ALLOWED:
        return DENIED, MOTO_COARSER
    return aws, ""


class KinesisTries:
    def __init__(self, endpoint: str, verify: Path | bool, user: str, key: str, secret: str) -> None:
        self.kinesis = kinesis_iam.client("kinesis", endpoint, verify, key, secret)
        self.iam = kinesis_iam.client("iam", endpoint, verify, key, secret)
        self.user = user
        self.created: list[str] = []

    def put(self, stream: str) -> None:
        self.kinesis.put_record(StreamName=stream, Data=b"probe", PartitionKey="k")

    def read(self, stream: str) -> None:
        shard = self.kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
        iterator = self.kinesis.get_shard_iterator(StreamName=stream, ShardId=shard,
                                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.kinesis.get_records(ShardIterator=iterator, Limit=10)

    def create(self) -> None:
        import uuid

        name = f"probe-new-{uuid.uuid4().hex[:8]}"
        self.kinesis.create_stream(StreamName=name, ShardCount=1)
        self.created.append(name)

    def describe(self) -> None:
        self.kinesis.list_streams()

    def alter_policy(self) -> None:
        document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kinesis:*",
                                                            "Resource": "*"}]}
        self.iam.put_user_policy(UserName=self.user, PolicyName="probe-escalation",
                                 PolicyDocument=json.dumps(document))

    def actions(self) -> dict[str, Callable[[], None]]:
        return {"put to allowed stream": lambda: self.put(kinesis_iam.ALLOWED_STREAM),
                "put to denied stream": lambda: self.put(kinesis_iam.DENIED_STREAM),
                "read allowed stream": lambda: self.read(kinesis_iam.ALLOWED_STREAM),
                "read denied stream": lambda: self.read(kinesis_iam.DENIED_STREAM),
                "create a stream": self.create, "list streams (describe)": self.describe,
                "alter own policy (ACL analogue)": self.alter_policy}


def readable(fn: Callable[[], None]) -> Callable[[], None]:
    """moto answers some denials with an XML body botocore cannot parse for a JSON service: show Code: Message."""

    def call() -> None:
        try:
            fn()
        except Exception as exc:
            text = str(exc)
            code, message = re.search(r"<Code>([^<]+)</Code>", text), re.search(r"<Message>([^<]+)</Message>", text)
            if code:
                operation = re.search(r"when calling the (\w+) operation", text)
                where = f" ({operation.group(1)})" if operation else ""
                raise RuntimeError(f"{code.group(1)}{where}: {message.group(1) if message else ''}".strip()) from None
            raise

    return call


def kinesis_matrix(iam_clients: Mapping[str, Any], progress: Callable[[str], None] = lambda _m: None
                   ) -> list[Attempt]:
    """Every IAM user (plus a wrong secret and plain HTTP to the HTTPS port) tries every action."""
    endpoint = str(iam_clients["endpoint"])
    ca = Path(iam_clients["ca_file"])
    users = {u["user"]: u for u in iam_clients["users"]}
    admin = users["sc-admin"]
    subjects: list[tuple[str, str, str, str, str, str, str]] = []  # label, user, role, scope, key, secret, url
    for user in users.values():
        scope_label = "ARN-scoped policy" if user["policy_scope"] == "arn" else (
            "policy on Resource *" if user["policy"] else "no policy")
        subjects.append((f"{user['role']} ({scope_label})", user["user"], user["role"], user["policy_scope"],
                         user["access_key_id"], user["secret_access_key"], endpoint))
    producer = users["sc-producer"]
    subjects.append(("wrong secret key", producer["user"], "nobody", "any", producer["access_key_id"],
                     producer["secret_access_key"][::-1], endpoint))
    subjects.append(("plain HTTP -> HTTPS port", admin["user"], "nobody", "any", admin["access_key_id"],
                     admin["secret_access_key"], endpoint.replace("https://", "http://")))
    rows: list[Attempt] = []
    cleanup = KinesisTries(endpoint, ca, admin["user"], admin["access_key_id"], admin["secret_access_key"])
    for label, user, role, scope, key, secret, url in subjects:
        progress(f"Kinesis: {label}")
        tries = KinesisTries(url, ca, user, key, secret)
        for action, fn in tries.actions().items():
            expected, note = moto_expectation(role, scope, action)
            rows.append(attempt("kinesis", label, action, expected, readable(fn),
                                expected_aws=aws_expectation(role, scope, action), note=note))
        for name in tries.created:
            cleanup.kinesis.delete_stream(StreamName=name)
        if any(r.principal == label and r.action.startswith("alter") and r.observed == ALLOWED for r in rows):
            cleanup.iam.delete_user_policy(UserName=user, PolicyName="probe-escalation")
    return rows
