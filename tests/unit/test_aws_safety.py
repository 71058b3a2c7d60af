"""AWS safety, offline with moto: no stream without opt-in; cleanup deletes only the kit's tagged streams."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from streamcompare.cleanup.aws import cleanup
from streamcompare.drivers import DRIVERS
from streamcompare.drivers.base import StreamSpec
from streamcompare.errors import ConfigError
from streamcompare.target import Target

pytestmark = pytest.mark.unit


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield boto3.client("kinesis", region_name="us-east-1")


def test_no_stream_is_created_in_aws_without_opt_in(aws) -> None:
    driver = DRIVERS.create("kinesis", Target.from_json({"kind": "aws", "region": "us-east-1"}))
    with pytest.raises(ConfigError) as info:
        driver.admin().create(StreamSpec("bench", partitions=1))
    assert info.value.field == "aws.allow_create"
    assert aws.list_streams()["StreamNames"] == []


def test_opted_in_stream_is_tagged_and_cleanup_removes_only_tagged(aws) -> None:
    driver = DRIVERS.create("kinesis", Target.from_json({"kind": "aws", "region": "us-east-1", "allow_create": True}))
    driver.admin().create(StreamSpec("ours", partitions=1))
    aws.create_stream(StreamName="theirs", ShardCount=1)
    tags = aws.list_tags_for_stream(StreamName="ours")["Tags"]
    assert {"Key": "created-by", "Value": "streamcompare"} in tags

    target = Target.from_json({"kind": "aws", "region": "us-east-1"})
    assert cleanup(target, delete=False, client=aws) == ["ours"]
    assert sorted(aws.list_streams()["StreamNames"]) == ["ours", "theirs"], "a dry run deletes nothing"
    assert cleanup(target, delete=True, client=aws) == ["ours"]
    remaining = [n for n in aws.list_streams()["StreamNames"]
                 if aws.describe_stream_summary(StreamName=n)["StreamDescriptionSummary"]["StreamStatus"]
                 != "DELETING"]
    assert remaining == ["theirs"]
