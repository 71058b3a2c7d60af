"""streamcompare's own benchmark (`make bench`): how fast and how heavy is the measuring kit itself?

In one run, on the same local cluster and settings:
  (a) the harness's maximum Kafka producer rate against Kafka's own ProducerPerformance
      (org.apache.kafka:kafka-tools), 100-byte records, acks=1, linger.ms=5, batch.size=16384;
  (b) the Kinesis batching producer against a plain sequential boto3 put_record loop;
  (c) the harness's own CPU per record, with a null driver;
  (d) the Kinesis fidelity layer (limits off) against the bare emulator, same batching producer.
It prints progress as it goes, then a table, and last a line of exactly this form:
  kafka_vs_producer_performance=<ratio> kinesis_batching_vs_put_record=<ratio> harness_cpu_us_per_record=<number> \
  kinesis_layer_vs_bare=<ratio>
Definitions and caveats (2 cores shared by 3 brokers, the Java tool and Python): benchmarks/README.md.

Uses the running local stack (`streamcompare stack up`) if there is one; otherwise starts one and
stops it at the end. Topics and streams it creates carry a random run tag and are deleted at the
end, also when something fails.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import bench_kafka
import bench_kinesis
import bench_layer
import bench_overhead
from bench_common import MachineMeter, Sizes, fmt_rate, fmt_us, load_average, run_token, say
from bench_kafka import ProducerConfig

from streamcompare.clients import kafka_admin
from streamcompare.target import Target

SCHEMA = "streamcompare-bench/1"


@dataclass
class StackInfo:
    target: Target
    brokers: int
    started_here: bool
    pids: list[int] = field(default_factory=list)
    kafka_version: str | None = None
    kinesis_version: str | None = None
    kinesis_backend: str = "kinesis-mock"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, help="records per ProducerPerformance run (default 1,000,000; "
                                                    "the harness saturation run lasts about as long)")
    parser.add_argument("--kinesis-records", type=int, help="records per Kinesis producer (default 2,000)")
    parser.add_argument("--rounds", type=int, help="ProducerPerformance / harness rounds, medians reported (default 3)")
    parser.add_argument("--brokers", type=int, default=3,
                        help="brokers of the stack this script starts when none is running (default 3)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke check in about a minute")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every figure with metadata here")
    args = parser.parse_args(argv)
    for name in ("records", "kinesis_records", "rounds"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.json is not None and args.json.exists():
        parser.error(f"{args.json} exists; results are never overwritten, choose another file")
    return args


def sizes_from(args: argparse.Namespace) -> Sizes:
    sizes = Sizes.quick() if args.quick else Sizes()
    changes = {k: v for k, v in {"pp_records": args.records, "kinesis_records": args.kinesis_records,
                                 "rounds": args.rounds}.items() if v is not None}
    return replace(sizes, **changes)


@contextmanager
def stack(brokers: int) -> Iterator[StackInfo]:
    """The running local stack, or one started here (and stopped on exit, also on failure)."""
    from streamcompare.stack.local import StackState, local_stack

    state = StackState.load()
    started_here = False
    if state is not None and state.is_up():
        say(f"using the running local stack: {state.brokers} Kafka broker(s) at {state.kafka_bootstrap}, "
            f"{state.kinesis_backend} at {state.kinesis_endpoint}")
        if state.brokers != brokers:
            say(f"  (it has {state.brokers} broker(s); --brokers {brokers} only applies to a stack started here)")
        yield _info(state, started_here)
        return
    say(f"no local stack is running: starting one with {brokers} broker(s); it is stopped at the end")
    with local_stack(brokers=brokers, progress=lambda msg: say(f"  stack: {msg}")) as local:
        yield _info(local.state, local.started_here)


def _info(state: Any, started_here: bool) -> StackInfo:
    if not state.kafka_bootstrap or not state.kinesis_endpoint:
        raise SystemExit("error: the local stack must run both Kafka and Kinesis (streamcompare stack up)")
    return StackInfo(target=state.target(), brokers=state.brokers, started_here=started_here,
                     pids=[r.pid for r in state.records()], kafka_version=state.kafka_version,
                     kinesis_version=state.kinesis_version, kinesis_backend=state.kinesis_backend)


def sweep(target: Target, token: str) -> list[str]:
    """Delete every topic and stream whose name carries this run's tag (normally none are left)."""
    from streamcompare.drivers.kafka import KafkaDriver, client_config
    from streamcompare.drivers.kinesis import KinesisDriver, make_client

    deleted: list[str] = []
    try:
        topics = kafka_admin(client_config(target)).list_topics(timeout=10).topics
        admin = KafkaDriver(target).admin()
        for name in (t for t in topics if token in t):
            admin.delete(name)
            deleted.append(name)
    except Exception as exc:
        say(f"warning: could not check for leftover Kafka topics: {exc}")
    try:
        client = make_client(target)
        kinesis_admin = KinesisDriver(target).admin()
        for name in (s for s in client.list_streams().get("StreamNames", []) if token in s):
            status = client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]
            if status != "DELETING":
                kinesis_admin.delete(name)
                deleted.append(name)
    except Exception as exc:
        say(f"warning: could not check for leftover Kinesis streams: {exc}")
    return deleted


def _part(name: str, results: dict[str, Any], errors: dict[str, str], meter: MachineMeter,
          fn: Callable[[], dict[str, Any]]) -> None:
    """Run one part; a failure is reported and the other parts still run."""
    meter.start()
    try:
        results[name] = fn()
    except Exception as exc:
        errors[name] = f"{type(exc).__name__}: {exc}"
        say(f"({name[0]}) FAILED: {errors[name]}")
        traceback.print_exc()
    finally:
        results.setdefault("machine", {})[name] = meter.stop()


def run_all(info: StackInfo, sizes: Sizes, token: str) -> tuple[dict[str, Any], dict[str, str]]:
    from streamcompare.stack import kafka, prereqs

    java = prereqs.java()
    jars = kafka.ensure_jars(lambda msg: say(f"  {msg}"))
    cfg = ProducerConfig(replication_factor=min(3, max(1, info.brokers)))
    results: dict[str, Any] = {}
    errors: dict[str, str] = {}
    meter = MachineMeter(info.pids)
    _part("a_kafka", results, errors, meter,
          lambda: bench_kafka.compare(info.target, cfg, sizes, token, java, jars))
    _part("b_kinesis", results, errors, meter,
          lambda: bench_kinesis.compare(info.target, sizes.kinesis_records, cfg.record_bytes, cfg.partitions, token))
    _part("c_overhead", results, errors, meter, lambda: bench_overhead.measure(sizes, token))
    _part("d_layer", results, errors, meter,
          lambda: bench_layer.compare(info.target, sizes.layer_records, cfg.record_bytes, 1, token,
                                      rounds=sizes.layer_rounds, latency_calls=sizes.layer_latency_calls))
    return results, errors


def headline(results: dict[str, Any]) -> dict[str, float]:
    def get(part: str, key: str) -> float:
        value = results.get(part, {}).get(key)
        return float(value) if value is not None else math.nan

    return {"kafka_vs_producer_performance": get("a_kafka", "ratio"),
            "kinesis_batching_vs_put_record": get("b_kinesis", "ratio"),
            "harness_cpu_us_per_record": get("c_overhead", "harness_cpu_us_per_record"),
            "kinesis_layer_vs_bare": get("d_layer", "ratio")}


def last_line(figures: dict[str, float]) -> str:
    return (f"kafka_vs_producer_performance={figures['kafka_vs_producer_performance']:.2f} "
            f"kinesis_batching_vs_put_record={figures['kinesis_batching_vs_put_record']:.2f} "
            f"harness_cpu_us_per_record={figures['harness_cpu_us_per_record']:.1f} "
            f"kinesis_layer_vs_bare={figures['kinesis_layer_vs_bare']:.2f}")


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def kafka_rows(a: dict[str, Any]) -> list[tuple[str, str]]:
    s, pp, sat = a["settings"], a["producer_performance"], a["harness_saturation"]
    search = a["harness_max_sustainable"]
    n = len(pp["runs"])
    trials = ", ".join(f"{'confirm ' if t.get('phase') == 'confirm' else ''}{t['rate']:,}"
                       f"{'+' if t['sustainable'] else '-'}" for t in search["trials"])
    return [
        (f"(a) Kafka producer: {s['record_bytes']} B records, acks={s['acks']}, linger.ms={s['linger_ms']}, "
         f"batch.size={s['batch_size']}, {s['partitions']} partitions, RF {s['replication_factor']}, no keys", ""),
        (f"ProducerPerformance, final summary line (median of {n})", fmt_rate(pp["rate"])),
        (f"harness saturation: open loop far above capacity, publish only (median of {n})", fmt_rate(sat["rate"])),
        ("ratio harness saturation / ProducerPerformance  [headline]", _ratio(a["ratio"])),
        ("steady state after warm-up: ProducerPerformance | harness",
         f"{fmt_rate(pp['steady_rate'])} | {fmt_rate(sat['steady_rate'])}"),
        ("ratio, steady state", _ratio(a["ratio_steady"])),
        ("harness max sustainable rate (runner's max-rate search)", fmt_rate(search["sustainable_rate"])),
        ("ratio harness max sustainable / ProducerPerformance", _ratio(a["ratio_sustainable"])),
        ("  trials, then full-length confirmation (+ sustained, - not)", trials),
        ("client CPU per record: ProducerPerformance JVM | harness process",
         f"{fmt_us(pp['cpu_us_per_record'])} | {fmt_us(sat['cpu_us_per_record'])}"),
    ]


def kinesis_rows(b: dict[str, Any]) -> list[tuple[str, str]]:
    batch, single = b["batching"], b["put_record"]
    where = f"{b.get('backend', 'kinesis-mock')}, an emulator" if b["emulator"] else str(b["endpoint"])
    return [
        (f"(b) Kinesis producer: {b['records']:,} records of {b['record_bytes']} B, {b['shards']} shard(s), "
         f"{where}", ""),
        (f"batching producer (PutRecords, {batch['calls']} call(s))", fmt_rate(batch["rate"])),
        ("sequential boto3 put_record loop", fmt_rate(single["rate"])),
        ("ratio batching / put_record  [headline]", _ratio(b["ratio"])),
        ("client CPU per record: batching | put_record",
         f"{fmt_us(batch['client_cpu_us_per_record'])} | {fmt_us(single['client_cpu_us_per_record'])}"),
    ]


def overhead_rows(c: dict[str, Any]) -> list[tuple[str, str]]:
    d, n, busy = c["default_clock"], c["no_spin"], c["saturated"]
    fixed = d["producer_process_cpu_s"] - d["producer_process_us"] * d["records"] / 1e6
    return [
        (f"(c) harness CPU per record: null driver, {d['rate']:,}/s (standard workload), 1 producer, "
         f"1 consumer child, {d['records']:,} records; steady part of the run", ""),
        ("producer process (send loop, rate limiter, payload, acks, histograms)", fmt_us(d["producer_process_us"])),
        ("consumer child (read, receive tracking, de-duplication, e2e histogram)", fmt_us(d["consumer_child_us"])),
        ("total per record, default clock  [headline]", fmt_us(d["total_us"])),
        (f"  same rate, final {c['spin_ns'] // 1000} us spin disabled: sleep/wake-up + work", fmt_us(n["total_us"])),
        (f"  no waiting (open loop, always behind, {busy['achieved_rate']:,.0f}/s): work alone",
         fmt_us(busy["total_us"])),
        ("  of which the null driver itself (measured alone)", fmt_us(c["null_driver_us"])),
        ("fixed costs per run: producer process | consumer child start-up",
         f"{fixed:.2f} s | {d['child_startup_cpu_s']:.2f} s"),
    ]


def layer_rows(d: dict[str, Any]) -> list[tuple[str, str]]:
    lat = d["latency_ms"]
    return [
        (f"(d) Kinesis fidelity layer: {d['records']:,} records of {d['record_bytes']} B, 1 shard, batching "
         f"producer, {d['rounds']} alternating rounds (medians)", ""),
        ("through the layer, limits off", fmt_rate(d["layer_rate"])),
        (f"straight to {d.get('backend', 'the emulator')}", fmt_rate(d["bare_rate"])),
        ("ratio layer / bare  [headline, must be >= 0.9]", _ratio(d["ratio"])),
        (f"PutRecord latency p50 | p99, {d['latency_calls']} sequential calls: layer (limits on, no faults)",
         f"{lat['layer']['p50']:.2f} | {lat['layer']['p99']:.2f} ms"),
        ("PutRecord latency p50 | p99: bare emulator", f"{lat['bare']['p50']:.2f} | {lat['bare']['p99']:.2f} ms"),
        ("added by the layer p50 | p99", f"{d['added_p50_ms']:.2f} | {d['added_p99_ms']:.2f} ms"),
    ]


def print_table(info: StackInfo, results: dict[str, Any], errors: dict[str, str]) -> None:
    rows: list[tuple[str, str]] = []
    builders: dict[str, Callable[[dict[str, Any]], list[tuple[str, str]]]] = {
        "a_kafka": kafka_rows, "b_kinesis": kinesis_rows, "c_overhead": overhead_rows, "d_layer": layer_rows}
    for part, build in builders.items():
        if part in results:
            rows += build(results[part])
        else:
            rows.append((f"({part[0]}) FAILED: {errors.get(part, 'not run')}", ""))
        machine = results.get("machine", {}).get(part, {})
        rows.append(("  machine busy | CPU used by other processes (not us, not the stack)",
                     f"{_share(machine.get('machine_busy'))} | {_share(machine.get('others'))}"))
        rows.append(("", ""))
    width = max(len(label) for label, value in rows if value) + 2  # section titles may run longer
    print()
    print(f"streamcompare benchmark on the local stack: Apache Kafka {info.kafka_version} ({info.brokers} broker(s)), "
          f"{info.kinesis_backend} {info.kinesis_version}; {_cpus()} CPU(s) shared by the brokers, the Java tool "
          "and Python")
    print("-" * (width + 24))
    for label, value in rows[:-1]:
        print(f"{label:<{width}}{value}" if value else label)
    print("-" * (width + 24))


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0)


def write_json(path: Path, info: StackInfo, sizes: Sizes, token: str, results: dict[str, Any],
               errors: dict[str, str], figures: dict[str, float]) -> None:
    import streamcompare
    from streamcompare.bench.metadata import run_metadata

    document = {
        "schema": SCHEMA, "run_tag": token, "metadata": run_metadata(),
        "library": str(Path(streamcompare.__file__).resolve().parent),  # which streamcompare was measured
        "stack": {"brokers": info.brokers, "started_here": info.started_here, "kafka": info.kafka_version,
                  "kinesis_mock": info.kinesis_version, "kinesis_backend": info.kinesis_backend,
                  "target": info.target},
        "sizes": sizes.to_dict(), "results": results, "errors": errors,
        "headline": {k: (None if math.isnan(v) else v) for k, v in figures.items()},
        "last_line": last_line(figures), "load_average_end": load_average(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as fh:  # "x": never overwrite a result
        json.dump(document, fh, indent=2, default=str)
    say(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = sizes_from(args)
    token = run_token()
    say(f"streamcompare benchmark, run tag {token}{' (--quick)' if args.quick else ''}; "
        f"load average {load_average()}")
    with stack(args.brokers) as info:
        try:
            results, errors = run_all(info, sizes, token)
        finally:
            leftovers = sweep(info.target, token)
            if leftovers:
                say(f"deleted leftover topics/streams: {', '.join(leftovers)}")
    figures = headline(results)
    print_table(info, results, errors)
    if args.json:
        write_json(args.json, info, sizes, token, results, errors, figures)
    print(last_line(figures), flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
