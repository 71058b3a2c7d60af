"""Committed notebooks: no outputs, a tagged parameters cell first, thin (no definitions), library calls."""

from __future__ import annotations

import dataclasses
import importlib
import re
from pathlib import Path

import nbformat
import pytest

from streamcompare.criteria.contract import knob_specs
from streamcompare.criteria.registry import notebook_modules

pytestmark = pytest.mark.unit
NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
CRITERIA = list(notebook_modules())


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
    assert "**What this page answers:**" in nb.cells[0].source and "**How to run it:**" in nb.cells[0].source
    assert code[-1].source.startswith("record(criterion"), "the last cell records headlines and scores"
    source = "\n".join(line.split("#")[0] for c in code for line in c.source.splitlines())
    assert not re.search(r"\bmode\s*==|\bif\b", source), "live/replay switching happens in collect()"
    assert "criterion.collect(ctx)" in source and "panel(criterion, evidence" in source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_imports_its_one_criterion_module_which_follows_the_contract(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    imported = re.findall(r"from streamcompare\.criteria import (\w+) as criterion", source)
    assert imported == [notebook_modules()[path.stem]]
    module = importlib.import_module(f"streamcompare.criteria.{imported[0]}")
    for name in ("NAME", "TITLE", "Knobs", "collect", "view", "scores", "headlines"):
        assert hasattr(module, name), f"{module.__name__} lacks {name}"
    assert dataclasses.is_dataclass(module.Knobs) and module.Knobs.__dataclass_params__.frozen
    assert knob_specs(module.Knobs), "every page has at least one knob"
