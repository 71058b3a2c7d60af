"""AWS's billing rules worked by hand: 1 KB = 1,024 B, the billed GB, On-demand Advantage, MSK Express, compression.

Each expected figure is written from the published rule (docs/cost-model.md), with the arithmetic in a comment,
not read back from the code. A 730-hour month is 2,628,000 s; GiB = 2^30 = 1,073,741,824 bytes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from streamcompare.cost import price_table_age_days, price_table_caption, stale_prices_warning
from streamcompare.cost.models import COST_MODELS, estimate_all
from streamcompare.cost.prices import load_prices
from streamcompare.cost.scenario import Scenario, scenario_from_dict
from streamcompare.errors import ConfigError

pytestmark = pytest.mark.unit

PRICES = load_prices("us-east-1")
MONTH_S = 2_628_000
GIB = 2**30


def scenario(**fields: Any) -> Scenario:
    """No headroom and no ops effort; the GB is the default 2^30 unless a case says otherwise."""
    sizing = {"headroom": 0, "storage_headroom": 0, **fields.pop("sizing", {})}
    return scenario_from_dict({"ops": {"include": False}, "sizing": sizing, **fields})


def total(name: str, s: Scenario) -> float:
    value = COST_MODELS.estimate(name, s, PRICES).monthly_usd
    assert value is not None
    return value


def items(name: str, s: Scenario) -> dict[str, float]:
    """Line items by their text before ' (' (summed when repeated)."""
    out: dict[str, float] = {}
    for item in COST_MODELS.estimate(name, s, PRICES).line_items:
        key = item.item.split(" (")[0]
        out[key] = out.get(key, 0.0) + item.monthly_usd
    return out


# --- the issue's example: 10 MB/s of 1,024-byte records, 2 shared consumers, 24 h ----------------------------

def test_issue_example_with_decimal_gb_gives_4234() -> None:
    # 10,000,000 B/s / 1,024 B = 9,765.625 records/s, each exactly 1 KB (1,024 B): 10,000,000 B/s billed.
    # data in: 10^7 x 2,628,000 = 2.628e13 B = 26,280 GB x $0.08 = $2,102.40
    # data out: 2 consumers x 26,280 GB = 52,560 GB x $0.04 = $2,102.40
    # stream-hours: 730 x $0.04 = $29.20;  total $4,234.00
    s = scenario(write_mb_per_s=10, avg_record_bytes=1024, consumers=2, sizing={"gb_bytes": 10**9})
    assert total("kinesis-on-demand", s) == pytest.approx(4234.00)


def test_issue_example_with_the_old_1000_byte_kb_gives_the_old_6237_85() -> None:
    # With 1 KB = 1,000 B a 1,024 B record is 2 KB = 2,000 B: 9,765.625 x 2,000 x 2,628,000 = 51,328.125 GB
    # x $0.08 = $4,106.25 (47% more data in), + $2,102.40 + $29.20 = $6,237.85: the figure the issue quotes.
    s = scenario(write_mb_per_s=10, avg_record_bytes=1024, consumers=2,
                 sizing={"gb_bytes": 10**9, "kinesis_kb_bytes": 1000})
    assert total("kinesis-on-demand", s) == pytest.approx(6237.85)


def test_issue_example_with_the_default_gib() -> None:
    # Same bytes, GB = 2^30: 2.628e13 / 1,073,741,824 = 24,475.157 GB
    # data in 24,475.157 x $0.08 = $1,958.01; data out 48,950.315 x $0.04 = $1,958.01; + $29.20 = $3,945.23
    s = scenario(write_mb_per_s=10, avg_record_bytes=1024, consumers=2)
    got = items("kinesis-on-demand", s)
    assert got["data in"] == pytest.approx(2.628e13 / GIB * 0.08)
    assert total("kinesis-on-demand", s) == pytest.approx(3945.225, abs=0.01)


@pytest.mark.parametrize(("record_bytes", "billed_kb"), [(1024, 1), (1025, 2), (4608, 5), (1000, 1)])
def test_on_demand_rounds_each_record_up_to_whole_kib(record_bytes: int, billed_kb: int) -> None:
    # AWS: "rounded up to the nearest 1 KB (1,024 bytes) ... records of 4.5 KB are counted as 5 KB" (4,608 B -> 5).
    s = scenario(write_mb_per_s=1, avg_record_bytes=record_bytes)
    assert COST_MODELS.estimate("kinesis-on-demand", s, PRICES).sizing["billed_kb_per_record"] == billed_kb
    # billed bytes = records/s x KB x 1,024 x seconds, in GiB, x $0.08
    expected = 1e6 / record_bytes * billed_kb * 1024 * MONTH_S / GIB * 0.08
    assert items("kinesis-on-demand", s)["data in"] == pytest.approx(expected)


def test_put_payload_units_use_25_kib_chunks() -> None:
    # Provisioned: one PUT payload unit per 25 KB chunk = 25 x 1,024 = 25,600 B. A 1 MiB record (1,048,576 B)
    # is ceil(40.96) = 41 units; a 1 MB record (10^6 B) is ceil(39.06) = 40 (AWS's "1 MB = 40 units").
    for record_bytes, units in ((1_048_576, 41), (1_000_000, 40), (25_600, 1), (25_601, 2)):
        s = scenario(write_mb_per_s=1, avg_record_bytes=record_bytes)
        assert COST_MODELS.estimate("kinesis-provisioned", s, PRICES).sizing["put_units_per_record"] == units


# --- the billed GB ---------------------------------------------------------------------------------------------

def test_gb_choice_scales_every_per_gb_line_and_is_stated_on_each() -> None:
    base = {"write_mb_per_s": 20, "consumers": 3, "retention_hours": 240, "efo": True}
    gib_run = {e.name: e for e in estimate_all(scenario(**base), PRICES)}
    gb_run = {e.name: e for e in estimate_all(scenario(**base, sizing={"gb_bytes": 10**9}), PRICES)}
    per_gb_lines = 0
    for name, estimate in gib_run.items():
        for mine, other in zip(estimate.line_items, gb_run[name].line_items, strict=True):
            unit = PRICES.get(mine.price_key).unit if mine.price_key else ""
            if "GB" in unit and "GiB" not in unit:
                per_gb_lines += 1
                assert "sizing.gb_bytes" in mine.note and "[GB = 2^30 B]" in mine.unit, (name, mine.item)
                assert "[GB = 10^9 B]" in other.unit
                if mine.quantity and "storage (" not in mine.item and "volumes" not in mine.item:
                    # a byte count in GB: 10^9-byte GB are 2^30 / 10^9 = 1.0737 times as many
                    assert other.quantity / mine.quantity == pytest.approx(GIB / 1e9), (name, mine.item)
            else:
                assert "sizing.gb_bytes" not in mine.note, (name, mine.item)
    assert per_gb_lines >= 15


def test_msk_serverless_per_gib_prices_ignore_the_gb_choice() -> None:
    one = total("msk-serverless", scenario(write_mb_per_s=5))
    assert total("msk-serverless", scenario(write_mb_per_s=5, sizing={"gb_bytes": 10**9})) == pytest.approx(one)


# --- On-demand Advantage ---------------------------------------------------------------------------------------

def test_advantage_small_stream_pays_the_commitment_floor() -> None:
    # 1 MB/s of 1,024 B records, 2 consumers: 976.5625 records/s x 1 KB = 10^6 B/s billed in, 2 x 10^6 B/s out.
    # Month in: 10^6 x 2,628,000 = 2.628e12 B = 2,447.516 GiB x $0.032 = $78.32; out 4,895.03 GiB x $0.016 = $78.32
    # Floor: 25 MiB/s x 2,628,000 s = 25 x 2,628,000 / 1,024 GiB = 64,160.15625 GiB per direction.
    # Ingest shortfall: (64,160.156 - 2,447.516) x $0.032 = $1,974.80
    # Retrieval shortfall: (64,160.156 - 4,895.031) x $0.016 = $948.24
    # Total = the floor itself: 64,160.15625 x ($0.032 + $0.016) = $3,079.6875 (= AWS's "about $100 a day":
    # $101.25 x 30.42 days). No stream-hour line.
    s = scenario(write_mb_per_s=1, avg_record_bytes=1024, consumers=2)
    got = items("kinesis-on-demand-advantage", s)
    assert got["data in"] == pytest.approx(78.3205, abs=1e-3)
    assert got["data out"] == pytest.approx(78.3205, abs=1e-3)
    assert got["commitment floor, ingest"] == pytest.approx(1974.8045, abs=1e-3)
    assert got["commitment floor, retrieval"] == pytest.approx(948.2420, abs=1e-3)
    assert total("kinesis-on-demand-advantage", s) == pytest.approx(3079.6875)
    assert not any("stream-hour" in k for k in got)
    # Standard on-demand for the same stream: $29.20 + $195.80 + $195.80 = $420.80; Advantage costs more here.
    assert total("kinesis-on-demand", s) == pytest.approx(29.20 + 2.628e12 / GIB * 0.16)
    assert total("kinesis-on-demand-advantage", s) > 7 * total("kinesis-on-demand", s)


def test_advantage_large_stream_is_above_the_floor() -> None:
    # 100 MB/s of 1,024 B records, 2 consumers: 2.628e14 B = 244,751.573 GiB in x $0.032 = $7,832.05;
    # 489,503.145 GiB out x $0.016 = $7,832.05; floor lines are zero. Total $15,664.10.
    # Standard on-demand: $29.20 + 244,751.573 x $0.08 + 489,503.145 x $0.04 = $39,189.45.
    s = scenario(write_mb_per_s=100, avg_record_bytes=1024, consumers=2)
    got = items("kinesis-on-demand-advantage", s)
    assert got["commitment floor, ingest"] == 0 and got["commitment floor, retrieval"] == 0
    assert total("kinesis-on-demand-advantage", s) == pytest.approx(15664.1006, abs=1e-3)
    assert total("kinesis-on-demand", s) == pytest.approx(39189.4516, abs=1e-3)


def test_advantage_24_hour_minimum_is_its_own_line() -> None:
    # A 12-hour "month", 1 MB/s, no consumers. Over 12 h the floor is 25 x 43,200 / 1,024 = 1,054.6875 GiB per
    # direction; the 24-hour minimum adds another 12 h at 25 MiB/s: 1,054.6875 GiB in and out.
    # Everything adds up to one day of commitment: 2,109.375 GiB x ($0.032 + $0.016) = $101.25.
    s = scenario(write_mb_per_s=1, consumers=0, hours_per_month=12)
    got = items("kinesis-on-demand-advantage", s)
    assert got["24-hour minimum, ingest"] == pytest.approx(1054.6875 * 0.032)
    assert got["24-hour minimum, retrieval"] == pytest.approx(1054.6875 * 0.016)
    assert total("kinesis-on-demand-advantage", s) == pytest.approx(101.25)
    assert "24-hour minimum, ingest" not in items("kinesis-on-demand-advantage", scenario(hours_per_month=24))


def test_advantage_retention_and_efo() -> None:
    # 72 h retention: 48 h beyond 24 h x 10^6 B/s x 3,600 = 1.728e11 B = 160.933 GiB-month x $0.023 = $3.7014
    # EFO retrieval is $0.016 per GB like shared retrieval.
    s = scenario(write_mb_per_s=1, avg_record_bytes=1024, consumers=2, retention_hours=72, efo=True)
    estimate = COST_MODELS.estimate("kinesis-on-demand-advantage", s, PRICES)
    got = items("kinesis-on-demand-advantage", s)
    assert got["retention"] == pytest.approx(3.7014, abs=1e-4)
    assert "kinesis-advantage-efo-data-out" in {i.price_key for i in estimate.line_items}
    assert set(estimate.unverified_prices) >= {"kinesis-advantage-data-in", "kinesis-advantage-efo-data-out"}


# --- MSK Express -----------------------------------------------------------------------------------------------

def test_msk_express_hand_computed() -> None:
    # 10 MB/s, 2 consumers, 24 h, 3 AZs. Brokers: 10 / 15.6 -> 1, 20 / 31.2 -> 1, minimum 3 -> 3.
    # broker-hours: 3 x 730 x $0.408 = $893.52
    # storage: 10^7 B/s x 86,400 s = 8.64e11 B = 804.663 GiB x $0.10 = $80.47
    # data written: 10^7 x 2,628,000 = 2.628e13 B = 24,475.157 GiB x $0.01 = $244.75
    # cross-AZ: producer 2/3 x 2 directions x 24,475.157 x $0.01 = $326.34; consumers 2 x 2/3 x 2 x ... = $652.67
    # total $2,197.74
    s = scenario(write_mb_per_s=10, consumers=2)
    estimate = COST_MODELS.estimate("msk-express", s, PRICES)
    assert estimate.sizing["brokers"] == 3
    got = items("msk-express", s)
    assert got["broker-hours"] == pytest.approx(893.52)
    assert got["storage"] == pytest.approx(80.4663, abs=1e-3)
    assert got["data written by producers"] == pytest.approx(244.7516, abs=1e-3)
    assert got["cross-AZ producer->leader"] == pytest.approx(326.3354, abs=1e-3)
    assert got["cross-AZ consumer reads"] == pytest.approx(652.6709, abs=1e-3)
    assert estimate.monthly_usd == pytest.approx(2197.7441, abs=1e-3)
    assert len(estimate.unverified_prices) == 3  # every Express price is unverified


def test_msk_express_broker_count_follows_its_throughput_limits() -> None:
    # 300 MB/s in: 300 / 15.6 = 19.2 -> 20; 2 consumers: 600 / 31.2 = 19.2 -> 20; 3 AZs -> 21 brokers.
    # 100 MB/s with 6 consumers: in 6.4 -> 7; out 600 / 31.2 = 19.2 -> 20 (egress binds) -> 21.
    assert COST_MODELS.estimate("msk-express", scenario(write_mb_per_s=300), PRICES).sizing["brokers"] == 21
    fan_out = COST_MODELS.estimate("msk-express", scenario(write_mb_per_s=100, consumers=6), PRICES).sizing
    assert (fan_out["brokers"], fan_out["binding"]) == (21, "egress")


# --- compression -----------------------------------------------------------------------------------------------

def test_kafka_compression_shrinks_wire_disk_and_cross_az_only() -> None:
    # MSK provisioned, 50 MB/s, 2 consumers, RF 3, GB = 10^9, compressed 2:1 -> 25 MB/s on the wire and disk.
    # storage: 25e6 x 86,400 x 3 / 10^9 = 6,480 GB x $0.10 = $648 (was $1,296)
    # cross-AZ: (producer $1,752 + consumers $3,504) / 2 = $2,628; brokers 3 x 730 x $0.21 = $459.90 (unchanged)
    s = scenario(write_mb_per_s=50, consumers=2, compression_ratio=2, sizing={"gb_bytes": 10**9})
    got = items("msk-provisioned", s)
    assert got["broker storage"] == pytest.approx(648.0)
    assert got["cross-AZ producer->leader"] + got["cross-AZ consumer reads"] == pytest.approx(2628.0)
    assert total("msk-provisioned", s) == pytest.approx(459.90 + 648.0 + 2628.0)
    # Express at 4:1: broker-hours unchanged ($893.52), every per-GB line / 4: 893.52 + 1,304.22 / 4 = $1,219.58
    assert total("msk-express", scenario(write_mb_per_s=10, consumers=2, compression_ratio=4)) == pytest.approx(
        1219.576, abs=1e-2)


def test_kinesis_ignores_compression_unless_the_client_compresses() -> None:
    plain, squeezed = scenario(write_mb_per_s=10, avg_record_bytes=4096), scenario(
        write_mb_per_s=10, avg_record_bytes=4096, compression_ratio=4)
    for name in ("kinesis-provisioned", "kinesis-on-demand", "kinesis-on-demand-advantage"):
        assert total(name, squeezed) == pytest.approx(total(name, plain))
        assert any("NOT applied" in n for n in COST_MODELS.estimate(name, squeezed, PRICES).notes)
    # Client compresses each 4,096 B record 4:1 -> 1,024 B = 1 KB billed instead of 4 KB:
    # 2,441.40625 records/s x 1,024 B x 2,628,000 s = 6,118.789 GiB x $0.08 = $489.50 (was $1,958.01)
    client = scenario(write_mb_per_s=10, avg_record_bytes=4096, compression_ratio=4, kinesis_client_compression=True)
    assert items("kinesis-on-demand", client)["data in"] == pytest.approx(489.5031, abs=1e-3)
    assert items("kinesis-on-demand", plain)["data in"] == pytest.approx(1958.0126, abs=1e-3)
    # Provisioned: 2.5 MB/s and 2,441 records/s need 3 shards instead of 10.
    assert COST_MODELS.estimate("kinesis-provisioned", client, PRICES).sizing["shards"] == 3
    assert COST_MODELS.estimate("kinesis-provisioned", plain, PRICES).sizing["shards"] == 10


def test_client_compression_below_one_kb_saves_nothing_on_data_in() -> None:
    # 1,000 B records compressed 2:1 -> 500 B, still rounded up to 1 KB: data in unchanged, data out halves.
    plain = scenario(write_mb_per_s=1, avg_record_bytes=1000, consumers=1)
    client = scenario(write_mb_per_s=1, avg_record_bytes=1000, consumers=1, compression_ratio=2,
                      kinesis_client_compression=True)
    assert items("kinesis-on-demand", client)["data in"] == pytest.approx(items("kinesis-on-demand", plain)["data in"])
    assert items("kinesis-on-demand", client)["data out"] == pytest.approx(
        items("kinesis-on-demand", plain)["data out"] / 2)


# --- price dates and staleness ---------------------------------------------------------------------------------

def test_price_table_age_and_stale_warning() -> None:
    # 2024-07-01 to 2026-11-30: 184 days (rest of 2024) + 365 + 333 = 882 days.
    assert price_table_age_days(PRICES, date(2026, 11, 30)) == 882
    assert stale_prices_warning(PRICES, date(2024, 12, 28)) is None  # 180 days: not yet stale
    warning = stale_prices_warning(PRICES, date(2024, 12, 29))  # 181 days
    assert warning and "181 days" in warning and "`streamcompare prices refresh --region us-east-1`" in warning
    late = stale_prices_warning(PRICES, date(2026, 11, 30))
    assert late and "882 days" in late and "2022-01-01" in late  # MSK Serverless entries are older still
    caption = price_table_caption(PRICES, date(2026, 11, 30))
    assert "prices of 2024-07-01" in caption and "882 days old" in caption


def test_every_estimate_carries_its_price_table_date() -> None:
    for estimate in estimate_all(Scenario(), PRICES):
        assert estimate.prices_date == date(2024, 7, 1)
        assert estimate.as_dict()["prices_date"] == "2024-07-01"


# --- nonsense is rejected with the field named ------------------------------------------------------------------

@pytest.mark.parametrize(("data", "field"), [
    ({"write_mb_per_s": float("nan")}, "write_mb_per_s"),
    ({"write_mb_per_s": float("inf")}, "write_mb_per_s"),
    ({"retention_hours": float("nan")}, "retention_hours"),
    ({"hours_per_month": float("-inf")}, "hours_per_month"),
    ({"compression_ratio": float("nan")}, "compression_ratio"),
    ({"compression_ratio": 0.5}, "compression_ratio"),
    ({"compression_ratio": 1000}, "compression_ratio"),
    ({"kinesis_client_compression": "maybe"}, "kinesis_client_compression"),
    ({"sizing": {"gb_bytes": 1_000_000}}, "sizing.gb_bytes"),
    ({"sizing": {"headroom": float("nan")}}, "sizing.headroom"),
    ({"sizing": {"express_in_mb_per_s": float("inf")}}, "sizing.express_in_mb_per_s"),
    ({"sizing": {"min_volume_gb": 500, "max_volume_gb": 100}}, "sizing.min_volume_gb"),
    ({"ops": {"usd_per_hour": float("nan")}}, "ops.usd_per_hour"),
    ({"ops": {"hours_per_month": {"kafka-ec2": float("inf")}}}, "ops.hours_per_month.kafka-ec2"),
])
def test_nan_inf_and_nonsense_name_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as info:
        scenario_from_dict(data)
    assert info.value.field == field
    assert info.value.fix


def test_nan_error_says_finite() -> None:
    with pytest.raises(ConfigError) as info:
        scenario_from_dict({"write_mb_per_s": float("nan")})
    assert "finite" in str(info.value) and "finite" in (info.value.fix or "")
