"""JupyterLab and Chromium for the browser tier, each started in a session of its own and stopped by PID.

`jupyter_lab(root, work)` serves `root` on 127.0.0.1 (free port, random token) with its settings, workspaces
and runtime files under `work`, so nothing of the user's JupyterLab setup is read or written.
`chromium(work)` starts Debian's Chromium headless with the DevTools protocol on a loopback port; the
caller attaches Playwright with `connect_over_cdp`. Playwright never downloads or launches a browser here.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from browser.procs import stop_tree

CHROMIUM = Path(os.environ.get("STREAMCOMPARE_CHROMIUM", "/usr/bin/chromium"))
LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
    "--disable-extensions", "--mute-audio", "--hide-scrollbars",
    # names other than loopback do not resolve (the page's requests are also routed, see lab.block_network)
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
SETTINGS = {  # no request to the news feed or the update check, which would leave the machine
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
}


@dataclass(frozen=True)
class Lab:
    url: str  # http://127.0.0.1:<port>
    token: str
    root: Path
    log: Path
    pid: int

    def tree(self, path: str) -> str:
        """The URL opening `path` (relative to root) in JupyterLab, logged in by the token."""
        return f"{self.url}/lab/tree/{path}?token={self.token}&reset"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def jupyter_lab(root: Path, work: Path, env: dict[str, str] | None = None, timeout_s: float = 90) -> Iterator[Lab]:
    """A JupyterLab serving `root`; stopped with its kernels (by PID) when the block ends, also on failure."""
    work.mkdir(parents=True, exist_ok=True)
    for name, values in SETTINGS.items():
        path = work / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    jupyter = Path(sys.executable).parent / "jupyter"
    cmd = [str(jupyter), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           *(["--allow-root"] if os.geteuid() == 0 else [])]  # CI runs as root
    full_env = {**os.environ, "JUPYTER_CONFIG_DIR": str(work / "config"),
                "JUPYTERLAB_SETTINGS_DIR": str(work / "settings"),
                "JUPYTERLAB_WORKSPACES_DIR": str(work / "workspaces"), "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
                "PYTHONUNBUFFERED": "1", **(env or {})}
    log = work / "jupyterlab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        lab = Lab(f"http://127.0.0.1:{port}", token, root, log, proc.pid)
        _wait_ready(proc, f"{lab.url}/api/status?token={token}", log, timeout_s)
        yield lab
    finally:
        stop_tree(proc)


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer within {timeout_s:.0f} s:\n{_tail(log)}")


@dataclass(frozen=True)
class Browser:
    cdp_url: str  # http://127.0.0.1:<port> for Playwright's connect_over_cdp
    pid: int
    log: Path


@contextmanager
def chromium(work: Path, timeout_s: float = 30) -> Iterator[Browser]:
    """Headless Chromium with the DevTools protocol on a loopback port; stopped by PID when the block ends."""
    profile = work / "profile"
    profile.mkdir(parents=True, exist_ok=True)
    log = work / "chromium.log"
    cmd = [str(CHROMIUM), *CHROMIUM_FLAGS, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
           f"--user-data-dir={profile}", "about:blank"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    try:
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout_s
        while not (active.exists() and active.read_text().strip()):
            if proc.poll() is not None:
                raise RuntimeError(f"Chromium exited with {proc.returncode}:\n{_tail(log)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Chromium opened no DevTools port within {timeout_s:.0f} s:\n{_tail(log)}")
            time.sleep(0.1)
        port = int(active.read_text().splitlines()[0])
        yield Browser(f"http://127.0.0.1:{port}", proc.pid, log)
    finally:
        stop_tree(proc)


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
