"""Tiny notebooks and configs for the report tests (shared by tests/unit and tests/integration).

Importable as `report_fixtures` because pytest puts tests/ (the folder of the root conftest.py) on
sys.path. The notebooks exercise the real machinery with papermill: charts, a widget panel, headlines,
scores, a warning, a deliberate print of the secret (the scrub must remove it), and a failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SECRET = "S3cr3t-Sasl-Pw-<&\"quoted\">"
"""A SASL password with characters that HTML and JSON escape differently."""
CODE_MARKERS = ("CODE-MARKER-ALPHA-9f1c", "CODE-MARKER-BETA-27d4", "CODE-MARKER-DECISION-b0e8")
WARNING_MARKER = "NOISY-WARNING-MARKER-5e2a"
FAILURE_MESSAGE = "beta exploded on purpose"
PARAMETERS = '''# Parameters (papermill replaces these)
target_file: str = ""     # JSON file with the target (connection details)
workload: str = ""        # workload YAML
results_dir: str = ""     # where results are written (live) or read (replay)
run_id: str = ""          # this report's id
mode: str = "live"        # live | replay
cost_scenario: str = ""   # cost scenario YAML
'''
IMPORTS = '''import pandas as pd
from streamcompare import charts
from streamcompare.charts import show
from streamcompare.criteria import flow_control
from streamcompare.decision import decide
from streamcompare.headlines import headline
from streamcompare.notebook import panel
from streamcompare.notebook.record import record_headlines, record_scores
from streamcompare.report.target import load_target'''
LATENCY = '''pd.DataFrame({"system": ["kafka"] * 5 + ["kinesis (emulator)"] * 5,
              "quantile": ["p50", "p90", "p99", "p99.9", "max"] * 2,
              "value_us": [800, 1500, 4000, 9000, 20000, 2500, 4000, 9000, 30000, 90000]})'''


def _parameters_cell(source: str = PARAMETERS) -> Any:
    cell = new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    return cell


def alpha() -> Any:
    return new_notebook(cells=[
        new_markdown_cell("# Alpha latency\n\nLatency narrative for readers."),
        _parameters_cell(),
        new_code_cell(IMPORTS),
        new_code_cell(f'marker = "{CODE_MARKERS[0]}"\ntarget = load_target(target_file)\n'
                      'print("password seen by the notebook:", target.kafka.security["sasl.password"])'),
        new_code_cell(f'import warnings\nwarnings.warn("{WARNING_MARKER}")'),
        new_code_cell(f"show(charts.latency_percentiles({LATENCY}))"),
        new_code_cell('panel(flow_control, flow_control.Evidence(), {"shards": 3})'),
        new_code_cell('record_headlines(kafka_p99_ms=headline(4.0, "ms", "measured", "Kafka p99 end-to-end"),\n'
                      '                 monthly_usd=headline(1234.5, "USD", "modelled", "Kinesis monthly cost"))\n'
                      'record_scores("latency", [\n'
                      '    {"option": "kafka", "score": 9, "evidence": "measured", "why": "a"},\n'
                      '    {"option": "kinesis", "score": 6, "evidence": "measured", "why": "b"}])'),
    ])


def beta() -> Any:
    return new_notebook(cells=[
        new_markdown_cell("# Beta flow control"),
        _parameters_cell(),
        new_code_cell(IMPORTS),
        new_code_cell(f"show(charts.latency_percentiles({LATENCY}))"),
        new_code_cell('record_scores("cost", [\n'
                      '    {"option": "kafka", "score": 1, "evidence": "modelled", "why": "c"},\n'
                      '    {"option": "kinesis", "score": 10, "evidence": "modelled", "why": "d"}])'),
        new_code_cell(f'marker = "{CODE_MARKERS[1]}"\nraise RuntimeError("{FAILURE_MESSAGE}")'),
        new_code_cell('print("never reached")'),
    ])


def decision() -> Any:
    return new_notebook(cells=[
        new_markdown_cell("# Decision"),
        _parameters_cell(PARAMETERS + 'choices_file: str = ""  # the team\'s choices\n'
                                      'weights: dict = {"latency": 6, "cost": 4}\n'),
        new_code_cell(IMPORTS),
        new_code_cell(f'marker = "{CODE_MARKERS[2]}"\n'
                      '# the scores alpha recorded (beta failed, so its cost scores do not count)\n'
                      'result = decide({"latency": {"kafka": (9, "measured"), "kinesis": (6, "measured")}},\n'
                      '                {"latency": weights["latency"]})'),
        new_code_cell("show(charts.scores(result.contributions))"),
        new_code_cell("record_headlines(**result.headlines())"),
    ])


def probe() -> Any:
    """Records what it was given: the target's kind and Kafka bootstrap, and the mode."""
    return new_notebook(cells=[
        new_markdown_cell("# Probe"),
        _parameters_cell(),
        new_code_cell(IMPORTS),
        new_code_cell("target = load_target(target_file)\n"
                      'record_headlines(kind=target.kind, bootstrap=target.kafka.bootstrap if target.kafka else None,\n'
                      '                 mode=mode, replay=target.replay, results_dir=results_dir, run_id=run_id)'),
    ])


def sleepy() -> Any:
    return new_notebook(cells=[new_markdown_cell("# Sleepy"), _parameters_cell(),
                               new_code_cell("import time\ntime.sleep(120)")])


def write_notebooks(directory: Path, names: tuple[str, ...] = ("10_alpha", "20_beta", "00_decision")) -> Path:
    builders = {"10_alpha": alpha, "20_beta": beta, "00_decision": decision, "30_probe": probe,
                "40_sleepy": sleepy}
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        nb = builders[name]()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, directory / f"{name}.ipynb")
    return directory


def config_data(tmp: Path, password: str = SECRET) -> dict[str, Any]:
    """A kafka-target config (no stack needed) whose SASL password the report must never leak."""
    return {
        "target": {"kind": "kafka", "kafka": {"bootstrap_servers": "broker.invalid:9096", "security": {
            "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "alice",
            "sasl.password": password}}},
        "mode": "live", "workload": "quick", "results_dir": str(tmp / "results"), "reports_dir": str(tmp / "reports"),
        "notebooks_dir": str(tmp / "notebooks"), "timeout_s": 300,
    }
