"""(a) The harness's maximum Kafka producer rate against Kafka's own ProducerPerformance.

Both sides use the same cluster, 100-byte records, acks=1, linger.ms=5, batch.size=16384, no
compression, no keys (the sticky partitioner in both clients), and a fresh topic each time with the
same partitions and replication factor. Definitions (see benchmarks/README.md):

- ProducerPerformance (`--throughput -1`): a closed loop that sends as fast as its buffer allows.
  Its figure is the records/sec of its final summary line: every record, from the first send to the
  last acknowledgement (producer.close()), JVM start-up and JIT warm-up included.
- Harness saturation: `run_benchmark` in open loop at a target rate far above what the machine can
  carry (the producer is always behind schedule, so it sends as fast as it can), publish only
  (consumers=0), no warm-up: acknowledged records / run time, the same whole-run definition.
- Steady state (cross-check for both): acknowledgements per second after the first few seconds,
  from ProducerPerformance's 1 s progress lines and from the harness's 1 s windows.
- Harness maximum *sustainable* rate: the runner's own max-rate search (bench/maxrate.py: achieved
  >= 95% of target, publish delay p99 <= 100 ms, ...), seeded around the saturation figure.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench_common import CpuBusy, Sizes, children_cpu_s, median, say

from streamcompare.bench.runner import Progress, run_benchmark
from streamcompare.bench.workload import Workload, builtin_workload
from streamcompare.drivers.base import StreamSpec
from streamcompare.drivers.kafka import KafkaDriver
from streamcompare.target import Target

PP_CLASS = "org.apache.kafka.tools.ProducerPerformance"
SUMMARY = re.compile(
    r"^(?P<records>\d+) records sent, (?P<rate>[\d.]+) records/sec \([\d.]+ MB/sec\), "
    r"(?P<avg>[\d.]+) ms avg latency, (?P<max>[\d.]+) ms max latency, (?P<p50>\d+) ms 50th, "
    r"(?P<p95>\d+) ms 95th, (?P<p99>\d+) ms 99th, (?P<p999>\d+) ms 99\.9th")
WINDOW = re.compile(r"^(?P<records>\d+) records sent, (?P<rate>[\d.]+) records/sec \([\d.]+ MB/sec\), "
                    r"[\d.]+ ms avg latency, [\d.]+ ms max latency\.$")


@dataclass(frozen=True)
class ProducerConfig:
    """The producer settings both sides share."""

    acks: str = "1"
    linger_ms: int = 5
    batch_size: int = 16_384
    record_bytes: int = 100
    partitions: int = 3
    replication_factor: int = 3

    @property
    def min_insync_replicas(self) -> int:
        return min(2, self.replication_factor)

    def java_properties(self) -> list[str]:
        return [f"acks={self.acks}", f"linger.ms={self.linger_ms}", f"batch.size={self.batch_size}",
                "compression.type=none"]

    def topic(self, name: str) -> StreamSpec:
        return StreamSpec(name=name, partitions=self.partitions, replication_factor=self.replication_factor,
                          config={"min.insync.replicas": str(self.min_insync_replicas)})

    def workload(self, name: str, **overrides: Any) -> Workload:
        """The harness workload: publish only, no keys, same client settings as ProducerPerformance."""
        return builtin_workload("quick").with_overrides(
            name=name, partitions=self.partitions, replication_factor=self.replication_factor,
            min_insync_replicas=self.min_insync_replicas, record_bytes=self.record_bytes,
            key_distribution="none", producers=1, consumers=0, arrivals="uniform",
            kafka__acks=self.acks, kafka__linger_ms=self.linger_ms, kafka__batch_size=self.batch_size,
            kafka__compression="none", kafka__idempotence=False, **overrides)


class RunnerProgress:
    """Prints the runner's progress: every max-rate trial, and the live counts every few seconds."""

    def __init__(self, label: str, every_s: float = 3.0) -> None:
        self.label, self.every_s = label, every_s
        self._next = 0.0

    def __call__(self, event: Progress) -> None:
        if event.phase == "trial":
            say(f"  {self.label}: trial {event.message}")
        elif event.phase == "run" and event.elapsed_s >= self._next:
            self._next = event.elapsed_s + self.every_s
            say(f"  {self.label}: {event.elapsed_s:4.1f} s, sent {event.sent:,}, acked {event.acked:,}")


def parse_producer_performance(output: str, steady_after_s: float) -> dict[str, Any]:
    """The final summary line (records/s, latency) plus a steady-state rate from the progress lines."""
    summary = None
    windows: list[tuple[int, float]] = []
    for line in output.splitlines():
        line = line.strip()
        if m := SUMMARY.match(line):
            summary = m
        elif m := WINDOW.match(line):
            windows.append((int(m["records"]), float(m["rate"])))
    if summary is None:
        raise RuntimeError(f"no summary line in ProducerPerformance output:\n{output[-2000:]}")
    elapsed, steady_records, steady_s = 0.0, 0, 0.0
    for records, rate in windows:
        seconds = records / rate if rate > 0 else 0.0
        if elapsed >= steady_after_s:
            steady_records += records
            steady_s += seconds
        elapsed += seconds
    return {
        "records": int(summary["records"]), "rate": float(summary["rate"]),
        "avg_latency_ms": float(summary["avg"]), "p99_latency_ms": float(summary["p99"]),
        "max_latency_ms": float(summary["max"]),
        "steady_rate": steady_records / steady_s if steady_s > 0 else None,
        "summary_line": summary.group(0),
    }


def producer_performance(target: Target, cfg: ProducerConfig, records: int, topic: str,
                         java: str, jars: Path, steady_after_s: float) -> dict[str, Any]:
    """Run ProducerPerformance once on a fresh topic (deleted afterwards) and parse what it printed."""
    admin = KafkaDriver(target).admin()
    admin.create(cfg.topic(topic))
    try:
        command = [java, "-cp", f"{jars}/*", PP_CLASS, "--topic", topic, "--num-records", str(records),
                   "--record-size", str(cfg.record_bytes), "--throughput", "-1",
                   "--bootstrap-server", target.need_kafka().bootstrap, "--reporting-interval", "1000",
                   "--command-property", *cfg.java_properties()]
        cpu0, busy, t0 = children_cpu_s(), CpuBusy().start(), time.monotonic()
        output = _run_streaming(command, "ProducerPerformance")
        wall, cpu = time.monotonic() - t0, children_cpu_s() - cpu0
        result = parse_producer_performance(output, steady_after_s)
        result.update(wall_s=round(wall, 2), cpu_us_per_record=cpu / records * 1e6, machine_busy=busy.stop(),
                      command=" ".join(command))
        return result
    finally:
        admin.delete(topic)


def _run_streaming(command: list[str], label: str, timeout_s: float = 600.0) -> str:
    """Run a command, echoing a few of its lines as progress, and return everything it printed."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if len(lines) % 3 == 1 or SUMMARY.match(line.strip()):
                say(f"  {label}: {line.strip()}")
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"{label} did not finish within {timeout_s:.0f} s")
        code = proc.wait()
    if code != 0:
        raise RuntimeError(f"{label} exited with code {code}:\n{''.join(lines)[-2000:]}")
    return "".join(lines)


def harness_saturation(target: Target, cfg: ProducerConfig, sizes: Sizes, duration_s: int,
                       name: str) -> dict[str, Any]:
    """One open-loop run far above capacity, publish only, no warm-up: what the harness can push."""
    workload = cfg.workload(name, rate=sizes.saturation_target_rate, duration_s=duration_s, warmup_s=0,
                            drain_timeout_s=30)
    cpu0, busy = time.process_time(), CpuBusy().start()
    result = run_benchmark("kafka", target, workload, progress=RunnerProgress("harness"))
    cpu = time.process_time() - cpu0
    acked = int(result.counts["acked"])
    steady = [w["acked"] for w in result.windows
              if w["t_s"] >= sizes.saturation_warmup_s and w["t_s"] + 1 <= duration_s]
    tail = sum(w["acked"] for w in result.windows if w["t_s"] >= duration_s)
    return {
        "rate": float(result.throughput["ack_rate"]), "acked": acked, "duration_s": duration_s,
        "steady_rate": sum(steady) / len(steady) if steady else None,
        "acked_after_end": tail, "unsent": int(result.counts["unsent"]), "failed": int(result.counts["failed"]),
        "publish_latency_p99_ms": _ms(result.quantiles["publish_latency"].get("p99")),
        "cpu_us_per_record": cpu / acked * 1e6 if acked else None, "machine_busy": busy.stop(),
        "run_id": result.run_id,
    }


def harness_max_rate(target: Target, cfg: ProducerConfig, sizes: Sizes, saturation: float,
                     name: str) -> dict[str, Any]:
    """The runner's max-rate search between about half and 1.1x the saturation rate."""
    start = max(1_000, int(round(saturation * 0.55, -2)))
    ceiling = max(start + 1, int(round(saturation * 1.1, -2)))
    workload = cfg.workload(name, rate="max", duration_s=sizes.search_trial_s, warmup_s=sizes.search_trial_warmup_s,
                            max_rate__start_rate=start, max_rate__ceiling=ceiling,
                            max_rate__trial_s=sizes.search_trial_s,
                            max_rate__trial_warmup_s=sizes.search_trial_warmup_s,
                            max_rate__max_trials=sizes.search_max_trials)
    result = run_benchmark("kafka", target, workload, progress=RunnerProgress("max-rate search"))
    trials = [{"rate": t["rate"], "phase": t.get("phase", "search"), "sustainable": t["sustainable"],
               "ack_rate": round(t["ack_rate"]),
               "delay_p99_ms": _ms(t["delay_p99_us"]), "reasons": t["reasons"]} for t in result.trials]
    return {"sustainable_rate": result.throughput.get("sustainable_rate"), "start_rate": start,
            "ceiling": ceiling, "rules": workload.max_rate.model_dump(), "trials": trials}


def _ms(us: float | None) -> float | None:
    return None if us is None else round(us / 1000, 1)


def compare(target: Target, cfg: ProducerConfig, sizes: Sizes, token: str, java: str,
            jars: Path) -> dict[str, Any]:
    """Alternate ProducerPerformance and harness saturation runs, then run the max-rate search."""
    pp_runs: list[dict[str, Any]] = []
    sat_runs: list[dict[str, Any]] = []
    duration_s = sizes.min_saturation_s
    for i in range(sizes.rounds):
        say(f"(a) round {i + 1}/{sizes.rounds}: ProducerPerformance, {sizes.pp_records:,} records of "
            f"{cfg.record_bytes} B, --throughput -1")
        pp = producer_performance(target, cfg, sizes.pp_records, f"scb-{token}-pp{i + 1}", java, jars,
                                  sizes.saturation_warmup_s)
        pp_runs.append(pp)
        say(f"  -> {pp['rate']:,.0f} records/s (final summary line), {pp['cpu_us_per_record']:.1f} us CPU/record")
        if i == 0:  # the harness runs about as long as ProducerPerformance needed for its records
            duration_s = int(min(sizes.max_saturation_s, max(sizes.min_saturation_s,
                                                             round(sizes.pp_records / pp["rate"]))))
        say(f"(a) round {i + 1}/{sizes.rounds}: harness saturation, open loop at "
            f"{sizes.saturation_target_rate:,}/s for {duration_s} s, publish only")
        sat = harness_saturation(target, cfg, sizes, duration_s, f"bench-{token}-sat{i + 1}")
        sat_runs.append(sat)
        say(f"  -> {sat['rate']:,.0f} records/s acknowledged, {sat['cpu_us_per_record']:.1f} us CPU/record")
    pp_rate = median(r["rate"] for r in pp_runs)
    sat_rate = median(r["rate"] for r in sat_runs)
    say(f"(a) max-rate search (runner's rule), seeded around the saturation rate {sat_rate:,.0f}/s")
    search = harness_max_rate(target, cfg, sizes, sat_rate, f"bench-{token}-max")
    sustainable = search["sustainable_rate"]
    say(f"  -> highest sustainable rate: {sustainable or 'none found'}")
    return {
        "settings": {**asdict(cfg), "min_insync_replicas": cfg.min_insync_replicas, "keys": "none",
                     "compression": "none"},
        "producer_performance": {"rate": pp_rate, "steady_rate": _median_of(pp_runs, "steady_rate"),
                                 "cpu_us_per_record": median(r["cpu_us_per_record"] for r in pp_runs),
                                 "runs": pp_runs},
        "harness_saturation": {"rate": sat_rate, "steady_rate": _median_of(sat_runs, "steady_rate"),
                               "cpu_us_per_record": median(r["cpu_us_per_record"] for r in sat_runs),
                               "runs": sat_runs},
        "harness_max_sustainable": search,
        "ratio": sat_rate / pp_rate,
        "ratio_steady": _ratio(_median_of(sat_runs, "steady_rate"), _median_of(pp_runs, "steady_rate")),
        "ratio_sustainable": _ratio(sustainable, pp_rate),
    }


def _median_of(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return median(values) if values else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None
