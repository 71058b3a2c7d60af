"""Signals reach the harness the way they reach `streamcompare bench`, without the live stack (issue 15).

A child Python runs `run_benchmark` with the file-backed fake driver and its consumer in a spawned
grandchild, under the CLI's signal handling and error boundary. SIGTERM and SIGINT must stop it within
seconds, reap the consumer, say what was cleaned and exit 143 / 130; after SIGKILL the consumer exits
by itself (it watches its parent) and the ledger lets `cleanup --local` finish the job.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from streamcompare.cleanup.local import cleanup_local
from streamcompare.stack.ledger import read_ledgers

pytestmark = pytest.mark.integration  # starts Python processes (no stack)
UNIT = Path(__file__).parent

SCRIPT = """
import sys
sys.path.insert(0, {unit!r})
from streamcompare import interrupt
from streamcompare.cli import boundary
from streamcompare.bench.runner import run_benchmark
from streamcompare.bench.workload import validate_workload
from streamcompare.target import Target

interrupt.install()
w = validate_workload({{"name": "sig", "rate": 200, "duration_s": 60, "record_bytes": 64, "drain_timeout_s": 5}})
try:
    target = Target.from_json({{"log_dir": {logs!r}, "kind": "local", "run_dir": {run_dir!r}}})
    run_benchmark("fakes:FakeDriver", target, w,
                  consumer_in_subprocess=True, seed=1)
    print("finished")
except BaseException as exc:
    sys.exit(boundary.report(exc))
"""


def start(tmp_path: Path) -> tuple[subprocess.Popen[str], list[int]]:
    run_dir = tmp_path / "stack"
    code = SCRIPT.format(unit=str(UNIT), logs=str(tmp_path / "logs"), run_dir=str(run_dir))
    proc = subprocess.Popen([sys.executable, "-c", code], text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ledgers = [le for le in read_ledgers(run_dir) if le.owner.pid == proc.pid]
        consumers = [p for le in ledgers for p in le.processes if p.name.startswith("sc-consumer")]
        if consumers and all(p.is_running() for p in consumers):
            time.sleep(1.0)  # producing and consuming
            return proc, [p.pid for p in consumers]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    proc.kill()
    raise AssertionError(proc.communicate())


def running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_stops_the_run_cleanly(tmp_path: Path, signum: int, code: int) -> None:
    proc, consumers = start(tmp_path)
    sent = time.monotonic()
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    assert proc.returncode == code, err
    assert took < 10, took
    assert "finished" not in out and "Traceback" not in err
    assert f"interrupted by {signal.Signals(signum).name}" in err
    assert "stopped 1 fake producer(s)" in err and "stopped 1 fake consumer(s)" in err
    assert "deleted fake stream sc-sig-" in err
    assert not any(running(pid) for pid in consumers)
    assert read_ledgers(tmp_path / "stack") == []  # a clean stop leaves no record behind


def test_after_sigkill_the_consumer_exits_by_itself_and_cleanup_finds_the_record(tmp_path: Path) -> None:
    proc, consumers = start(tmp_path)
    proc.kill()
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 5
    while any(running(pid) for pid in consumers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(running(pid) for pid in consumers), "the consumer outlived the killed kit"
    (left,) = read_ledgers(tmp_path / "stack")
    assert left.owner.pid == proc.pid and not left.owner.is_running()
    lines = cleanup_local(tmp_path / "stack")
    assert read_ledgers(tmp_path / "stack") == []
    assert any("no local stack state" in line for line in lines), lines
