"""`streamcompare report`: run every notebook with papermill and write a dated, self-contained HTML report.

`build_report` creates `reports/<UTC %Y%m%dT%H%M%SZ>/` (never reusing one), runs `notebooks/NN_name.ipynb`
in order with 00_decision last, and writes per notebook the executed `.ipynb` and an `.html` page
without code; then `index.html`, `summary.json` and `headlines.json`. A failing notebook is recorded
(error name, message, last traceback lines) and the others still run. Every written file is scrubbed
of the config's secrets at the end, and the scrub is verified.

Parameters every notebook receives: target_file, workload, results_dir, run_id, mode, cost_scenario,
plus the config's overrides; 00_decision also gets choices_file (the team's weights, scenario and
must-haves). In replay, `run_id` is the replayed run's id, so every notebook re-renders exactly that run.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import nbformat

from streamcompare.bench.store import ResultStore
from streamcompare.config import ALL_NOTEBOOKS, ReportConfig
from streamcompare.errors import ConfigError, StreamcompareError
from streamcompare.frontend import HEADLESS_ENV
from streamcompare.headlines import read_recorded
from streamcompare.paths import ensure_writable
from streamcompare.report import html as report_html
from streamcompare.report import index as report_index
from streamcompare.report.index import DECISION_NOTEBOOK
from streamcompare.report.runs import NotebookError, NotebookRun, ProgressEvent, ReportOutcome
from streamcompare.report.scrub import scrub_text, scrub_tree, target_secrets
from streamcompare.report.target import describe_target, resolve_target, target_reference
from streamcompare.target import Target

NOTEBOOK_NAME = re.compile(r"^\d{2}_[A-Za-z0-9_-]+$")
KERNEL_NAME = "python3"
KERNEL_START_TIMEOUT_S = 120
LAST_LINES = 8
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class ReportError(StreamcompareError):
    """The report could not be set up (its directory exists, no notebooks, a bad replay directory)."""


def discover_notebooks(config: ReportConfig) -> list[Path]:
    """The notebooks to run, in NN_ order with 00_decision last; checks names in the config."""
    directory = config.notebooks_dir
    found = {p.stem: p for p in sorted(directory.glob("*.ipynb")) if NOTEBOOK_NAME.match(p.stem)}
    if not found:
        raise ReportError(f"no notebooks named NN_name.ipynb in {directory}", field="notebooks_dir",
                          fix="point notebooks_dir at the project's notebooks/ folder")
    unknown = sorted(set(config.notebooks) - set(found))
    unknown_overrides = sorted(set(config.parameters) - set(found) - {ALL_NOTEBOOKS})
    for names, where in ((unknown, "notebooks"), (unknown_overrides, "parameters")):
        if names:
            raise ConfigError(f"no notebook named {', '.join(names)} in {directory}", field=where,
                              fix=f"use one of: {', '.join(found)}")
    names = [n for n in found if not config.notebooks or n in config.notebooks]
    names.sort(key=lambda n: (n == DECISION_NOTEBOOK, n))
    return [found[n] for n in names]


def notebook_title(path: Path) -> str:
    """The notebook's first '# ' heading, else its name without the number ('04_flow_control' -> 'Flow control')."""
    try:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                for line in cell.source.splitlines():
                    if line.startswith("# "):
                        return line[2:].strip()
    except (OSError, ValueError):
        pass
    return path.stem[3:].replace("_", " ").capitalize()


def resolve_replay(replay: Path | str, results_dir: Path) -> tuple[Path, str]:
    """(results folder, run id) to re-render: an earlier report folder (exactly its run), a results folder
    (its newest run), or a run id stored in `results_dir`. Nothing to replay is an error, never an empty report."""
    text = str(replay)
    candidate = Path(text).expanduser()
    if candidate.is_dir():
        candidate = candidate.resolve()
        summary = candidate / report_index.SUMMARY_FILE
        if summary.is_file():
            data = json.loads(summary.read_text(encoding="utf-8"))
            stored = Path(data.get("config", {}).get("results_dir") or results_dir)
            run = data.get("results_run") or data.get("run_id") or ""
            return _checked_run(stored, run, f"report {candidate.name}")
        newest = ResultStore(candidate).newest_run_id()
        if newest is None:
            raise ConfigError(f"{candidate} holds no stored results of streamcompare", field="--replay",
                              fix="pass a results folder (e.g. data/results), an earlier report folder or a run id")
        return candidate, newest
    if "/" in text or text.startswith("."):
        raise ConfigError(f"{candidate} is not a directory", field="--replay",
                          fix="pass a results folder (e.g. data/results), an earlier report folder or a run id")
    return _checked_run(results_dir, text, f"run {text}")


def _checked_run(results_dir: Path, run_id: str, what: str) -> tuple[Path, str]:
    store = ResultStore(results_dir)
    if not run_id or not store.has_run(run_id):
        known = ", ".join(store.run_ids()[-5:]) or "none"
        raise ConfigError(f"no stored results of {what} in {results_dir}", field="--replay",
                          fix=f"replay one of the stored runs ({known}), or run a live report first")
    return results_dir.resolve(), run_id


def check_before_work(config: ReportConfig) -> list[Path]:
    """Everything that can be checked before a stack starts or a notebook runs: the notebooks named
    exist, replay has a results folder, the reports folder (and in live mode the results folder) can be
    written. Returns the notebooks."""
    notebooks = discover_notebooks(config)
    if config.mode == "replay" and not config.results_dir.is_dir():
        raise ConfigError(f"no stored results in {config.results_dir}", field="results_dir",
                          fix="run a live report first, or pass --replay with a results folder")
    ensure_writable(config.reports_dir, field="reports_dir", fix="set reports_dir to a folder you can write to")
    if config.mode == "live":
        ensure_writable(config.results_dir, field="results_dir", fix="set results_dir to a folder you can write to")
    return notebooks


def build_report(config: ReportConfig, replay_dir: Path | None = None,
                 progress: Callable[[ProgressEvent], None] | None = None,
                 target: Target | None = None, now: datetime | None = None) -> ReportOutcome:
    """Run the notebooks and write the report; `target` defaults to `resolve_target(config)`."""
    if replay_dir is not None:
        config = config.for_replay(*resolve_replay(replay_dir, config.results_dir))
    notebooks = check_before_work(config)
    started = (now or datetime.now(UTC)).astimezone(UTC)
    run_id = started.strftime("%Y%m%dT%H%M%SZ")
    results_run = config.replay_run if config.mode == "replay" else run_id
    report_dir = config.reports_dir / run_id
    try:
        report_dir.mkdir(parents=True, exist_ok=False)
    except FileExistsError:
        raise ReportError(f"{report_dir} exists already; reports are never overwritten", field="reports_dir",
                          fix="wait a second and run again, or choose another reports_dir") from None
    if config.mode == "live":
        config.results_dir.mkdir(parents=True, exist_ok=True)
    runs = [NotebookRun(p.stem, notebook_title(p), p) for p in notebooks]
    secrets = config.secrets()
    with ExitStack() as stack:
        if target is None:
            target = stack.enter_context(resolve_target(config))
        secrets[:] = sorted({*secrets, *target_secrets(target)}, key=len, reverse=True)
        target_file = stack.enter_context(target_reference(target))
        stack.enter_context(_headless_kernels())
        headlines: dict[str, Any] = {}
        base = {"target_file": str(target_file), "workload": str(config.workload),
                "results_dir": str(config.results_dir), "run_id": results_run, "mode": config.mode,
                "cost_scenario": str(config.cost_scenario)}
        for index, run in enumerate(runs, start=1):
            if progress:
                progress(ProgressEvent("start", index, len(runs), run))
            parameters = {**base, **config.overrides_for(run.name)}
            if run.name == DECISION_NOTEBOOK:
                parameters["choices_file"] = str(config.decision_file or "")
            _run_notebook(run, parameters, config, report_dir, secrets)
            headlines[run.name] = run.record()
            report_index.write_json(report_dir / report_index.HEADLINES_FILE, headlines)
            if progress:
                progress(ProgressEvent("done", index, len(runs), run))
        where = describe_target(config, target)
    finished = datetime.now(UTC)
    index_path, summary_path = report_index.write_index_and_summary(report_dir, config, runs, run_id, started,
                                                                    finished, where, results_run)
    scrub_tree(report_dir, secrets)
    return ReportOutcome(report_dir, index_path, summary_path, runs)


@contextmanager
def _headless_kernels() -> Iterator[None]:
    """Kernels started inside inherit STREAMCOMPARE_HEADLESS=1: charts render as SVG, panels statically."""
    saved = {name: os.environ.get(name) for name in (HEADLESS_ENV, "PYDEVD_DISABLE_FILE_VALIDATION")}
    os.environ[HEADLESS_ENV] = "1"
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # silences a debugger warning in every kernel
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run_notebook(run: NotebookRun, parameters: dict[str, Any], config: ReportConfig, report_dir: Path,
                  secrets: list[str]) -> None:
    """Execute one notebook, then record its outcome, headlines and HTML page; never raises for the notebook."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    output = report_dir / f"{run.name}.ipynb"
    kernel_log = report_dir / "logs" / f"{run.name}.kernel.log"
    kernel_log.parent.mkdir(exist_ok=True)
    run.warnings = _unknown_overrides(run.input_path, config.overrides_for(run.name))
    started = time.monotonic()
    deadline = started + config.timeout_s
    try:
        with kernel_log.open("wb") as log:
            pm.execute_notebook(
                str(run.input_path), str(output), parameters=parameters, kernel_name=KERNEL_NAME,
                cwd=str(config.notebooks_dir), progress_bar=False, log_output=False,
                start_timeout=KERNEL_START_TIMEOUT_S, kernel_manager_class=_kernel_manager_class(log),
                timeout_func=lambda _cell: max(1, int(deadline - time.monotonic())))
        run.status = "ok"
    except PapermillExecutionError as exc:
        lines = _ANSI.sub("", "\n".join(exc.traceback or [])).strip().splitlines()
        run.error = NotebookError(exc.ename, scrub_text(str(exc.evalue), secrets),
                                  tuple(scrub_text(line, secrets) for line in lines[-LAST_LINES:]))
        run.status = "failed"
    except Exception as exc:  # kernel died, timed out, notebook unreadable: the report goes on
        message = str(exc)
        if type(exc).__name__ == "CellTimeoutError" or time.monotonic() >= deadline:
            message = f"the notebook exceeded its time budget of {config.timeout_s} s (timeout_s). {message}"
        log_tail = kernel_log.read_text(encoding="utf-8", errors="replace").splitlines()[-LAST_LINES:]
        run.error = NotebookError(type(exc).__name__, scrub_text(message.strip(), secrets),
                                  tuple(scrub_text(line, secrets) for line in log_tail))
        run.status = "failed"
    run.duration_s = time.monotonic() - started
    _write_outputs(run, output, report_dir)


def _kernel_manager_class(log: IO[bytes]) -> type:
    """A kernel manager whose kernel writes stdout/stderr to `log`, not to the terminal of the report."""
    from jupyter_client import AsyncKernelManager

    class ReportKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]  # Popen keywords pass through
            kw.setdefault("stdout", log)
            kw.setdefault("stderr", log)
            await super().start_kernel(**kw)

    return ReportKernelManager


def _unknown_overrides(path: Path, overrides: Mapping[str, Any]) -> list[str]:
    """Overrides the notebook's parameters cell does not declare (papermill would only log them)."""
    if not overrides:
        return []
    from papermill.inspection import _infer_parameters

    try:
        declared = {p.name for p in _infer_parameters(nbformat.read(path, as_version=4), name=KERNEL_NAME)}
    except Exception:  # an unreadable notebook fails properly when it runs
        return []
    return [f"parameter {name!r} is not declared in the notebook's parameters cell"
            for name in sorted(set(overrides) - declared)]


def _write_outputs(run: NotebookRun, output: Path, report_dir: Path) -> None:
    page = report_dir / f"{run.name}.html"
    failure = run.error.summary() if run.error else None
    if not output.is_file():
        page.write_text(report_html.failure_page(run.title, failure or "no output"), encoding="utf-8")
        run.html = page
        return
    nb = nbformat.read(output, as_version=4)
    recorded = read_recorded(nb)
    run.headlines, run.scores, run.notebook = recorded["headlines"], recorded["scores"], output
    nb.metadata["streamcompare"] = run.record()
    nbformat.write(nb, output)
    try:
        html = report_html.export_html(report_html.clean_for_readers(nb, run.title, failure))
    except Exception as exc:  # a page that cannot be exported must not stop the report
        run.status = "failed"
        run.error = run.error or NotebookError(type(exc).__name__, f"HTML export failed: {exc}")
        html = report_html.failure_page(run.title, run.error.summary())
    loads = report_html.network_references(html)
    if loads:
        run.warnings.append(f"the page would load {len(loads)} resource(s) from the network: {loads[:3]}")
    page.write_text(html, encoding="utf-8")
    run.html = page
