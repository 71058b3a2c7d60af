"""Request and response bodies as AWS clients send them: JSON (boto3, the CLI) and CBOR (the Java SDK
and the KPL). Blobs (`Data`) are base64 text in JSON and raw bytes in CBOR; the proxy keeps each body
in its own encoding and never converts one into the other.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import cbor2

JSON_TYPE = "application/x-amz-json-1.1"
CBOR_TYPE = "application/x-amz-cbor-1.1"


class BodyError(ValueError):
    """A request body the layer cannot read (it is passed to the emulator untouched)."""


def is_cbor(content_type: str | None) -> bool:
    return bool(content_type) and "cbor" in str(content_type).lower()


def decode(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The request as a dict; raises BodyError for a body that is neither valid JSON nor CBOR."""
    if not body:
        return {}
    try:
        value = cbor2.loads(body) if is_cbor(content_type) else json.loads(body)
    except (ValueError, cbor2.CBORDecodeError) as exc:
        raise BodyError(f"unreadable {'CBOR' if is_cbor(content_type) else 'JSON'} body: {exc}") from None
    if not isinstance(value, dict):
        raise BodyError("the body is not an object")
    return value


def encode(value: Any, content_type: str | None) -> bytes:
    if is_cbor(content_type):
        return bytes(cbor2.dumps(value))
    return json.dumps(value, separators=(",", ":")).encode()


def blob_size(value: Any) -> int:
    """Bytes of a blob as AWS counts them (decoded): raw bytes in CBOR, base64 text in JSON."""
    if isinstance(value, bytes | bytearray | memoryview):
        return len(value)
    if isinstance(value, str):
        padding = value[-2:].count("=")
        return len(value) * 3 // 4 - padding
    return 0


def blob_bytes(value: Any) -> bytes:
    """The decoded blob (for tests and tools; the proxy only needs sizes)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return base64.b64decode(str(value)) if value else b""


def response_type(content_type: str | None) -> str:
    """Errors are answered in the protocol of the request."""
    return CBOR_TYPE if is_cbor(content_type) else JSON_TYPE
