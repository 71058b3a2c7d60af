"""The fidelity layer's HTTP server (aiohttp): forwards Kinesis API calls to kinesis-mock, enforcing
the documented limits and injecting the configured faults, and serves the control endpoint.

Control endpoint (loopback only): GET/POST /__streamcompare/faults, GET/POST /__streamcompare/limits,
POST /__streamcompare/reset (faults off, counters zeroed), GET /__streamcompare/stats.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import struct
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

from streamcompare.errors import ConfigError
from streamcompare.stack.kinesis_limits import awserrors, codec
from streamcompare.stack.kinesis_limits.admission import RESHARDING, Admission
from streamcompare.stack.kinesis_limits.headroom import UpstreamTimes, assess
from streamcompare.stack.kinesis_limits.routing import stream_name
from streamcompare.stack.kinesis_limits.settings import Faults, Limits

CONTROL = "/__streamcompare"
HOP_BY_HOP = frozenset({"host", "content-length", "transfer-encoding", "connection", "keep-alive",
                        "accept-encoding", "proxy-connection", "te", "upgrade"})
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
SIGNING = {"X-Amz-Date": "20260101T000000Z",
           "Authorization": "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/kinesis/aws4_request, "
                            "SignedHeaders=host, Signature=0"}


class Layer:
    """State of one running layer: settings, admission, counters, the upstream session."""

    def __init__(self, upstream: str, limits: Limits, faults: Faults) -> None:
        self.upstream = upstream.rstrip("/")
        self.limits = limits
        self.faults = faults
        self.rng = random.Random(faults.seed)
        self.admission = Admission(limits, self._fetch_shards)
        self.counters: Counter[str] = Counter()
        self.upstream_times = UpstreamTimes()
        self.session: ClientSession | None = None

    # -- upstream --------------------------------------------------------------------------------
    async def start(self) -> None:
        self.session = ClientSession(connector=TCPConnector(limit=128, keepalive_timeout=60),
                                     timeout=ClientTimeout(total=120), auto_decompress=False,
                                     skip_auto_headers=("Accept-Encoding", "User-Agent", "Content-Type"))

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()

    async def forward(self, path: str, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Send one call to the emulator; data-plane calls are timed (emulator headroom, headroom.py)."""
        assert self.session is not None
        clean = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
        began = time.perf_counter()
        async with self.session.post(self.upstream + path, data=body, headers=clean) as response:
            data = await response.read()
            out = {k: v for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP}
        operation = str(headers.get("X-Amz-Target", "")).rsplit(".", 1)[-1]
        if operation in ("PutRecord", "PutRecords", "GetRecords") and response.status == 200:
            # entries of a PutRecords, counted without decoding (each carries one PartitionKey key)
            records = body.count(b"PartitionKey") if operation == "PutRecords" else 1
            self.upstream_times.add(operation, time.perf_counter() - began, max(1, records))
        return response.status, out, data

    async def call(self, operation: str, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """One JSON call of the layer's own to the emulator (ListShards, DescribeStreamSummary)."""
        headers = {"Content-Type": codec.JSON_TYPE, "X-Amz-Target": f"Kinesis_20131202.{operation}", **SIGNING}
        status, _headers, data = await self.forward("/", headers, json.dumps(body).encode())
        return status, (json.loads(data) if data else {})

    async def _fetch_shards(self, stream: str) -> tuple[list[Mapping[str, Any]], bool] | None:
        self.counters["shard_map_refreshes"] += 1
        status, summary = await self.call("DescribeStreamSummary", {"StreamName": stream})
        if status != 200:
            return None
        on_demand = summary.get("StreamDescriptionSummary", {}).get("StreamModeDetails", {}).get(
            "StreamMode") == "ON_DEMAND"
        shards: list[Mapping[str, Any]] = []
        request: dict[str, Any] = {"StreamName": stream}
        while True:
            status, page = await self.call("ListShards", request)
            if status != 200:
                return None
            shards += page.get("Shards", [])
            token = page.get("NextToken")
            if not token:
                return shards, on_demand
            request = {"NextToken": token}

    # -- settings --------------------------------------------------------------------------------
    def set_faults(self, faults: Faults) -> None:
        self.faults = faults
        self.rng = random.Random(faults.seed)

    def set_limits(self, limits: Limits) -> None:
        self.limits = limits
        self.admission = Admission(limits, self._fetch_shards)  # fresh windows with the new figures

    def describe(self) -> dict[str, Any]:
        times = self.upstream_times.summary()
        return {"upstream": self.upstream, "limits": self.limits.to_dict(), "faults": self.faults.to_dict(),
                "emulator_calls": times, "headroom": assess(times, self.limits.to_dict(), self.admission.widest())}


LAYER = web.AppKey("layer", Layer)


def _answer(status: int, headers: Mapping[str, str], body: bytes) -> web.Response:
    return web.Response(status=status, headers=headers, body=body)


def _reset(request: web.Request) -> web.Response:
    """Cut the client's connection with a TCP reset (SO_LINGER 0), as a failing load balancer would."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    return web.Response(status=500)  # never reaches the client


async def handle(request: web.Request) -> web.StreamResponse:
    layer: Layer = request.app[LAYER]
    body = await request.read()
    target = request.headers.get("X-Amz-Target", "")
    operation = target.rsplit(".", 1)[-1]
    content_type = request.headers.get("Content-Type")
    counters = layer.counters
    counters[f"requests.{operation}"] += 1
    faults = layer.faults
    if faults.active and operation in faults.operations:
        delay = faults.service_time.sample_s(layer.rng)
        if delay > 0:
            await asyncio.sleep(delay)
        roll = layer.rng.random()
        for code, fraction in ((awserrors.INTERNAL_FAILURE, faults.internal_failure),
                               (awserrors.SERVICE_UNAVAILABLE, faults.service_unavailable)):
            if roll < fraction:
                counters[f"faults.{code}"] += 1
                return _answer(*awserrors.error_answer(code, None, content_type))
            roll -= fraction
        if roll < faults.connection_reset:
            counters["faults.connection_reset"] += 1
            return _reset(request)
    drop = (faults.drop_response > 0 and operation in ("PutRecord", "PutRecords")
            and operation in faults.operations and layer.rng.random() < faults.drop_response)
    answer = await _limited(layer, request.path, operation, request.headers, body, content_type) \
        if layer.limits.enabled else None
    if answer is None:
        answer = await layer.forward(request.path, request.headers, body)
    if drop and answer[0] == 200:
        counters["faults.drop_response"] += 1
        return _reset(request)
    return _answer(*answer)


async def _limited(layer: Layer, path: str, operation: str, headers: Mapping[str, str], body: bytes,
                   content_type: str | None) -> tuple[int, dict[str, str], bytes] | None:
    """Apply the limits; None = forward the request unchanged."""
    if operation not in ("PutRecord", "PutRecords", "GetRecords", "GetShardIterator") and operation not in RESHARDING:
        return None
    try:
        request = codec.decode(body, content_type)
    except codec.BodyError:
        layer.counters["unreadable_bodies"] += 1
        return None
    admission, counters = layer.admission, layer.counters
    name = stream_name(request)
    if operation in RESHARDING:
        answer = await layer.forward(path, headers, body)
        if name:
            admission.resharded(name)
        return answer
    if operation == "PutRecord" and name:
        verdict = await admission.admit_writes(name, [request])
        if verdict is not None and verdict.rejected:
            counters["throttled.PutRecord"] += 1
            counters["throttled_entries"] += 1
            return awserrors.error_answer(awserrors.THROTTLED, verdict.rejected[0]["ErrorMessage"], content_type)
        return None
    if operation == "PutRecords" and name:
        entries = list(request.get("Records") or [])
        verdict = await admission.admit_writes(name, entries)
        if verdict is None or not verdict.rejected:
            return None
        counters["throttled.PutRecords"] += 1
        counters["throttled_entries"] += len(verdict.rejected)
        upstream: dict[str, Any] | None = None
        status, out_headers = 200, {"Content-Type": codec.response_type(content_type)}
        if verdict.accepted:
            forwarded = {**request, "Records": [entries[i] for i in verdict.accepted]}
            status, out_headers, data = await layer.forward(path, headers, codec.encode(forwarded, content_type))
            if status != 200:
                return status, out_headers, data
            upstream = codec.decode(data, out_headers.get("Content-Type", content_type))
        merged = awserrors.merge_put_records(len(entries), verdict.accepted, upstream, verdict.rejected)
        return status, out_headers, codec.encode(merged, content_type)
    if operation == "GetShardIterator" and name:
        status, out_headers, data = await layer.forward(path, headers, body)
        if status == 200:
            issued = codec.decode(data, out_headers.get("Content-Type", content_type))
            admission.remember_iterator(issued.get("ShardIterator"), name, str(request.get("ShardId")))
        return status, out_headers, data
    if operation == "GetRecords":
        where = admission.iterator_shard(str(request.get("ShardIterator", "")))
        if where is None:
            counters["unknown_iterators"] += 1
            return None
        stream, shard_id = where
        message = await admission.admit_read(stream, shard_id)
        if message is not None:
            counters["throttled.GetRecords"] += 1
            return awserrors.error_answer(awserrors.THROTTLED, message, content_type)
        status, out_headers, data = await layer.forward(path, headers, body)
        if status == 200:
            page = codec.decode(data, out_headers.get("Content-Type", content_type))
            records = page.get("Records") or []
            admission.charge_read(stream, shard_id, sum(codec.blob_size(r.get("Data")) for r in records))
            admission.remember_iterator(page.get("NextShardIterator"), stream, shard_id)
        return status, out_headers, data
    return None


# -- control endpoint ------------------------------------------------------------------------------
def _loopback_only(request: web.Request) -> None:
    if request.remote not in LOOPBACK:
        raise web.HTTPForbidden(text="the control endpoint answers loopback clients only")


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json() if request.can_read_body else {}
    except ValueError:
        raise web.HTTPBadRequest(text=json.dumps({"error": "body is not JSON"}),
                                 content_type="application/json") from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text=json.dumps({"error": "body must be a JSON object"}),
                                 content_type="application/json")
    return data


def _config_error(exc: ConfigError) -> web.Response:
    return web.json_response({"error": exc.message, "field": exc.field, "fix": exc.fix}, status=400)


async def faults_view(request: web.Request) -> web.Response:
    _loopback_only(request)
    layer: Layer = request.app[LAYER]
    if request.method == "POST":
        try:
            layer.set_faults(Faults.from_dict(await _json_body(request)))
        except ConfigError as exc:
            return _config_error(exc)
    return web.json_response(layer.faults.to_dict())


async def limits_view(request: web.Request) -> web.Response:
    _loopback_only(request)
    layer: Layer = request.app[LAYER]
    if request.method == "POST":
        try:
            layer.set_limits(Limits.from_dict({**layer.limits.to_dict(), **await _json_body(request)}))
        except ConfigError as exc:
            return _config_error(exc)
    return web.json_response(layer.limits.to_dict())


async def reset_view(request: web.Request) -> web.Response:
    _loopback_only(request)
    layer: Layer = request.app[LAYER]
    layer.set_faults(Faults())
    layer.set_limits(layer.limits)
    layer.counters.clear()
    layer.upstream_times.clear()
    return web.json_response(layer.describe())


async def stats_view(request: web.Request) -> web.Response:
    _loopback_only(request)
    layer: Layer = request.app[LAYER]
    return web.json_response({**layer.describe(), "counters": dict(layer.counters)})


def make_app(layer: Layer) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[LAYER] = layer
    app.router.add_route("*", f"{CONTROL}/faults", faults_view)
    app.router.add_route("*", f"{CONTROL}/limits", limits_view)
    app.router.add_post(f"{CONTROL}/reset", reset_view)
    app.router.add_get(f"{CONTROL}/stats", stats_view)
    app.router.add_route("*", "/{tail:.*}", handle)

    async def on_startup(_app: web.Application) -> None:
        await layer.start()

    async def on_cleanup(_app: web.Application) -> None:
        await layer.close()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app
