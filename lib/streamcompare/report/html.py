"""Executed notebook -> a self-contained HTML page with no code, no JavaScript and no network loads.

nbconvert's `lab` template links require.js, MathJax and mermaid from CDNs and base64-encodes SVG into
<img> tags; the template below (a `lab` child) drops those scripts, keeps the inlined CSS, and inlines
SVG charts as <svg> elements. Before export a copy of the notebook is cleaned for readers: code inputs
and prompts are excluded, stderr (warnings), widget views, headline bundles and tracebacks (which
quote code) are dropped, Vega-Lite outputs become SVG, and a failed notebook gets a banner saying why.
"""

from __future__ import annotations

import copy
import html
import re
from typing import Any

import nbformat
from jinja2 import DictLoader

from streamcompare.headlines import MIME_TYPE

TEMPLATE_NAME = "streamcompare_page.html.j2"
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"
_VEGALITE = re.compile(r"^application/vnd\.vegalite\.v\d+\+json$")
_DROPPED_MIME = re.compile(r"^application/vnd\.jupyter\.widget-(view|state)\+json$")
_NETWORK = re.compile(
    r"""<(script|img|iframe|embed|source|audio|video)\b[^>]*\bsrc\s*=\s*["']?\s*(https?:)?//"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?\s*(https?:)?//"""
    r"""|@import\s+(url\()?\s*["']?\s*(https?:)?//"""
    r"""|url\(\s*["']?\s*(https?:)?//"""
    r"""|<(use|image)\b[^>]*href\s*=\s*["']?\s*(https?:)?//""",
    re.IGNORECASE)

PAGE_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
main { max-width: 1100px; margin: 0 auto; }
.sc-nav { max-width: 1100px; margin: 8px auto; font: 14px Helvetica, Arial, sans-serif; }
.sc-failed { border-left: 6px solid #c62828; background: #fdecea; padding: 8px 14px; margin: 12px 0; }
.jp-RenderedSVG svg { max-width: 100%; height: auto; }
</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
<nav class="sc-nav"><a href="index.html">&larr; report index</a></nav>
{%- endblock body_header -%}
{% block data_svg scoped -%}
<div class="jp-RenderedSVG jp-OutputArea-output {{ extra_class }}" data-mime-type="image/svg+xml">
{{ output.data['image/svg+xml'] }}
</div>
{%- endblock data_svg %}
"""


def network_references(page: str) -> list[str]:
    """Every place an HTML page would load a script, stylesheet, image or font from the network."""
    return [m.group(0) for m in _NETWORK.finditer(page)]


def clean_for_readers(nb: Any, title: str, failure: str | None = None) -> Any:
    """A copy of an executed notebook ready for export (the executed notebook itself is untouched)."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    nb.metadata["title"] = title
    cells = [c for c in nb.cells if PAPERMILL_ERROR_TAG not in c.get("metadata", {}).get("tags", [])]
    for cell in cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in (_reader_output(o) for o in cell.get("outputs", [])) if o is not None]
    cells = [c for c in cells if c.cell_type != "code" or c.outputs]  # no empty gaps where code was
    if failure:
        cells.insert(0, nbformat.v4.new_markdown_cell(
            f'<div class="sc-failed"><strong>This section did not complete.</strong> {html.escape(failure)}<br>'
            "What follows is what it showed before it stopped.</div>"))
    nb.cells = cells
    return nb


def _reader_output(output: Any) -> Any | None:
    kind = output.get("output_type")
    if kind == "error" or (kind == "stream" and output.get("name") == "stderr"):
        return None
    if kind not in ("display_data", "execute_result"):
        return output
    data = output.get("data", {})
    if MIME_TYPE in data or any(_DROPPED_MIME.match(m) for m in data):
        return None
    vegalite = next((m for m in data if _VEGALITE.match(m)), None)
    if vegalite and "image/svg+xml" not in data and "image/png" not in data:
        from streamcompare.charts import spec_to_svg

        data["image/svg+xml"] = spec_to_svg(dict(data[vegalite]))
    if vegalite:
        data.pop(vegalite)
        data.pop("text/html", None)  # altair's html fallback loads vega from a CDN
    if "image/svg+xml" in data:
        data["image/svg+xml"] = _inline_svg(data["image/svg+xml"])
    return output


def _inline_svg(svg: str | list[str]) -> str:
    """Drop the XML declaration and DOCTYPE that some writers (matplotlib) put before <svg>."""
    text = "".join(svg) if isinstance(svg, list) else svg
    return re.sub(r"^\s*(<\?xml[^>]*>\s*)?(<!DOCTYPE[^>]*>\s*)?", "", text)


def export_html(nb: Any) -> str:
    """HTML of a cleaned notebook: outputs and narrative only, CSS inlined, no scripts."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab", template_file=TEMPLATE_NAME, extra_loaders=[DictLoader({TEMPLATE_NAME: PAGE_TEMPLATE})],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, embed_images=True,
        sanitize_html=False)
    body, _resources = exporter.from_notebook_node(nb)
    return body


def failure_page(title: str, failure: str) -> str:
    """The page of a notebook that produced no output notebook at all (it could not start)."""
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            "<style>body{font:15px Helvetica,Arial,sans-serif;max-width:900px;margin:24px auto}"
            ".sc-failed{border-left:6px solid #c62828;background:#fdecea;padding:8px 14px}</style></head>"
            f"<body><nav><a href=\"index.html\">&larr; report index</a></nav><h1>{html.escape(title)}</h1>"
            f"<div class=\"sc-failed\"><strong>This section did not run.</strong> {html.escape(failure)}</div>"
            "</body></html>\n")
