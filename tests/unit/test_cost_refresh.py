"""Price refresh from the AWS Price List API, offline with botocore's Stubber."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import boto3
import pytest
from botocore.stub import ANY, Stubber

from streamcompare.cost.prices import load_price_table, load_prices
from streamcompare.cost.refresh import QUERIES, fetch_price, refresh_prices
from streamcompare.errors import ConfigError

pytestmark = pytest.mark.unit

BASE = """\
schema_version: 1
region: us-east-1
prices_date: 2024-07-01
captured_from: test fixture
prices:
  - {key: kinesis-shard-hour, usd: 0.015, unit: shard-hour, source: old, as_of: 2024-07-01, verified: true}
  - {key: kinesis-put-payload-units, usd: 0.014, unit: million PUT payload units, source: old,
     as_of: 2024-07-01, verified: true}
  - {key: msk-express-broker-express.m7g.large-hour, usd: null, unit: broker-hour, source: none,
     as_of: 2024-07-01, verified: false}
  - {key: msk-serverless-cluster-hour, usd: 0.75, unit: cluster-hour, source: blog, as_of: 2022-01-01,
     verified: false, note: re-verify}
"""


def product(sku: str, usd: str, unit: str, begin: str = "0") -> str:
    """One GetProducts PriceList entry (a JSON string, as the API returns it)."""
    return json.dumps({"product": {"sku": sku, "attributes": {}},
                       "terms": {"OnDemand": {f"{sku}.T": {"priceDimensions": {f"{sku}.T.D": {
                           "unit": unit, "beginRange": begin, "endRange": "Inf",
                           "pricePerUnit": {"USD": usd}}}}}}})


def pricing_client():
    return boto3.client("pricing", region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test")


def expected_filters(key: str, region: str = "us-east-1") -> list[dict[str, str]]:
    query = QUERIES[key]
    return ([{"Type": t, "Field": f, "Value": v} for t, f, v in query.filters]
            + [{"Type": "TERM_MATCH", "Field": field, "Value": region} for field in query.region_fields])


def test_refresh_writes_a_new_dated_file_and_carries_over_what_it_cannot_find(tmp_path: Path) -> None:
    (tmp_path / "aws-us-east-1-2024-07-01.yaml").write_text(BASE)
    client = pricing_client()
    with Stubber(client) as stub:
        stub.add_response("get_products", {"PriceList": [product("SKU1", "0.0160000000", "ShardHour")],
                                           "FormatVersion": "aws_v1"},
                          {"ServiceCode": "AmazonKinesis", "Filters": expected_filters("kinesis-shard-hour"),
                           "FormatVersion": "aws_v1", "MaxResults": 100})
        # PUT units are priced per unit by the API and per million in the table; two pages of results.
        stub.add_response("get_products", {"PriceList": [product("SKU2", "0.0000000150", "PutRequest")],
                                           "NextToken": "page2"},
                          {"ServiceCode": "AmazonKinesis", "Filters": ANY, "FormatVersion": "aws_v1",
                           "MaxResults": 100})
        stub.add_response("get_products", {"PriceList": []},
                          {"ServiceCode": "AmazonKinesis", "Filters": ANY, "FormatVersion": "aws_v1",
                           "MaxResults": 100, "NextToken": "page2"})
        stub.add_response("get_products", {"PriceList": []}, None)  # express broker: nothing found
        # msk-serverless-cluster-hour has no query: no call is made for it.
        result = refresh_prices("us-east-1", client=client, directory=tmp_path, today=date(2026, 12, 1))
        stub.assert_no_pending_responses()

    assert result.path.name == "aws-us-east-1-2026-12-01.yaml"
    assert result.refreshed == ("kinesis-shard-hour", "kinesis-put-payload-units")
    assert result.carried_over == ("msk-express-broker-express.m7g.large-hour", "msk-serverless-cluster-hour")
    table = load_price_table(result.path)
    shard = table.get("kinesis-shard-hour")
    assert (shard.usd, shard.as_of, shard.verified) == (0.016, date(2026, 12, 1), True)
    assert "AWS Price List API" in shard.source and "SKU1" in shard.source
    assert table.usd("kinesis-put-payload-units") == pytest.approx(0.015)  # 1.5e-8 per unit x 1e6
    serverless = table.get("msk-serverless-cluster-hour")
    assert (serverless.usd, serverless.as_of, serverless.verified) == (0.75, date(2022, 1, 1), False)
    assert "carried over" in serverless.note and "re-verify" in serverless.note
    assert table.get("msk-express-broker-express.m7g.large-hour").usd is None
    assert load_prices("us-east-1", tmp_path).path == result.path  # the new file is now the newest


def test_refresh_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "aws-us-east-1-2024-07-01.yaml").write_text(BASE)
    with pytest.raises(ConfigError, match="already exists"):
        refresh_prices("us-east-1", client=pricing_client(), directory=tmp_path, today=date(2024, 7, 1))


def test_new_region_gets_only_what_the_api_returns(tmp_path: Path) -> None:
    (tmp_path / "aws-us-east-1-2024-07-01.yaml").write_text(BASE)
    client = pricing_client()
    with Stubber(client) as stub:
        stub.add_response("get_products", {"PriceList": [product("EU1", "0.0170000000", "ShardHour")]},
                          {"ServiceCode": "AmazonKinesis", "Filters": expected_filters("kinesis-shard-hour",
                                                                                       "eu-west-1"),
                           "FormatVersion": "aws_v1", "MaxResults": 100})
        for _ in range(2):
            stub.add_response("get_products", {"PriceList": []}, None)
        result = refresh_prices("eu-west-1", client=client, directory=tmp_path, today=date(2026, 12, 1))
    table = load_prices("eu-west-1", tmp_path)
    assert table.usd("kinesis-shard-hour") == 0.017
    # us-east-1 prices are never copied into another region's file.
    assert table.get("msk-serverless-cluster-hour").usd is None
    assert table.get("kinesis-put-payload-units").usd is None
    assert "msk-serverless-cluster-hour" in result.carried_over


def test_ambiguous_matches_are_not_guessed() -> None:
    client = pricing_client()
    with Stubber(client) as stub:
        stub.add_response("get_products", {"PriceList": [product("A", "0.10", "Hrs"), product("B", "0.20", "Hrs")]},
                          None)
        assert fetch_price(client, QUERIES["ec2-m5.large-hour"], "us-east-1") is None
        # A later tier (beginRange > 0) is ignored; the first tier is the price.
        stub.add_response("get_products", {"PriceList": [json.dumps({
            "product": {"sku": "T"}, "terms": {"OnDemand": {"t": {"priceDimensions": {
                "d1": {"unit": "GB", "beginRange": "0", "pricePerUnit": {"USD": "0.01"}},
                "d2": {"unit": "GB", "beginRange": "10240", "pricePerUnit": {"USD": "0.005"}}}}}}})]}, None)
        found = fetch_price(client, QUERIES["data-transfer-cross-az"], "us-east-1")
    assert found is not None and found.usd == 0.01 and found.sku == "T"


def test_without_credentials_the_error_says_how_to_fix_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "aws-us-east-1-2024-07-01.yaml").write_text(BASE)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(ConfigError) as info:
        refresh_prices("us-east-1", directory=tmp_path, today=date(2026, 12, 1))
    assert info.value.field == "credentials" and "aws configure" in (info.value.fix or "")
    assert not (tmp_path / "aws-us-east-1-2026-12-01.yaml").exists()
