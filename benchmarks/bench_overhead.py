"""(c) The harness's own CPU per record, measured with the null driver (bench_null_driver.py).

`run_benchmark` runs at a fixed rate with one producer and one consumer in its spawned child
process, exactly as for a real system, but the "system" acknowledges at once and hands records over
a named pipe in batches, so nearly all the CPU spent is the harness's. Per record, in the steady part
of the run (set-up, start-up and the final merge are fixed costs, reported apart):
- producer process: `time.process_time()` (all its threads) from the runner's first `run` progress
  report to its `drain` report, over the records sent in between: the open-loop send loop and its
  rate limiter, payloads, acknowledgement handling, histograms, windows, the main thread pumping
  the consumer's messages, and the final flush;
- consumer child: its process CPU from the first batch received to the last one handled, as the null
  consumer reports it: reading, receive tracking, de-duplication, e2e histogram, progress messages.
Headline: the harness as shipped (default clock) at the standard workload's rate. Its rate limiter
waits for each send by sleeping (in the client's poll) and then spinning the last SPIN_NS with
sched_yield, so at a fixed rate most of its CPU is waiting, not work. Two more runs split that up:
the same rate with the final spin disabled (MonotonicClock(spin_ns=0): sleep/wake-up plus work), and
an open-loop run far above capacity (always behind schedule, never waits: the work alone). The null
driver's own cost (batching, the pipe, splitting) is measured alone so it can be subtracted.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_common import Sizes, children_cpu_s, say
from bench_null_driver import NullAdmin, NullConsumer, NullProducer, cpu_report_path, fifo_path

from streamcompare.bench.clock import SPIN_NS, MonotonicClock
from streamcompare.bench.runner import Progress, run_benchmark
from streamcompare.bench.workload import builtin_workload
from streamcompare.drivers.base import StreamSpec
from streamcompare.target import Target

DRIVER = "bench_null_driver:NullDriver"
RECORD_BYTES = 100


class SteadyCpu:
    """Progress callback that notes this process's CPU at the first `run` report and at `drain`.

    The runner reports `run` once a second while the producers send and `drain` right after they
    finished (and flushed): the CPU between the two, over the records sent in between, is the
    producer process's per-record cost without its set-up and tear-down.
    """

    def __init__(self) -> None:
        self.first: tuple[float, int] | None = None
        self.end: tuple[float, int] | None = None

    def __call__(self, event: Progress) -> None:
        if event.phase == "run" and self.first is None:
            self.first = (time.process_time(), event.sent)
        elif event.phase == "drain" and self.end is None:
            self.end = (time.process_time(), event.acked)  # the null driver acknowledges every record at once

    def per_record_us(self) -> float | None:
        if self.first is None or self.end is None or self.end[1] <= self.first[1]:
            return None
        return (self.end[0] - self.first[0]) / (self.end[1] - self.first[1]) * 1e6


def _run(token: str, label: str, clock: MonotonicClock, rate: int, duration_s: float,
         warmup_s: float) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"scb-{token}-null-"))
    try:
        workload = builtin_workload("quick").with_overrides(
            name=f"bench-{token}-{label}", partitions=1, replication_factor=1, min_insync_replicas=1,
            record_bytes=RECORD_BYTES, key_distribution="none", rate=rate, duration_s=duration_s,
            warmup_s=warmup_s, producers=1, consumers=1, drain_timeout_s=60)
        steady = SteadyCpu()
        cpu0, children0, t0 = time.process_time(), children_cpu_s(), time.monotonic()
        target = Target.from_json({"kind": "local", "null_dir": str(folder), "emulator": True})
        result = run_benchmark(DRIVER, target, workload,
                               clock=clock, consumer_in_subprocess=True, progress=steady)
        parent_cpu, wall = time.process_time() - cpu0, time.monotonic() - t0
        child_total = children_cpu_s() - children0
        report = json.loads(cpu_report_path(folder, str(result.placement["stream"]), 0).read_text())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    records = int(result.counts["sent"])
    if not records or result.counts["lost"] or not result.counts["drained"]:
        raise RuntimeError(f"null-driver run incomplete: {result.counts}")
    producer_us, active = steady.per_record_us(), report.get("active")
    if producer_us is None or not active:
        raise RuntimeError("null-driver run too short to see a steady phase; raise the rate or the duration")
    consumer_us = active["cpu_s"] / active["records"] * 1e6
    return {
        "records": records, "rate": rate, "wall_s": round(wall, 2),
        "producer_process_us": producer_us, "consumer_child_us": consumer_us, "total_us": producer_us + consumer_us,
        "whole_run_us": (parent_cpu + report["cpu_s"]) / records * 1e6,
        "producer_process_cpu_s": round(parent_cpu, 3), "consumer_cpu_s": round(report["cpu_s"], 3),
        "child_startup_cpu_s": round(max(0.0, child_total - report["cpu_s"]), 3),
        "received": report["records"], "publish_delay_p99_us": result.quantiles["publish_delay"].get("p99"),
        "achieved_rate": float(result.throughput["ack_rate"]),
    }


def null_driver_cost(records: int = 100_000) -> float:
    """CPU per record of the null driver alone (producer batching, pipe, consumer splitting), no harness."""
    folder = Path(tempfile.mkdtemp(prefix="scb-null-alone-"))
    try:
        NullAdmin(folder).create(StreamSpec(name="alone"))
        consumer = NullConsumer(fifo_path(folder, "alone"), folder / "alone.cpu.json")
        value, received = bytes(RECORD_BYTES), 0

        def ack(_value: bytes, _err: BaseException | None) -> None:
            return None

        producer = NullProducer(fifo_path(folder, "alone"), ack)

        cpu0 = time.process_time()
        for i in range(records):
            producer.send(b"", value)
            if i % 1024 == 1023:
                received += len(consumer.poll(0))
        producer.flush(1)
        while received < records:
            received += len(consumer.poll(1))
        cpu = time.process_time() - cpu0
        producer.close()
        consumer.close()
        return cpu / records * 1e6
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(sizes: Sizes, token: str) -> dict[str, Any]:
    """Per-record CPU at the standard rate (headline), without the final spin, with no waiting at all."""
    rate, seconds, warmup = sizes.overhead_rate, sizes.overhead_s, sizes.overhead_warmup_s
    say(f"(c) harness CPU: null driver at {rate:,}/s for {seconds:g} s (+{warmup:g} s warm-up), "
        "1 consumer in a child process, default clock")
    default = _run(token, "null-default", MonotonicClock(), rate, seconds, warmup)
    say(f"  -> {default['total_us']:.1f} us CPU/record (producer process {default['producer_process_us']:.1f}, "
        f"consumer child {default['consumer_child_us']:.1f})")
    say(f"(c) same with the rate limiter's final {SPIN_NS // 1000} us spin disabled (MonotonicClock(spin_ns=0))")
    no_spin = _run(token, "null-nospin", MonotonicClock(spin_ns=0), rate, seconds, warmup)
    say(f"  -> {no_spin['total_us']:.1f} us CPU/record")
    say(f"(c) no waiting at all: null driver in open loop at {sizes.overhead_saturation_rate:,}/s "
        f"for {sizes.overhead_saturation_s:g} s (always behind schedule)")
    busy = _run(token, "null-saturated", MonotonicClock(), sizes.overhead_saturation_rate,
                sizes.overhead_saturation_s, 0.0)
    say(f"  -> {busy['total_us']:.1f} us CPU/record at {busy['achieved_rate']:,.0f} records/s")
    driver_us = null_driver_cost()
    say(f"(c) the null driver alone: {driver_us:.2f} us CPU/record")
    return {"default_clock": default, "no_spin": no_spin, "saturated": busy, "spin_ns": SPIN_NS,
            "null_driver_us": driver_us, "harness_cpu_us_per_record": default["total_us"],
            "spin_us_per_record": default["total_us"] - no_spin["total_us"]}
