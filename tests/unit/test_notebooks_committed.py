"""Committed notebooks: no outputs, a tagged parameters cell first, thin (no definitions), library calls."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.unit
NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
CRITERIA = ["00_decision", "01_latency", "02_programming_interfaces", "03_reliability", "04_flow_control",
            "05_security", "06_cost", "07_scaling_operations"]


def test_one_notebook_per_criterion() -> None:
    assert [p.stem for p in NOTEBOOKS] == CRITERIA


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs_and_thin(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "strip outputs before committing"
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell is the parameters cell"
    assert all(":" in line and "#" in line for line in code[0].source.splitlines()[1:] if line.strip()), \
        "every parameter is typed and commented"
    for cell in code:
        for word in ("def ", "class ", "lambda"):
            assert word not in cell.source, f"{path.stem}: notebooks call the library, they define nothing"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "record_headlines" in code[-1].source, "the last cell records headline values"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_library_name_a_notebook_uses_exists(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    modules = re.findall(r"from streamcompare\.criteria import ([\w, ]+)", source)
    for name in {m.strip() for group in modules for m in group.split(",")}:
        module = importlib.import_module(f"streamcompare.criteria.{name}")
        for attribute in set(re.findall(rf"\b{name}\.(\w+)", source)):
            assert hasattr(module, attribute), f"{path.stem} calls {name}.{attribute}, which does not exist"
