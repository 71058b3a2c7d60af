"""A local Kinesis endpoint: kinesis-mock (npm `kinesis-local`, pinned) served over plain HTTP.

It is an emulator: it validates the API and limits but does not throttle data, and its latency and
throughput say nothing about AWS (see FACTS.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from streamcompare.paths import cache_dir
from streamcompare.stack import prereqs, process
from streamcompare.stack.cache import install_once, resource, run_tool

Progress = Callable[[str], None]

LOCAL_REGION = "us-east-1"


def pinned_version() -> str:
    return json.loads(resource("package.json"))["dependencies"]["kinesis-local"]


def package_dir(version: str | None = None) -> Path:
    return cache_dir() / f"kinesis-local-{version or pinned_version()}"


def main_js(version: str | None = None) -> Path:
    return package_dir(version) / "node_modules" / "kinesis-local" / "main.js"


def ensure_installed(progress: Progress = lambda _msg: None) -> Path:
    """Install the pinned kinesis-mock with npm (from the shipped lock file) into the cache, once."""
    version = pinned_version()

    def install(work: Path) -> Path:
        npm = prereqs.executable("npm")
        prereqs.node()
        (work / "package.json").write_text(resource("package.json"))
        (work / "package-lock.json").write_text(resource("package-lock.json"))
        progress(f"installing kinesis-mock {version} (npm kinesis-local) into {package_dir(version)}")
        run_tool([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=work, timeout_s=900,
                 what=f"npm installing kinesis-local {version}",
                 fix="check that the npm registry is reachable (npm config get registry)")
        return work

    return install_once(package_dir(version), install, version)


def start(home: Path, port: int, tls_port: int) -> process.ProcessRecord:
    """Start kinesis-mock on 127.0.0.1:port (plain HTTP); it also needs a TLS port and its certificate."""
    home.mkdir(parents=True, exist_ok=True)
    script = main_js()
    env = {
        "KINESIS_MOCK_PLAIN_PORT": str(port),
        "KINESIS_MOCK_TLS_PORT": str(tls_port),
        "KINESIS_MOCK_CERT_PATH": str(script.parent / "server.json"),  # it crashes at start without it
        "LOG_LEVEL": "WARN",
        "AWS_REGION": LOCAL_REGION,
    }
    return process.start("kinesis-mock", [prereqs.node(), str(script)], log=home / "kinesis.log",
                         pid_file=home / "kinesis.pid", env=env)


def answers(endpoint: str) -> bool:
    """Ready means ListStreams answers (a plain HTTP call: the stack needs no AWS SDK)."""
    import urllib.request

    request = urllib.request.Request(
        endpoint.rstrip("/") + "/", data=b'{"Limit": 1}', method="POST",
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams",
                 "X-Amz-Date": "20260101T000000Z",
                 "Authorization": "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/kinesis/aws4_request, "
                                  "SignedHeaders=host, Signature=0"})
    with urllib.request.urlopen(request, timeout=3) as response:
        json.loads(response.read() or b"{}")
    return True
