"""The driver side of a distributed run: split the rate, run one pair set per worker, merge, judge, store.

Failure is loud: a worker that dies, raises, or does not report by its planned end (plus setup and
drain time) fails the run with a message naming the worker and its host; in a fixed-rate run so does
a worker whose publish delay p99 exceeds the workload's `max_rate.max_delay_p99_ms` (it fell behind
its schedule). What the other workers measured is merged and stored as an incomplete result
(`placement.complete: false`) before the error is raised. Streams of a lost worker are deleted from here.
"""

from __future__ import annotations

import contextlib
import random
import time
import uuid
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from streamcompare import interrupt
from streamcompare.bench import maxrate
from streamcompare.bench.driverref import DriverRef
from streamcompare.bench.errors import BenchmarkError
from streamcompare.bench.measurement import Measurement
from streamcompare.bench.metadata import utc_now
from streamcompare.bench.preflight import record_size_problem
from streamcompare.bench.results import RunResult
from streamcompare.bench.runner import Progress, ProgressCallback, measured_result
from streamcompare.bench.workers.cluster import Cluster, open_cluster
from streamcompare.bench.workers.merge import merge_reports, shares
from streamcompare.bench.workers.targets import public_target
from streamcompare.bench.workers.task import run_pair, worker_identity
from streamcompare.bench.workload import Workload
from streamcompare.errors import ConfigError
from streamcompare.target import Target

SETUP_SLACK_S = 60.0
"""Time a worker may take beyond warm-up + duration + drain: creating its stream, starting its consumer."""
POLL_S = 0.5


class WorkerFailed(BenchmarkError):
    """A worker died, failed or fell behind; `partial` is what the others measured (stored if a folder was given)."""

    def __init__(self, message: str, partial: RunResult | None = None, path: Path | None = None) -> None:
        super().__init__(message, fix="see the worker's log; the partial result is labelled incomplete")
        self.partial = partial
        self.path = path


class _Round:
    """One run at one total rate on every worker: reports of those that finished, failures of the others."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.reports: dict[int, dict[str, Any]] = {}
        self.failures: dict[int, str] = {}
        self.streams: dict[int, list[str]] = {}


class _Run:
    def __init__(self, cluster: Cluster, system: str, target: Target, workload: Workload,
                 secrets_from: Mapping[str, str] | None, seed: int, progress: ProgressCallback | None) -> None:
        self.cluster, self.system, self.target, self.workload = cluster, system, target, workload
        self.public = public_target(target, secrets_from)
        self.seed, self.progress = seed, progress
        self.addresses = sorted(cluster.workers())
        if not self.addresses:
            raise BenchmarkError(f"{cluster.description} has no workers", fix="start at least one `dask worker`")
        self.identity = self._identify()
        self.rounds = 0

    def _identify(self) -> dict[str, dict[str, Any]]:
        """Host, pid and clock offset (vs this process, +- half the round trip) of every worker."""
        before = time.time_ns()
        seen: dict[str, dict[str, Any]] = self.cluster.client.run(worker_identity, workers=self.addresses)
        after = time.time_ns()
        middle = (before + after) / 2
        return {addr: {"host": info["host"], "pid": info["pid"],
                       "clock_offset_ms": round((info["wall_ns"] - middle) / 1e6, 3),
                       "clock_offset_uncertainty_ms": round((after - before) / 2e6, 3)}
                for addr, info in seen.items()}

    def name(self, i: int) -> str:
        addr = self.addresses[i]
        return f"worker {i} ({addr}, host {self.identity.get(addr, {}).get('host', '?')})"

    def run_round(self, workload: Workload, rate: int, base: str, judge_delay: bool) -> _Round:
        n = len(self.addresses)
        if rate < n:
            raise ConfigError(f"rate {rate}/s is below one record/s per worker ({n} workers)", field="rate",
                              fix="raise the rate or use fewer workers")
        self.rounds += 1
        result = _Round(rate)
        plan = workload.model_dump(mode="json")
        client = self.cluster.client
        futures = {}
        for i, (addr, share) in enumerate(zip(self.addresses, shares(rate, n), strict=True)):
            stream = f"{base}-w{i}"
            result.streams[i] = workload.stream_names(stream)
            futures[i] = client.submit(run_pair, self.system, self.public, plan, share, stream,
                                       self.seed + 1000 * self.rounds + i, i, key=f"sc-pair-{i}-{uuid.uuid4().hex}",
                                       workers=[addr], allow_other_workers=False, pure=False, retries=0)
        started = time.monotonic()
        deadline = started + workload.warmup_s + workload.duration_s + workload.drain_timeout_s + SETUP_SLACK_S
        try:
            self._watch(futures, result, started, deadline)
        finally:
            with interrupt.shielded():
                for f in futures.values():
                    if not f.done():
                        f.cancel()
                lost = set(result.failures) | ({*futures} - set(result.reports) if interrupt.stopping() else set())
                self._delete_streams(result, lost)
        if judge_delay:
            limit = workload.max_rate.max_delay_p99_ms
            for i, report in sorted(result.reports.items()):
                p99 = _p99_ms(report, "publish_delay")
                if p99 is not None and p99 > limit:
                    result.failures[i] = (f"{self.name(i)} fell behind its schedule: publish delay p99 "
                                          f"{p99:.1f} ms > {limit:g} ms")
        return result

    def _watch(self, futures: dict[int, Any], result: _Round, started: float, deadline: float) -> None:
        from distributed import wait

        pending = dict(futures)
        while pending:
            with contextlib.suppress(TimeoutError):
                wait(list(pending.values()), timeout=POLL_S, return_when="FIRST_COMPLETED")
            live = set(self.cluster.workers())
            for i, f in list(pending.items()):
                if f.status == "finished":
                    result.reports[i] = f.result()
                elif f.status in ("error", "cancelled"):
                    result.failures[i] = f"{self.name(i)} failed: {_exception_text(f)}"
                elif self.addresses[i] not in live:
                    result.failures[i] = f"{self.name(i)} died (it left the cluster) during the run"
                elif time.monotonic() > deadline:
                    result.failures[i] = (f"{self.name(i)} fell behind its schedule: no report "
                                          f"{time.monotonic() - started:.0f} s after the start")
                else:
                    continue
                del pending[i]
            _emit(self.progress, Progress("run", time.monotonic() - started, result.rate,
                                          message=f"{len(result.reports)}/{len(futures)} workers reported"))

    def _delete_streams(self, result: _Round, workers: set[int]) -> None:
        if not workers:
            return
        admin = DriverRef(self.system, self.target).build().admin()
        for i in sorted(workers):
            for name in result.streams.get(i, []):
                try:
                    admin.delete(name)
                    if interrupt.stopping():
                        interrupt.cleaned(f"deleted {self.system} stream {name} of worker {i}")
                except Exception:  # never created, or deleted by the worker before it went
                    pass

    def rows(self, result: _Round, merged_acked: int) -> list[dict[str, Any]]:
        """The result file's record of every worker: where it ran, its clock, its share of the load."""
        n = len(self.addresses)
        out = []
        for i, (addr, share) in enumerate(zip(self.addresses, shares(result.rate, n), strict=True)):
            report = result.reports.get(i)
            acked = int(report["throughput"]["acked"]) if report else None
            out.append({
                "index": i, "address": addr, **self.identity.get(addr, {"host": None, "pid": None}),
                "rate": share, "rate_share": round(share / result.rate, 6),
                "acked": acked, "acked_share": round(acked / merged_acked, 6) if acked and merged_acked else None,
                "streams": result.streams.get(i, []),
                "consumer_in_subprocess": report.get("consumer_in_subprocess") if report else None,
                "status": "failed" if i in result.failures else ("ok" if report else "missing"),
                "error": result.failures.get(i),
            })
        return out


def _p99_ms(report: Mapping[str, Any], metric: str) -> float | None:
    from streamcompare.bench.workers.merge import merged_histogram

    q = merged_histogram([report["histograms"][metric]]).quantiles()
    return None if q["p99"] is None else float(q["p99"]) / 1000


def _exception_text(future: Any) -> str:
    try:
        exc = future.exception(timeout=5)
    except Exception as err:  # the exception itself could not be fetched
        return f"{type(err).__name__}: {err}"
    return f"{type(exc).__name__}: {exc}".strip()


def _emit(progress: ProgressCallback | None, event: Progress) -> None:
    if progress is not None:
        progress(event)


def run_distributed(system: str, target: Target, workload: Workload, *, workers: int | None = None,
                    cluster: str | None = None, secrets_from: Mapping[str, str] | None = None,
                    progress: ProgressCallback | None = None, seed: int | None = None,
                    labels: Mapping[str, str] | None = None, partial_dir: Path | None = None) -> RunResult:
    """Run `workload` on `workers` local worker processes or on the Dask cluster at `cluster`.

    The rate is the total over all workers (split evenly); each worker runs the workload's producers
    and consumers on its own stream(s). partial_dir: where an incomplete result is written when a
    worker fails (the WorkerFailed error names its path).
    """
    if problem := record_size_problem(system, workload):
        raise problem
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}", field="workers", fix="use 1 to 64")
    run_id = RunResult.new_run_id()
    started = utc_now()
    seed = random.randrange(2**31) if seed is None else seed
    base = f"sc-{workload.name}-{run_id[:8]}"
    with open_cluster(workers, cluster) as engine:
        run = _Run(engine, system, target, workload, secrets_from, seed, progress)
        trials: list[maxrate.Trial] = []
        if workload.is_max_rate:
            m, last, trials, failure = _max_rate(run, workload, base)
            mode = "max-rate"
        else:
            last = run.run_round(workload, int(workload.rate), base, judge_delay=True)
            failure = _failure(last)
            m = merge_reports(last.rate, base, list(last.reports.values())) if last.reports else None
            mode = "fixed-rate"
        rows = run.rows(last, int(m.throughput["acked"]) if m else 0)
        description = engine.description
    labels = {str(k): str(v) for k, v in (labels or {}).items()}
    result = None
    if m is not None:
        result = _result(run_id, started, mode, workload, target, m, trials, rows, description, seed,
                         complete=failure is None, labels=labels)
        _emit(progress, Progress("done", target_rate=m.rate, sent=m.counts["sent"], acked=m.counts["acked"],
                                 failed=m.counts["failed"]))
    if failure is not None:
        path = result.write(partial_dir) if result is not None and partial_dir is not None else None
        where = f"; the incomplete result is in {path}" if path else (
            "; nothing was measured" if result is None else "")
        raise WorkerFailed(f"{failure}{where}", result, path)
    assert result is not None
    return result


def _failure(r: _Round) -> str | None:
    if not r.failures:
        return None
    return "; ".join(r.failures[i] for i in sorted(r.failures))


def _max_rate(run: _Run, workload: Workload, base: str
              ) -> tuple[Measurement | None, _Round, list[maxrate.Trial], str | None]:
    """bench/maxrate.py's search and confirmation, every trial driving all workers together."""
    rules = workload.max_rate
    trial_workload = workload.with_overrides(duration_s=rules.trial_s, warmup_s=rules.trial_warmup_s)
    measured: dict[tuple[str, int], tuple[Measurement, _Round]] = {}
    state: dict[str, Any] = {"failure": None, "last": None}
    judged: list[maxrate.Trial] = []

    class _Stop(Exception):
        pass

    def trial(phase: str, w: Workload, rate: int) -> maxrate.Trial:
        r = run.run_round(w, rate, f"{base}-{phase[0]}{len(measured) + 1}", judge_delay=False)
        state["last"] = r
        if r.failures:
            state["failure"] = _failure(r)
            raise _Stop
        m = merge_reports(rate, f"{base}-{phase[0]}{len(measured) + 1}", list(r.reports.values()))
        verdict = maxrate.judge(rate, m.throughput, m.publish_delay.quantiles(), m.windows.rows(rate),
                                workload.consumers, rules)
        verdict = replace(verdict, phase=phase, details={
            "stream": m.stream, "workers": len(run.addresses), "publish_latency": m.publish_latency.quantiles(),
            "e2e_latency": m.e2e.quantiles(), "lost": m.counts["lost"], "throttles": m.counts["throttles"],
            "measured_s": w.duration_s})
        measured[(phase, rate)] = (m, r)
        judged.append(verdict)
        _emit(run.progress, Progress("trial", target_rate=rate, acked=m.throughput["acked"],
                                     message=f"{rate}/s on {len(run.addresses)} workers "
                                             f"{'sustained' if verdict.sustainable else 'not sustained'}"))
        return verdict

    trials: list[maxrate.Trial] = []
    best: int | None = None
    try:
        found, trials = maxrate.search(lambda rate: trial("search", trial_workload, rate), rules)
        best, confirmations = maxrate.confirm(lambda rate: trial("confirm", workload, rate), found, rules)
        trials = [*trials, *confirmations]
    except _Stop:
        trials = judged
    if state["failure"] is not None:
        r = state["last"]
        m = merge_reports(r.rate, base, list(r.reports.values())) if r.reports else None
        if m is not None:
            m.notes.append("max-rate search stopped by a worker failure; figures are from the failed trial")
        return m, r, trials, state["failure"]
    if best is not None:
        m, r = measured[("confirm", best)] if ("confirm", best) in measured else measured[("search", best)]
    else:
        m, r = measured[min(measured, key=lambda k: k[1])]
        m.notes.append("no sustainable rate confirmed; figures are from the lowest trial")
    m.throughput["sustainable_rate"] = best
    return m, r, trials, None


def _result(run_id: str, started: str, mode: str, workload: Workload, target: Target, m: Measurement,
            trials: list[maxrate.Trial], rows: list[dict[str, Any]], cluster: str, seed: int, *, complete: bool,
            labels: dict[str, str]) -> RunResult:
    notes = list(m.notes)
    if not complete:
        notes.insert(0, "INCOMPLETE: " + "; ".join(r["error"] for r in rows if r["error"]))
        labels = {**labels, "incomplete": "true"}
    return measured_result(
        run_id, started, mode, workload, target, m, trials,
        placement={"producers": "threads", "engine": "dask", "cluster": cluster, "complete": complete,
                   "workers": rows, "seed": seed, "stream": m.stream, "streams": m.streams,
                   "consumer_in_subprocess": all(bool(r["consumer_in_subprocess"]) for r in rows
                                                 if r["status"] == "ok")},
        notes=notes, labels=labels)
