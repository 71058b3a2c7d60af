"""ipywidgets panels: live controls in JupyterLab, the static default view under papermill.

`panel(controls, render, defaults)` is the only call a notebook needs: in a live frontend it shows the
controls and re-runs `render(**values)` whenever one changes (`ipywidgets.interactive_output`);
headless (the report sets STREAMCOMPARE_HEADLESS=1; also outside a Jupyter kernel) it calls
`render(**defaults)` once, so no output depends on a widget being displayed. It returns None, so
nothing like `interactive(children=...)` is printed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from streamcompare.errors import ConfigError
from streamcompare.frontend import is_headless

_STYLE = {"description_width": "initial"}


def slider(description: str, min: float, max: float, step: float, value: float) -> Any:  # noqa: A002
    """A slider that recomputes when released (not on every pixel); integer when every bound is."""
    import ipywidgets as w

    kind = w.IntSlider if all(isinstance(v, int) for v in (min, max, step, value)) else w.FloatSlider
    return kind(description=description, min=min, max=max, step=step, value=value, continuous_update=False,
                style=_STYLE)


def log_slider(description: str, min_exp: float, max_exp: float, value: float, base: float = 10,
               step: float = 0.1) -> Any:
    """A slider over base**min_exp .. base**max_exp (throughput, record size and the like)."""
    import ipywidgets as w

    return w.FloatLogSlider(description=description, min=min_exp, max=max_exp, base=base, step=step, value=value,
                            continuous_update=False, style=_STYLE)


def dropdown(description: str, options: Sequence[Any], value: Any = None) -> Any:
    import ipywidgets as w

    return w.Dropdown(description=description, options=list(options),
                      value=options[0] if value is None else value, style=_STYLE)


def showing(compute: Callable[..., Any], *builders: Callable[[Any], Any]) -> Callable[..., None]:
    """A render function for `panel`: compute(**values) once, then show each chart builder's chart of it.

    `panel({"mb_s": log_slider(...)}, showing(partial(cost_frame, scenario), charts.cost_bars), defaults)`
    keeps notebooks free of function definitions.
    """
    from streamcompare.charts import show

    def render(**values: Any) -> None:
        data = compute(**values)
        for build in builders:
            show(build(data))

    return render


def panel(controls: Mapping[str, Any], render: Callable[..., None], defaults: Mapping[str, Any] | None = None,
          caption: bool = True) -> None:
    """Show `render`'s output for the controls' values: live in JupyterLab, the defaults when headless.

    `controls` maps render's keyword names to widgets; `defaults` (default: each widget's value) is the
    view the report shows. With `caption`, the headless view is labelled with the values it shows.
    """
    unknown = sorted(set(defaults or {}) - set(controls))
    if unknown:
        raise ConfigError(f"defaults for unknown controls {unknown}", field="defaults",
                          fix=f"use the control names: {', '.join(controls)}")
    values = {name: widget.value for name, widget in controls.items()} | dict(defaults or {})
    if is_headless():
        if caption:
            _show_caption(controls, values)
        render(**values)
        return
    import ipywidgets as w
    from IPython.display import display

    for name, value in values.items():
        controls[name].value = value
    output = w.interactive_output(render, dict(controls))
    box = w.Box(list(controls.values()), layout=w.Layout(flex_flow="row wrap"))
    display(w.VBox([box, output]))


def _show_caption(controls: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    from IPython.display import Markdown, display

    shown = ", ".join(f"{getattr(controls[name], 'description', '') or name} = {_format(value)}"
                      for name, value in values.items())
    display(Markdown(f"*Shown for {shown}. Open the notebook in JupyterLab to change these.*"))


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)
