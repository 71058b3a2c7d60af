import json
import re
from pathlib import Path

import pytest
from fakes import make_result

from streamcompare.bench import results as results_mod
from streamcompare.bench.metadata import describe_target, redact, run_metadata
from streamcompare.bench.results import ResultExistsError, load_result, load_results, windows_frame
from streamcompare.bench.stats import LatencyHistogram
from streamcompare.errors import ConfigError
from streamcompare.target import Target

pytestmark = pytest.mark.unit


def test_json_round_trip_is_lossless(tmp_path: Path):
    r = make_result()
    path = r.write(tmp_path / "results")
    assert re.fullmatch(r"20261124T205701Z-kafka-quick-[0-9a-f]{8}\.json", path.name)
    back = load_result(path)
    assert back == r
    assert json.loads(path.read_text())["schema_version"] == 1
    h = LatencyHistogram.decode(back.histograms["publish_latency"])
    assert h.quantiles() == r.quantiles["publish_latency"]


def test_results_are_never_overwritten(tmp_path: Path):
    r = make_result()
    path = r.write(tmp_path)
    before = path.read_text()
    with pytest.raises(ResultExistsError, match="never overwritten"):
        r.write(tmp_path)
    assert path.read_text() == before
    make_result().write(tmp_path)  # another run: another file
    assert len(list(tmp_path.glob("*.json"))) == 2


def test_newer_files_are_refused_and_older_ones_upgraded(tmp_path: Path, monkeypatch):
    data = make_result().to_dict()
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({**data, "schema_version": 99}))
    with pytest.raises(ConfigError, match="newer than this kit"):
        load_result(newer)

    old = {k: v for k, v in data.items() if k != "labels"}
    old["schema_version"] = 0
    old["placement"] = None
    monkeypatch.setitem(results_mod.UPGRADES, 0, lambda d: {**d, "placement": {"upgraded": True}})
    older = tmp_path / "older.json"
    older.write_text(json.dumps(old))
    back = load_result(older)
    assert back.schema_version == 1 and back.placement == {"upgraded": True} and back.labels == {}

    unrelated = tmp_path / "other.json"
    unrelated.write_text('{"hello": 1}')
    with pytest.raises(ConfigError, match="schema_version"):
        load_result(unrelated)


def test_folder_loads_into_a_long_frame(tmp_path: Path):
    make_result("kafka").write(tmp_path)
    make_result("kinesis", utc="2026-11-24T21:00:00.000000Z").write(tmp_path)
    df = load_results(tmp_path)
    assert set(df.columns) >= {"run_id", "utc", "system", "target", "workload", "metric", "quantile",
                               "value_us"}
    assert len(df) == 2 * 3 * 7  # runs x metrics x (p50 p90 p99 p99.9 p99.99 max mean)
    kafka_p99 = df[(df.system == "kafka") & (df.metric == "publish_latency") & (df["quantile"] == "p99")]
    assert kafka_p99.value_us.item() == pytest.approx(5_000, rel=1e-3)
    assert df[df.metric == "e2e_latency"].value_us.isna().all()
    assert str(df.utc.dt.tz) == "UTC"
    assert df[df.system == "kinesis"].emulator.all() and not df[df.system == "kafka"].emulator.any()

    w = windows_frame(tmp_path)
    assert len(w) == 2 and list(w.acked) == [199, 199]


def test_empty_folder_gives_empty_frames(tmp_path: Path):
    assert load_results(tmp_path).empty and windows_frame(tmp_path).empty


def test_metadata_describes_machine_software_and_time():
    md = run_metadata({"librdkafka": "2.6.0"})
    assert md["machine"]["cpu_count"] >= 1 and md["python"]["version"].count(".") == 2
    assert md["versions"] == {"librdkafka": "2.6.0"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", md["utc"])
    commit = md["git"]["commit"]
    assert commit is None or re.fullmatch(r"[0-9a-f]{40}", commit)


def test_target_description_redacts_secrets_and_flags_emulators():
    given = {"endpoint_url": "http://localhost:4568", "aws_secret_access_key": "s3",
             "sasl": {"username": "u", "password": "p"}, "region": "us-east-1"}
    t = describe_target("kinesis", Target.from_json(given))
    assert t["kind"] == "local" and t["emulator"] is True
    assert t["aws_secret_access_key"] == "***" and t["sasl"] == {"username": "u", "password": "***"}
    assert t["region"] == "us-east-1"
    assert describe_target("kinesis", Target.from_json({"kind": "aws"}))["emulator"] is False
    assert describe_target("kafka", Target.from_json({"kind": "local"}))["emulator"] is False
    assert describe_target("kafka", Target.from_json({"kind": "local", "emulator": True}))["emulator"] is True
    assert redact({"token": None, "api_key": "x"}) == {"token": None, "api_key": "***"}
