"""Find and delete Kinesis streams the kit created (tag created-by=streamcompare) in an AWS account."""

from __future__ import annotations

from typing import Any

from streamcompare.drivers.kinesis import TAG_KEY, TAG_VALUE, make_client
from streamcompare.target import Target


def tagged_streams(client: Any) -> list[str]:
    """Names of streams tagged created-by=streamcompare (the only ones the kit may delete)."""
    names: list[str] = []
    for page in client.get_paginator("list_streams").paginate():
        for name in page["StreamNames"]:
            tags = client.list_tags_for_stream(StreamName=name).get("Tags", [])
            if any(t["Key"] == TAG_KEY and t["Value"] == TAG_VALUE for t in tags):
                names.append(name)
    return names


def cleanup(target: Target, *, delete: bool, client: Any | None = None) -> list[str]:
    """List (and with delete=True, delete) the kit's leftover streams. Returns their names."""
    client = client or make_client(target)
    names = tagged_streams(client)
    if delete:
        for name in names:
            client.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
    return names
