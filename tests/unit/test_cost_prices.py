"""Price tables: every price carries unit, source, date and a verification mark; clear errors otherwise."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from streamcompare.cost.prices import latest_price_file, load_price_table, load_prices, price_files
from streamcompare.errors import ConfigError

pytestmark = pytest.mark.unit

MINIMAL = """\
schema_version: 1
region: {region}
prices_date: {day}
captured_from: test
prices:
  - key: kinesis-shard-hour
    usd: {usd}
    unit: shard-hour
    source: test
    as_of: {day}
    verified: true
"""


def write_table(folder: Path, region: str, day: str, usd: float = 0.015) -> Path:
    path = folder / f"aws-{region}-{day}.yaml"
    path.write_text(MINIMAL.format(region=region, day=day, usd=usd))
    return path


def test_shipped_table_has_every_field_and_the_facts_prices() -> None:
    table = load_prices("us-east-1")
    assert table.path is not None and table.path.name == "aws-us-east-1-2024-07-01.yaml"
    assert table.prices_date == date(2024, 7, 1)
    assert table.last_checked == date(2026, 11, 24)
    assert "Infracost" in table.captured_from
    for price in table.prices.values():
        assert price.unit and price.source and isinstance(price.as_of, date)
    # A few FACTS.md figures, read back through the loader.
    assert table.usd("kinesis-shard-hour") == 0.015
    assert table.usd("kinesis-put-payload-units") == 0.014
    assert table.usd("kinesis-on-demand-data-in") == 0.08
    assert table.usd("data-transfer-cross-az") == 0.01
    assert "GiB" in table.get("msk-serverless-data-in").unit  # the price says GiB, so the unit says so


def test_unverified_prices_are_marked_and_express_and_advantage_are_priced() -> None:
    table = load_prices("us-east-1")
    unverified = table.unverified()
    assert "kinesis-extended-retention-shard-hour" in unverified  # FACTS: unit unverified
    assert "msk-serverless-cluster-hour" in unverified  # FACTS: 2022 secondary source
    assert "kinesis-shard-hour" not in unverified
    # FACTS.md: express.m7g.large $0.408/h, $0.01 per GB written, about $0.10 per GB-month; all unverified.
    express = {k: table.get(k) for k in ("msk-express-broker-express.m7g.large-hour", "msk-express-data-in",
                                         "msk-express-storage")}
    assert [p.usd for p in express.values()] == [0.408, 0.01, 0.10]
    assert not any(p.verified for p in express.values())
    # FACTS.md (AWS Big Data Blog, 2026-03-09): $0.032 in, $0.016 out and EFO, $0.023 per GB-month retention.
    advantage = {k: table.get(f"kinesis-advantage-{k}") for k in ("data-in", "data-out", "efo-data-out", "retention")}
    assert [p.usd for p in advantage.values()] == [0.032, 0.016, 0.016, 0.023]
    assert all(p.as_of == date(2026, 3, 9) and "Blog" in p.source and not p.verified for p in advantage.values())


def test_infinite_or_nan_price_is_rejected_with_the_field(tmp_path: Path) -> None:
    for bad in (".inf", ".nan"):
        path = tmp_path / "aws-us-east-1-2024-07-01.yaml"
        path.write_text(MINIMAL.format(region="us-east-1", day="2024-07-01", usd=bad))
        with pytest.raises(ConfigError) as info:
            load_price_table(path)
        assert info.value.field == "prices.prices.0.usd" and "finite" in str(info.value)


def test_missing_price_names_the_key_and_the_fix() -> None:
    with pytest.raises(ConfigError) as info:
        load_prices("us-east-1").get("no-such-price")
    assert info.value.field == "prices"
    assert "no-such-price" in str(info.value) and info.value.fix


def test_missing_region_lists_the_regions_that_have_prices(tmp_path: Path) -> None:
    write_table(tmp_path, "eu-west-1", "2024-01-01")
    with pytest.raises(ConfigError) as info:
        load_prices("ap-south-1", tmp_path)
    assert info.value.field == "region"
    assert "eu-west-1" in (info.value.fix or "")


def test_newest_file_of_the_region_is_chosen(tmp_path: Path) -> None:
    write_table(tmp_path, "us-east-1", "2024-07-01", usd=0.015)
    write_table(tmp_path, "us-east-1", "2025-03-01", usd=0.016)
    write_table(tmp_path, "us-west-2", "2026-01-01", usd=0.5)  # another region, newer: ignored
    (tmp_path / "notes.yaml").write_text("x: 1\n")  # not a price file name: ignored
    assert [p.name for p in price_files("us-east-1", tmp_path)] == [
        "aws-us-east-1-2024-07-01.yaml", "aws-us-east-1-2025-03-01.yaml"]
    assert latest_price_file("us-east-1", tmp_path).name == "aws-us-east-1-2025-03-01.yaml"
    assert load_prices("us-east-1", tmp_path).usd("kinesis-shard-hour") == 0.016


def test_entry_without_source_is_rejected_with_the_field(tmp_path: Path) -> None:
    path = tmp_path / "aws-us-east-1-2024-07-01.yaml"
    path.write_text(MINIMAL.format(region="us-east-1", day="2024-07-01", usd=0.015).replace("    source: test\n", ""))
    with pytest.raises(ConfigError) as info:
        load_price_table(path)
    assert info.value.field == "prices.prices.0.source"


def test_negative_price_and_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    path = write_table(tmp_path, "us-east-1", "2024-07-01", usd=-1)
    with pytest.raises(ConfigError, match="greater than or equal to 0"):
        load_price_table(path)
    text = MINIMAL.format(region="us-east-1", day="2024-07-01", usd=0.015)
    path.write_text(text + text[text.index("  - key"):])
    with pytest.raises(ConfigError, match="duplicate price keys"):
        load_price_table(path)


def test_region_in_file_must_match_its_name(tmp_path: Path) -> None:
    (tmp_path / "aws-us-east-1-2024-07-01.yaml").write_text(
        MINIMAL.format(region="eu-west-1", day="2024-07-01", usd=0.015))
    with pytest.raises(ConfigError, match="region"):
        load_prices("us-east-1", tmp_path)
