"""`cost` and `prices` commands, registered on a local Typer app the way the main CLI registers them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from streamcompare.cli.cost import cost_command, prices_app
from streamcompare.cost.models import COST_MODELS
from streamcompare.errors import ConfigError
from streamcompare.paths import project_root

pytestmark = pytest.mark.unit

app = typer.Typer()
app.command("cost")(cost_command)
app.add_typer(prices_app, name="prices")
runner = CliRunner()


def run_json(*args: str) -> dict:
    result = runner.invoke(app, ["cost", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_json_has_scenario_prices_and_every_option_itemised() -> None:
    doc = run_json()
    assert doc["scenario"]["write_mb_per_s"] == 10 and doc["scenario"]["hours_per_month"] == 730
    assert doc["prices"]["file"].endswith("aws-us-east-1-2024-07-01.yaml")
    assert doc["prices"]["date"] == "2024-07-01"
    assert [o["name"] for o in doc["options"]] == COST_MODELS.names()
    for option in doc["options"]:
        if option["monthly_usd"] is None:
            assert option["name"] == "msk-express" and option["unpriced"]
            continue
        assert option["sizing"] and option["line_items"]
        assert option["monthly_usd"] == pytest.approx(sum(i["monthly_usd"] for i in option["line_items"]),
                                                      abs=0.01)
        for item in option["line_items"]:
            assert set(item) >= {"item", "quantity", "unit", "unit_usd", "monthly_usd", "source"}
    by_name = {o["name"]: o for o in doc["options"]}
    assert by_name["kinesis-provisioned"]["sizing"]["shards"] == 13  # 10 MB/s at 80% of 1 MB/s per shard
    assert by_name["msk-provisioned"]["unverified_prices"] == ["msk-broker-kafka.m5.large-hour"]


def test_flags_override_the_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("write_mb_per_s: 1\nconsumers: 1\nretention_hours: 48\n")
    doc = run_json("--scenario", str(path), "--write-mb-per-s", "100", "--efo", "--no-ops",
                   "--option", "kinesis-provisioned", "--option", "kinesis-on-demand")
    assert doc["scenario"]["write_mb_per_s"] == 100  # flag wins
    assert doc["scenario"]["retention_hours"] == 48  # file value kept
    assert doc["scenario"]["efo"] is True and doc["scenario"]["ops"]["include"] is False
    assert [o["name"] for o in doc["options"]] == ["kinesis-provisioned", "kinesis-on-demand"]
    provisioned = doc["options"][0]
    assert provisioned["sizing"]["shards"] == 125  # 100 MB/s / (1 MB/s x 0.8)
    assert not any(i["unit"] == "engineer-hour" for i in provisioned["line_items"])
    keys = {i["price_key"] for i in provisioned["line_items"]}
    assert {"kinesis-efo-consumer-shard-hour", "kinesis-extended-retention-shard-hour"} <= keys


def test_table_output_shows_totals_marks_dates_and_the_stale_warning() -> None:
    result = runner.invoke(app, ["cost", "--write-mb-per-s", "1", "--summary"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())  # rich wraps long lines
    assert "kinesis-provisioned" in out and "kafka-ec2" in out and "kinesis-on-demand-advantage" in out
    assert "msk-express" in out and "not priced" not in out  # Express is priced now (unverified)
    assert "†" in out  # unverified prices are marked
    assert "aws-us-east-1-2024-07-01.yaml, prices of 2024-07-01" in out and "days old" in out
    assert "GB = 2^30 bytes, 1 KB = 1,024 bytes" in out
    assert "Warning: Prices are from 2024-07-01" in out  # older than 180 days whenever this test runs
    assert "streamcompare prices refresh --region us-east-1" in out
    itemised = runner.invoke(app, ["cost", "--write-mb-per-s", "1", "--notes"])
    text = " ".join(itemised.output.split())
    assert "shard-hours" in text and "cross-AZ" in text and "assumption" in text
    assert "commitment floor, ingest" in text and "[GB = 2^30 B]" in text


def test_an_unpriced_option_is_shown_as_not_priced(tmp_path: Path) -> None:
    shipped = (project_root() / "data/pricing/aws-us-east-1-2024-07-01.yaml").read_text()
    entry = "  - key: msk-express-data-in\n    usd: "
    blanked = shipped.replace(entry + "0.01\n", entry + "null\n")
    assert blanked != shipped
    path = tmp_path / "aws-us-east-1-2024-07-01.yaml"
    path.write_text(blanked)
    result = runner.invoke(app, ["cost", "--prices", str(path), "--summary"])
    assert result.exit_code == 0, result.output
    assert "not priced" in result.output and "msk-express-data-in" in result.output


def test_json_carries_the_price_date_age_and_warning_on_the_document_and_each_option() -> None:
    doc = run_json("--write-mb-per-s", "1")
    prices = doc["prices"]
    assert prices["date"] == "2024-07-01" and prices["age_days"] > 180
    assert "streamcompare prices refresh --region us-east-1" in prices["stale_warning"]
    assert all(o["prices_date"] == "2024-07-01" for o in doc["options"])


def test_billing_unit_and_compression_flags_reach_the_scenario() -> None:
    doc = run_json("--gb-bytes", "1000000000", "--kinesis-kb-bytes", "1000", "--compression-ratio", "4",
                   "--kinesis-client-compression", "--option", "kinesis-on-demand")
    assert doc["scenario"]["sizing"]["gb_bytes"] == 10**9 and doc["scenario"]["sizing"]["kinesis_kb_bytes"] == 1000
    assert doc["scenario"]["compression_ratio"] == 4 and doc["scenario"]["kinesis_client_compression"] is True
    data_in = next(i for i in doc["options"][0]["line_items"] if i["price_key"] == "kinesis-on-demand-data-in")
    # 1,000 B records compressed 4:1 by the client = 250 B, billed as 1 KB of 1,000 B: 10,000 records/s x
    # 1,000 B x 2,628,000 s / 10^9 = 26,280 GB (compression saves nothing here: the record still rounds to 1 KB).
    assert data_in["quantity"] == pytest.approx(26_280)
    assert "GB = 10^9 B" in data_in["note"]


@pytest.mark.parametrize(("args", "field"), [
    (["--consumers", "-1"], "consumers"),
    (["--efo", "--consumers", "25"], "efo"),
    (["--option", "pulsar"], "option"),
    (["--region", "eu-north-1"], "region"),
    (["--broker-instance", "m7g.large"], "sizing.broker_instance"),
    (["--write-mb-per-s", "nan"], "write_mb_per_s"),
    (["--retention-hours", "inf"], "retention_hours"),
    (["--compression-ratio", "0.5"], "compression_ratio"),
    (["--gb-bytes", "1024"], "sizing.gb_bytes"),
    (["--kinesis-kb-bytes", "1023"], "sizing.kinesis_kb_bytes"),
    (["--headroom", "nan"], "sizing.headroom"),
])
def test_bad_input_raises_a_config_error_naming_the_field(args: list[str], field: str) -> None:
    result = runner.invoke(app, ["cost", *args])
    assert isinstance(result.exception, ConfigError)
    assert result.exception.field == field and result.exception.fix


def test_prices_show_lists_every_price_with_its_mark() -> None:
    result = runner.invoke(app, ["prices", "show"])
    assert result.exit_code == 0, result.output
    assert "kinesis-put-payload-units" in result.output and "kinesis-advantage-data-in" in result.output
    assert "† no" in result.output and "days old" in result.output
    assert "streamcompare prices refresh" in " ".join(result.output.split())
