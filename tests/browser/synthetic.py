"""Small notebooks that exercise the harness itself: a slider re-rendering Markdown and a chart, and a failure."""

from __future__ import annotations

from pathlib import Path

import nbformat

SLIDER = '''\
import ipywidgets as w
from IPython.display import Markdown, display
import altair as alt
import pandas as pd
from streamcompare.charts import render_static

level = w.IntSlider(description="level", min=0, max=10, value=3, continuous_update=False)
out = w.Output()

def render(change=None):
    with out:
        out.clear_output(wait=True)
        display(Markdown(f"**Verdict:** level is {level.value}"))
        chart = alt.Chart(pd.DataFrame({"x": list(range(level.value + 1))})).mark_bar().encode(x="x:O", y="x:Q")
        display(render_static(chart.properties(width=300, height=150)))

level.observe(render, names="value")
render()
display(w.VBox([level, out]))'''

CDN_CHART = """\
import altair as alt
import pandas as pd
alt.renderers.enable("html")  # loads Vega from a CDN: fails offline
alt.Chart(pd.DataFrame({"x": [1, 2, 3]})).mark_bar().encode(x="x:O", y="x:Q")"""


def write(folder: Path) -> dict[str, Path]:
    """harness_ok.ipynb (slider, Markdown, chart; no error); harness_broken.ipynb (a CDN chart, then a traceback)."""
    folder.mkdir(parents=True, exist_ok=True)
    ok = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Harness check"),
                                         nbformat.v4.new_code_cell("print('plain output')"),
                                         nbformat.v4.new_code_cell(SLIDER)])
    broken = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CDN_CHART),
                                             nbformat.v4.new_code_cell("1 / 0")])
    paths = {}
    for name, nb in (("harness_ok", ok), ("harness_broken", broken)):
        nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
        paths[name] = folder / f"{name}.ipynb"
        nbformat.write(nb, paths[name])
    return paths
