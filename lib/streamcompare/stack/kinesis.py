"""A local Kinesis endpoint: kinesis-mock (npm `kinesis-local`, pinned) served over plain HTTP.

It is an emulator: it validates the API and limits but does not throttle data, and its latency and
throughput say nothing about AWS (see FACTS.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from streamcompare.paths import cache_dir
from streamcompare.stack import prereqs, process
from streamcompare.stack.cache import install_once, resource, run_tool

Progress = Callable[[str], None]

LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
"""kinesis-mock checks no signature; boto3 still needs some credentials to sign with."""
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


def client(endpoint: str, config: Any = None, region: str = LOCAL_REGION) -> Any:
    """A boto3 Kinesis client for the local endpoint (dummy credentials: kinesis-mock checks no signature)."""
    import boto3
    from botocore.config import Config

    return boto3.client("kinesis", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                        config=config or Config(retries={"max_attempts": 2, "mode": "standard"}))


def answers(endpoint: str) -> bool:
    """Ready means ListStreams answers."""
    from botocore.config import Config

    quick = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=2, read_timeout=3)
    client(endpoint, quick).list_streams(Limit=1)
    return True
