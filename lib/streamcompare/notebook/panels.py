"""The interactive page: widgets generated from a criterion's Knobs; every change re-renders the whole view.

`panel(criterion, evidence)` is the one call a notebook makes. In JupyterLab it shows the knobs and,
below them, one output area holding the criterion's whole view (tables, charts, verdict, scores); a
change of any knob recomputes `view` and `scores` and replaces that area in place (`clear_output(wait=True)`,
so old and new output never stand side by side). Headless (the report, papermill) it renders the
default knobs once and says which values it shows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from streamcompare.criteria.contract import KnobSpec, check_knobs, knob_specs, with_knobs
from streamcompare.errors import StreamcompareError
from streamcompare.frontend import is_headless
from streamcompare.notebook.display import format_cell, render_view, show_markdown

SLIDER_WIDTH = "640px"
LABEL_WIDTH = "320px"


def initial_knobs(criterion: ModuleType, evidence: Any, overrides: Mapping[str, Any] | None = None) -> Any:
    """The knobs a page starts from: the criterion's defaults (or `initial_knobs(evidence)`), then overrides."""
    start = criterion.initial_knobs(evidence) if hasattr(criterion, "initial_knobs") else criterion.Knobs()
    check_knobs(start)
    return with_knobs(start, **dict(overrides or {})) if overrides else start


def render_page(criterion: ModuleType, evidence: Any, knobs: Any) -> None:
    """The whole dependent page for these knob values."""
    render_view(criterion.view(evidence, knobs), criterion.scores(evidence, knobs))


def panel(criterion: ModuleType, evidence: Any, overrides: Mapping[str, Any] | None = None) -> None:
    """Show the criterion's page: live knobs in JupyterLab, the default view when headless."""
    knobs = initial_knobs(criterion, evidence, overrides)
    if is_headless():
        _show_caption(knobs)
        render_page(criterion, evidence, knobs)
        return
    import ipywidgets as w
    from IPython.display import display

    specs = knob_specs(knobs)
    controls = {name: widget_for(spec, getattr(knobs, name)) for name, (spec, _d) in specs.items()}
    output = w.Output()
    state = {"knobs": knobs}

    def rerender(_change: Any = None) -> None:
        values = {name: _value(widget, specs[name][1]) for name, widget in controls.items()}
        with output:
            output.clear_output(wait=True)
            try:
                state["knobs"] = with_knobs(state["knobs"], **values)
                render_page(criterion, evidence, state["knobs"])
            except StreamcompareError as exc:
                show_markdown(f"**Cannot show this combination:** {exc}")

    for widget in controls.values():
        widget.observe(rerender, names="value")
    display(w.VBox([_grouped(controls, knobs), *_action_buttons(criterion, state), output]))
    rerender()


def _action_buttons(criterion: ModuleType, state: dict[str, Any]) -> list[Any]:
    """Buttons for the criterion's ACTIONS ({label: fn(knobs) -> message}), with their messages below."""
    actions = getattr(criterion, "ACTIONS", {})
    if not actions:
        return []
    import ipywidgets as w

    message = w.Output()
    buttons = []
    for label, action in actions.items():
        button = w.Button(description=label, layout=w.Layout(width="auto"))

        def clicked(_button: Any, action: Any = action) -> None:
            with message:
                message.clear_output()
                try:
                    show_markdown(action(state["knobs"]))
                except StreamcompareError as exc:
                    show_markdown(f"**Could not do that:** {exc}")

        button.on_click(clicked)
        buttons.append(button)
    return [w.HBox(buttons), message]


def widget_for(spec: KnobSpec, value: Any) -> Any:
    """A wide, labelled widget for one knob: dropdown, checkbox, (log) slider; updates on release."""
    import ipywidgets as w

    style = {"description_width": LABEL_WIDTH}
    layout = w.Layout(width=SLIDER_WIDTH)
    common = {"description": spec.description, "style": style, "layout": layout}
    if spec.options:
        return w.Dropdown(options=list(spec.options), value=value, **common)
    if isinstance(value, bool):
        return w.Checkbox(value=value, indent=False, **common)
    low = spec.low if spec.low is not None else 0
    high = spec.high if spec.high is not None else max(1, value * 10)
    if spec.log and low > 0:
        return w.FloatLogSlider(value=value, base=10, min=math.log10(low), max=math.log10(high),
                                step=spec.step or 0.05, continuous_update=False, readout_format=".4g", **common)
    if isinstance(value, int) and all(isinstance(v, int) for v in (low, high)):
        return w.IntSlider(value=value, min=int(low), max=int(high), step=int(spec.step or 1),
                           continuous_update=False, **common)
    return w.FloatSlider(value=float(value), min=float(low), max=float(high), step=spec.step or (high - low) / 100,
                         continuous_update=False, readout_format=".3g", **common)


def _value(widget: Any, default: Any) -> Any:
    """The widget's value in the knob's type (a log slider over an integer knob gives whole numbers)."""
    value = widget.value
    if isinstance(default, int) and not isinstance(default, bool):
        return int(round(value))
    return value


def _grouped(controls: Mapping[str, Any], knobs: Any) -> Any:
    import ipywidgets as w

    groups: dict[str, list[Any]] = {}
    for name, (spec, _d) in knob_specs(knobs).items():
        groups.setdefault(spec.group, []).append(controls[name])
    boxes: list[Any] = []
    for group, widgets in groups.items():
        if group:
            boxes.append(w.HTML(f"<b>{group}</b>"))
        boxes.extend(widgets)
    return w.VBox(boxes)


def _show_caption(knobs: Any) -> None:
    shown = ", ".join(f"{spec.description} = {format_cell(getattr(knobs, name))}"
                      for name, (spec, _d) in knob_specs(knobs).items())
    if shown:
        show_markdown(f"*Shown for {shown}. Open the notebook in JupyterLab to change these.*")


