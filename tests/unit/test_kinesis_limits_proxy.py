"""The layer's HTTP handling in-process: a tiny stand-in upstream (ListShards, PutRecords) behind the real
aiohttp app, so merging, protocols, faults and the control endpoint are checked without any process.
The live behaviour against kinesis-mock is tests/integration/test_kinesis_fidelity_live.py."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import aiohttp
import cbor2
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from streamcompare.stack.kinesis_limits.proxy import CONTROL, Layer, make_app
from streamcompare.stack.kinesis_limits.settings import Faults, Limits

pytestmark = pytest.mark.unit
HALF = 2**127


def _upstream() -> tuple[web.Application, list[dict[str, Any]]]:
    written: list[dict[str, Any]] = []

    async def handle(request: web.Request) -> web.Response:
        op = request.headers["X-Amz-Target"].rsplit(".", 1)[1]
        cbor = "cbor" in request.headers.get("Content-Type", "")
        body = cbor2.loads(await request.read()) if cbor else json.loads(await request.read())
        if op == "DescribeStreamSummary":
            answer: dict[str, Any] = {"StreamDescriptionSummary": {"StreamModeDetails": {"StreamMode": "PROVISIONED"}}}
        elif op == "ListShards":
            answer = {"Shards": [
                {"ShardId": "shardId-0", "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": str(HALF - 1)},
                 "SequenceNumberRange": {"StartingSequenceNumber": "1"}},
                {"ShardId": "shardId-1",
                 "HashKeyRange": {"StartingHashKey": str(HALF), "EndingHashKey": str(2**128 - 1)},
                 "SequenceNumberRange": {"StartingSequenceNumber": "1"}}]}
        elif op == "PutRecords":
            written.extend(body["Records"])
            answer = {"FailedRecordCount": 0, "Records": [
                {"SequenceNumber": str(len(written) - len(body["Records"]) + i), "ShardId": "shardId-x"}
                for i in range(len(body["Records"]))]}
        else:
            answer = {}
        data = cbor2.dumps(answer) if cbor else json.dumps(answer).encode()
        return web.Response(body=data, content_type="application/x-amz-cbor-1.1" if cbor
                            else "application/x-amz-json-1.1")

    app = web.Application()
    app.router.add_post("/", handle)
    return app, written


async def _with_layer(limits: Limits, faults: Faults, body: Any) -> Any:
    upstream_app, written = _upstream()
    async with TestServer(upstream_app) as upstream:
        layer = Layer(str(upstream.make_url("/")), limits, faults)
        async with TestServer(make_app(layer)) as server, aiohttp.ClientSession() as session:
            return await body(session, str(server.make_url("")), written)


def _put(session: aiohttp.ClientSession, url: str, records: list[dict[str, Any]], cbor: bool = False) -> Any:
    payload = {"StreamName": "s", "Records": records}
    data = cbor2.dumps(payload) if cbor else json.dumps(payload).encode()
    return session.post(url + "/", data=data, headers={
        "Content-Type": "application/x-amz-cbor-1.1" if cbor else "application/x-amz-json-1.1",
        "X-Amz-Target": "Kinesis_20131202.PutRecords"})


def _keyed(n: int, shard: int) -> list[dict[str, Any]]:
    key = str(HALF + 5) if shard else "5"
    return [{"Data": base64.b64encode(b"d%d" % i).decode(), "PartitionKey": f"p{i}", "ExplicitHashKey": key}
            for i in range(n)]


def test_put_records_forwards_accepted_entries_and_answers_in_order() -> None:
    async def body(session: aiohttp.ClientSession, url: str, written: list[dict[str, Any]]) -> None:
        records = [r for pair in zip(_keyed(3, 0), _keyed(3, 1), strict=True) for r in pair]  # 0,1,0,1,0,1
        async with _put(session, url, records) as response:
            answer = await response.json(content_type=None)
        assert response.status == 200
        assert answer["FailedRecordCount"] == 2, "shard 0 takes 2 records/s here, shard 1 takes 2"
        codes = [r.get("ErrorCode") for r in answer["Records"]]
        assert codes == [None, None, None, None, "ProvisionedThroughputExceededException",
                         "ProvisionedThroughputExceededException"]
        assert [r["PartitionKey"] for r in written] == ["p0", "p0", "p1", "p1"]
        assert "shardId-0" in answer["Records"][4]["ErrorMessage"]

    asyncio.run(_with_layer(Limits(write_records_per_s=2), Faults(), body))


def test_cbor_bodies_pass_through_and_are_answered_in_cbor() -> None:
    async def body(session: aiohttp.ClientSession, url: str, written: list[dict[str, Any]]) -> None:
        records = [{"Data": b"raw", "PartitionKey": "k", "ExplicitHashKey": "1"} for _ in range(3)]
        async with _put(session, url, records, cbor=True) as response:
            assert "cbor" in response.headers["Content-Type"]
            answer = cbor2.loads(await response.read())
        assert answer["FailedRecordCount"] == 1
        assert written[0]["Data"] == b"raw"

    asyncio.run(_with_layer(Limits(write_records_per_s=2), Faults(), body))


def test_limits_off_passes_everything() -> None:
    async def body(session: aiohttp.ClientSession, url: str, written: list[dict[str, Any]]) -> None:
        async with _put(session, url, _keyed(50, 0)) as response:
            assert (await response.json(content_type=None))["FailedRecordCount"] == 0
        assert len(written) == 50

    asyncio.run(_with_layer(Limits(enabled=False, write_records_per_s=2), Faults(), body))


def test_injected_failures_and_dropped_responses() -> None:
    async def body(session: aiohttp.ClientSession, url: str, written: list[dict[str, Any]]) -> None:
        async with _put(session, url, _keyed(1, 0)) as response:
            assert response.status == 503
            assert (await response.json(content_type=None))["__type"] == "ServiceUnavailable"
        assert written == []
        async with session.post(url + CONTROL + "/faults", json={"drop_response": 1.0}) as response:
            assert (await response.json())["drop_response"] == 1.0
        with pytest.raises(aiohttp.ClientError):
            async with _put(session, url, _keyed(1, 0)) as response:
                await response.read()
        assert len(written) == 1, "the write was applied before the response was dropped"
        async with session.post(url + CONTROL + "/faults", json={"connection_reset": 2}) as response:
            problem = await response.json()
        assert response.status == 400 and problem["field"] == "faults.connection_reset"
        async with session.post(url + CONTROL + "/reset", json={}) as response:
            assert (await response.json())["faults"]["drop_response"] == 0.0
        async with session.get(url + CONTROL + "/stats") as response:
            assert (await response.json())["counters"] == {}

    asyncio.run(_with_layer(Limits(), Faults(service_unavailable=1.0), body))


def test_stats_carry_the_emulators_call_times_and_headroom() -> None:
    async def body(session: aiohttp.ClientSession, url: str, written: list[dict[str, Any]]) -> None:
        for _ in range(3):
            async with _put(session, url, _keyed(100, 0)) as response:
                assert response.status == 200
        async with session.get(url + CONTROL + "/stats") as response:
            stats = await response.json()
        calls = stats["emulator_calls"]["PutRecords"]
        assert calls["calls"] == 3 and calls["p50_ms"] > 0
        assert calls["records_per_busy_s"] > 1_000, "the in-process stand-in answers 100 records in under 0.1 s"
        assert stats["headroom"]["backend_bound"] is False
        async with session.post(url + CONTROL + "/reset") as response:
            assert (await response.json())["emulator_calls"] == {}

    asyncio.run(_with_layer(Limits(), Faults(), body))
