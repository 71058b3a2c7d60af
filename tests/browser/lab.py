"""Driving a notebook in JupyterLab with Playwright as a person would: menus, keyboard, what is on screen.

`Notebook(page, lab)` opens a notebook, runs every cell through Run > Run All Cells, waits for the kernel
to go idle and the page to settle, moves ipywidgets sliders with the keyboard, and reads what a reader
sees: Markdown text, error outputs, whether every chart was drawn. `Offline(context)` routes every request
to a host other than loopback to abort and lists them.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Locator, Page, Request, Route

from browser.servers import LOOPBACK, Lab

ERROR_TEXTS = ("Traceback (most recent call last)", "Error loading script", "Error displaying widget",
               "No renderer could be found", "Javascript Error", "Model not found")
STDERR = '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]'
OUTPUT_AREA = ".widget-output"  # an ipywidgets Output

# Records the page time of the last DOM change under a node, and of the last key released anywhere.
_WATCH = """([root, key]) => {
  window.__sc = window.__sc || {};
  const w = window.__sc[key] = {last: performance.now(), count: 0};
  new MutationObserver(() => { w.last = performance.now(); w.count += 1; })
    .observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
  if (!window.__scKeys) {
    window.__scKeys = {up: 0};
    document.addEventListener("keyup", () => { window.__scKeys.up = performance.now(); }, true);
  }
}"""

# Every chart output: SVG (inline or as <img>) or a vega-embed canvas, with its drawn size and any problem.
_CHARTS = """(root) => {
  const found = [];
  const box = el => el.getBoundingClientRect();
  for (const img of root.querySelectorAll('.jp-RenderedSVG img, .jp-RenderedImage img, img[src^="data:image/svg"]')) {
    const b = box(img);
    found.push({kind: "svg-img", width: b.width, height: b.height,
                drawn: img.complete && img.naturalWidth > 0, problem: ""});
  }
  for (const svg of root.querySelectorAll('.jp-OutputArea-output svg')) {
    if (svg.closest('.vega-embed') || svg.closest('.widget-slider') || svg.closest('.jp-Toolbar')) continue;
    if (svg.parentElement && svg.parentElement.closest('svg')) continue;  // nested: counted with its root
    const b = box(svg);
    if (b.width < 40 && b.height < 40) continue;  // icons
    const marks = [...svg.querySelectorAll('path, rect, line, text, circle')].filter(m => {
      const r = m.getBoundingClientRect(); return r.width > 0 || r.height > 0; }).length;
    found.push({kind: "svg", width: b.width, height: b.height, drawn: marks > 5, problem: ""});
  }
  for (const embed of root.querySelectorAll('.vega-embed, [id^="altair-viz-"]')) {
    if (embed.parentElement && embed.parentElement.closest('.vega-embed, [id^="altair-viz-"]')) continue;
    const canvas = embed.querySelector('canvas, svg.marks');
    const b = canvas ? box(canvas) : box(embed);
    const error = embed.querySelector('.error');
    found.push({kind: "vega-embed", width: b.width, height: b.height, drawn: Boolean(canvas) && !error,
                problem: error ? error.textContent : (canvas ? "" : "no canvas or svg")});
  }
  return found;
}"""


@dataclass
class Offline:
    """Aborts every request from the browser context to a host other than loopback; lists what it blocked."""

    context: BrowserContext
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.context.route("**/*", self._route)
        self.context.on("requestfailed", self._failed)

    def _route(self, route: Route) -> None:
        if is_loopback(route.request.url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("internetdisconnected")

    def _failed(self, request: Request) -> None:
        if not is_loopback(request.url):
            self.failed.append(request.url)

    @property
    def outside(self) -> list[str]:
        """Every request that tried to leave the machine (blocked, or failed on its own)."""
        return sorted(set(self.blocked) | set(self.failed))


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension", "devtools"):
        return True
    return (parts.hostname or "") in LOOPBACK


@dataclass(frozen=True)
class Move:
    """A slider move: what the page showed before and after, and how long the update took."""

    label: str
    before: str
    after: str
    settle_ms: float  # key released -> last change of the updated output
    first_ms: float  # key released -> first change


class Notebook:
    """One notebook open in JupyterLab (one browser page)."""

    def __init__(self, page: Page, lab: Lab, shots: Path) -> None:
        self.page, self.lab, self.shots = page, lab, shots
        shots.mkdir(parents=True, exist_ok=True)

    # --- opening and running -----------------------------------------------------------------------
    def open(self, path: str, timeout_s: float = 90) -> Notebook:
        self.page.goto(self.lab.tree(path))
        self.page.locator(".jp-NotebookPanel").first.wait_for(timeout=timeout_s * 1000)
        self._accept_kernel(timeout_s)
        self._wait_status("idle", timeout_s)  # the kernel started
        return self

    def _accept_kernel(self, timeout_s: float) -> None:
        """Answer JupyterLab's "Select Kernel" dialog with its proposal (Python 3), as a person would."""
        deadline = time.monotonic() + timeout_s
        dialog = self.page.locator(".jp-Dialog")
        kernel = self.page.locator(".jp-NotebookPanel-toolbar .jp-KernelName, .jp-Toolbar-kernelName").first
        while time.monotonic() < deadline:
            if dialog.count() and "Select Kernel" in dialog.first.inner_text():
                dialog.first.locator(".jp-Dialog-button.jp-mod-accept").click()
                dialog.first.wait_for(state="detached")
                return
            if kernel.count() and "No Kernel" not in kernel.inner_text() and self._kernel_connected():
                return
            time.sleep(0.2)
        raise AssertionError(f"no kernel started within {timeout_s:.0f} s")

    def _kernel_connected(self) -> bool:
        return bool(self.page.evaluate(
            "() => /Idle|Busy/.test(document.querySelector('.jp-StatusBar-Widget, .jp-StatusBar')?.innerText || '')"))

    def run_all(self, timeout_s: float = 180) -> float:
        """Run > Run All Cells from the menu bar; waits until every cell ran and the page settled. Seconds."""
        start = time.monotonic()
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        self.wait_idle(timeout_s)
        return time.monotonic() - start

    def wait_idle(self, timeout_s: float = 180, quiet_ms: int = 1000) -> None:
        """Every code cell ran (or one failed and Run All stopped), the kernel is idle, no change for quiet_ms."""
        self.page.wait_for_function(
            """() => {
              const STDERR_JS = '""" + STDERR.replace("'", "\\'") + """';
              const panel = '.jp-NotebookPanel:not(.lm-mod-hidden) ';
              const prompts = [...document.querySelectorAll(panel + '.jp-CodeCell .jp-InputPrompt')];
              const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
              const failed = document.querySelector(panel + STDERR_JS);
              const ran = prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
              const busy = prompts.some(p => p.textContent.includes('*'));
              return prompts.length > 0 && !busy && (ran || failed) && ind && ind.dataset.status === 'idle';
            }""", timeout=timeout_s * 1000, polling=250)
        self.wait_quiet(self.page.locator(".jp-NotebookPanel .jp-Notebook").first, quiet_ms, timeout_s)

    def wait_quiet(self, root: Locator, quiet_ms: int = 1000, timeout_s: float = 60) -> None:
        key = f"q{time.monotonic_ns()}"
        root.evaluate("(el, key) => (" + _WATCH + ")([el, key])", key)
        self.page.wait_for_function(f"() => performance.now() - window.__sc['{key}'].last > {quiet_ms}",
                                    timeout=timeout_s * 1000, polling=100)

    def _wait_status(self, status: str, timeout_s: float) -> None:
        self.page.wait_for_function(
            f"() => document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === '{status}'",
            timeout=timeout_s * 1000, polling=250)

    # --- reading -------------------------------------------------------------------------------------
    @property
    def notebook(self) -> Locator:
        return self.page.locator(".jp-NotebookPanel .jp-Notebook").first

    def text(self) -> str:
        """Everything the notebook shows (cells and outputs) as text."""
        return self.notebook.inner_text()

    def markdown(self) -> list[str]:
        """The text of every Markdown output (not the Markdown cells)."""
        return [t.strip() for t in self.notebook.locator(
            '.jp-OutputArea-output[data-mime-type="text/markdown"]').all_inner_texts()]

    def errors(self) -> list[str]:
        """Every error a reader would see: stderr/traceback outputs and error messages of renderers."""
        found = [t.strip()[:500] for t in self.notebook.locator(STDERR).all_inner_texts()]
        outputs = "\n".join(self.notebook.locator(".jp-OutputArea").all_inner_texts())
        found += [f"{text}: ...{outputs[max(0, i - 100): i + 200]}..." for text in ERROR_TEXTS
                  for i in [outputs.find(text)] if i >= 0]
        return found

    def charts(self) -> list[dict[str, Any]]:
        """Every chart in the outputs: kind, laid-out size, whether it was drawn, and its problem if any."""
        return list(self.notebook.evaluate(_CHARTS))

    def chart_problems(self) -> list[str]:
        return [f"{c['kind']} {c['width']:.0f}x{c['height']:.0f}: {c['problem'] or 'not drawn'}"
                for c in self.charts() if not (c["drawn"] and c["width"] > 100 and c["height"] > 50)]

    # --- sliders ---------------------------------------------------------------------------------------
    def sliders(self) -> list[str]:
        """The labels of every slider, in page order."""
        return [t.strip() for t in self.notebook.locator(".widget-slider .widget-label").all_inner_texts()]

    def slider(self, label: str | re.Pattern[str]) -> Locator:
        pattern = label if isinstance(label, re.Pattern) else re.compile(rf"^\s*{re.escape(label)}\s*$")
        found = self.notebook.locator(".widget-slider").filter(
            has=self.page.locator(".widget-label", has_text=pattern))
        if found.count() != 1:
            raise AssertionError(f"{found.count()} sliders labelled {label!r}; the sliders are {self.sliders()}")
        return found

    def slider_value(self, label: str | re.Pattern[str]) -> str:
        return self.slider(label).locator(".widget-readout").inner_text().strip()

    def press(self, label: str | re.Pattern[str], *keys: str, timeout_s: float = 60, quiet_ms: int = 500) -> Move:
        """Focus the slider's handle, press the keys, and wait until the output it drives changed and settled."""
        return self._move(label, lambda handle: [handle.press(k) for k in keys], timeout_s, quiet_ms)

    def type_value(self, label: str | re.Pattern[str], value: str, timeout_s: float = 60,
                   quiet_ms: int = 500) -> Move:
        """Type a value into the slider's readout and press Enter (exact values, such as 100 MB/s)."""
        def act(_handle: Locator) -> None:
            readout = self.slider(label).locator(".widget-readout")
            readout.click()
            self.page.keyboard.press("Control+A")
            self.page.keyboard.type(value)
            self.page.keyboard.press("Enter")
        return self._move(label, act, timeout_s, quiet_ms)

    def _move(self, label: str | re.Pattern[str], act: Any, timeout_s: float, quiet_ms: int) -> Move:
        slider = self.slider(label)
        area = self._driven_area(slider)
        before = area.inner_html()
        before_text = area.inner_text()
        key = f"m{time.monotonic_ns()}"
        area.evaluate("(el, key) => (" + _WATCH + ")([el, key])", key)
        self.page.evaluate(f"() => {{ window.__sc['{key}'].count = 0; window.__sc['{key}'].first = 0; }}")
        area.evaluate(f"""(el) => new MutationObserver(() => {{
            const w = window.__sc['{key}']; if (!w.first) w.first = performance.now(); }})
            .observe(el, {{subtree: true, childList: true, attributes: true, characterData: true}})""")
        handle = slider.locator(".noUi-handle").first
        handle.focus()
        act(handle)
        self.page.wait_for_function(
            """([el, before]) => el.innerHTML !== before""", arg=[area.element_handle(), before],
            timeout=timeout_s * 1000, polling=50)
        self.page.wait_for_function(f"() => performance.now() - window.__sc['{key}'].last > {quiet_ms}",
                                    timeout=timeout_s * 1000, polling=50)
        times = self.page.evaluate(f"() => [window.__scKeys.up, window.__sc['{key}'].first, window.__sc['{key}'].last]")
        released, first, last = times
        return Move(str(label), before_text, area.inner_text(), last - released, first - released)

    def _driven_area(self, slider: Locator) -> Locator:
        """The output a slider drives: the widget Output area in the slider's cell (else the cell's outputs)."""
        cell = slider.locator("xpath=ancestor::div[contains(concat(' ', @class, ' '), ' jp-Cell ')][1]")
        areas = cell.locator(OUTPUT_AREA)
        return areas.last if areas.count() else cell.locator(".jp-Cell-outputArea").first

    # --- pictures -------------------------------------------------------------------------------------------
    def screenshot(self, name: str, locator: Locator | None = None) -> Path:
        path = self.shots / f"{name}.png"
        (locator or self.page).screenshot(path=str(path))
        return path

    def screenshot_span(self, path: Path, top: Locator, bottom: Locator, margin: int = 36) -> Path:
        """A picture of the page from `top` to `bottom` (both must fit the viewport once `top` is scrolled up)."""
        top.evaluate("el => el.scrollIntoView({block: 'center'})")
        self.wait_quiet(self.notebook, 300)
        first, last = top.bounding_box(), bottom.bounding_box()
        if first is None or last is None:
            raise AssertionError("cannot picture a hidden element")
        x = max(0.0, min(first["x"], last["x"]) - margin)
        right = max(first["x"] + first["width"], last["x"] + last["width"]) + 8
        y = max(0.0, first["y"] - margin)
        self.page.screenshot(path=str(path), clip={"x": x, "y": y, "width": right - x,
                                                   "height": last["y"] + last["height"] + 8 - y})
        return path
