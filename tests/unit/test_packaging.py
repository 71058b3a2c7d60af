"""The conda environment, pyproject, Makefile, CI and README agree with each other."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))

    python = next(d for d in conda if d.startswith("python"))
    minimum = re.search(r">=\s*(\d+\.\d+)", project["requires-python"]).group(1)
    assert python.split("=")[-1] == minimum, "conda's python is the minimum pyproject supports"
    for tool in ("openjdk=17", "maven", "nodejs"):
        assert any(d.startswith(tool) for d in conda), f"environment.yml needs {tool}"
    assert "-e .[dev,distributed]" in pip, "the conda env installs this package (and so pyproject's dependencies)"


def test_design_card_packages_are_dependencies() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[<>=\[ ]", d)[0].lower() for d in deps}
    for package in ("jupyterlab", "ipywidgets", "pandas", "altair", "boto3", "confluent-kafka", "papermill",
                    "vl-convert-python", "nbconvert", "ipykernel", "hdrhistogram", "pyyaml"):
        assert package in names
    assert all(re.search(r">=\d", d) for d in deps), "every dependency has a lower bound"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make test" in ci
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: setup", makefile, re.M), "make test sets up first"
