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


def test_table_output_shows_totals_marks_and_unpriced_options() -> None:
    result = runner.invoke(app, ["cost", "--write-mb-per-s", "1", "--summary"])
    assert result.exit_code == 0, result.output
    assert "kinesis-provisioned" in result.output and "kafka-ec2" in result.output
    assert "not priced" in result.output  # MSK Express
    assert "†" in result.output  # unverified prices are marked
    assert "aws-us-east-1-2024-07-01.yaml" in result.output
    itemised = runner.invoke(app, ["cost", "--write-mb-per-s", "1", "--notes"])
    assert "shard-hours" in itemised.output and "cross-AZ" in itemised.output
    assert "assumption" in itemised.output


@pytest.mark.parametrize(("args", "field"), [
    (["--consumers", "-1"], "consumers"),
    (["--efo", "--consumers", "25"], "efo"),
    (["--option", "pulsar"], "option"),
    (["--region", "eu-north-1"], "region"),
    (["--broker-instance", "m7g.large"], "sizing.broker_instance"),
])
def test_bad_input_raises_a_config_error_naming_the_field(args: list[str], field: str) -> None:
    result = runner.invoke(app, ["cost", *args])
    assert isinstance(result.exception, ConfigError)
    assert result.exception.field == field and result.exception.fix


def test_prices_show_lists_every_price_with_its_mark() -> None:
    result = runner.invoke(app, ["prices", "show"])
    assert result.exit_code == 0, result.output
    assert "kinesis-put-payload-units" in result.output and "not priced" in result.output
    assert "† no" in result.output
