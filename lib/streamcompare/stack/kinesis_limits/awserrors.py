"""Error answers shaped as AWS's Kinesis API sends them (awsJson1_1 / CBOR: `__type` and `message`).

- PutRecord and GetRecords over a shard's limit: HTTP 400, `ProvisionedThroughputExceededException`,
  message "Rate exceeded for shard <id> in stream <name> under account <account>."
- PutRecords: HTTP 200; each rejected entry carries `ErrorCode` and `ErrorMessage` instead of
  `SequenceNumber`/`ShardId`, and `FailedRecordCount` counts them.
- Injected faults: HTTP 500 `InternalFailure`, HTTP 503 `ServiceUnavailable` (both retried by the SDKs).
"""

from __future__ import annotations

import uuid
from typing import Any

from streamcompare.stack.kinesis_limits import codec

ACCOUNT = "000000000000"
"""kinesis-mock's default account id (its ARNs carry it)."""

THROTTLED = "ProvisionedThroughputExceededException"
INTERNAL_FAILURE = "InternalFailure"
SERVICE_UNAVAILABLE = "ServiceUnavailable"
STATUS = {THROTTLED: 400, INTERNAL_FAILURE: 500, SERVICE_UNAVAILABLE: 503}


def rate_exceeded_message(shard_id: str, stream: str, account: str = ACCOUNT) -> str:
    return f"Rate exceeded for shard {shard_id} in stream {stream} under account {account}."


def stream_rate_exceeded_message(stream: str, account: str = ACCOUNT) -> str:
    """On-demand streams over their stream-level capacity."""
    return f"Rate exceeded for stream {stream} under account {account}."


MESSAGES = {INTERNAL_FAILURE: "Internal service failure.",
            SERVICE_UNAVAILABLE: "Service is unable to handle request."}


def error_answer(code: str, message: str | None, content_type: str | None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of an AWS error in the request's protocol."""
    body: dict[str, Any] = {"__type": code, "message": message or MESSAGES.get(code, code)}
    headers = {"Content-Type": codec.response_type(content_type), "x-amzn-RequestId": str(uuid.uuid4()),
               "x-amzn-ErrorType": code}
    return STATUS.get(code, 400), headers, codec.encode(body, content_type)


def failed_entry(code: str, message: str) -> dict[str, str]:
    """One PutRecords result entry for a record that was not written."""
    return {"ErrorCode": code, "ErrorMessage": message}


def merge_put_records(total: int, accepted_positions: list[int], upstream: dict[str, Any] | None,
                      rejected: dict[int, dict[str, str]]) -> dict[str, Any]:
    """The PutRecords answer in the caller's order: the emulator's results for the forwarded entries
    (in the order they were forwarded) and the layer's rejections for the rest."""
    forwarded = list((upstream or {}).get("Records", []))
    if len(forwarded) != len(accepted_positions):
        raise ValueError(f"the emulator answered {len(forwarded)} entries for {len(accepted_positions)} forwarded")
    records: list[dict[str, Any]] = [{}] * total
    for position, result in zip(accepted_positions, forwarded, strict=True):
        records[position] = result
    for position, result in rejected.items():
        records[position] = result
    failed = sum(1 for r in records if r.get("ErrorCode"))
    answer: dict[str, Any] = {"FailedRecordCount": failed, "Records": records}
    if upstream and "EncryptionType" in upstream:
        answer["EncryptionType"] = upstream["EncryptionType"]
    return answer
