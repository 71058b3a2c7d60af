"""Showing a criterion's View: Markdown, tables for people, charts as inline SVG (no network, no CDN)."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from streamcompare.charts import show
from streamcompare.criteria.contract import Chart, Markdown, Score, Table, View
from streamcompare.frontend import is_headless

TABLE_STYLE = ("<style>.sc-scroll{max-width:100%;overflow-x:auto}.sc-table{border-collapse:collapse;font-size:13px}"
               ".sc-table th,.sc-table td{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left !important;"
               "vertical-align:top}.sc-table th{background:#f5f5f5}.sc-table td.num{text-align:right !important;"
               "white-space:nowrap}</style>")


def markdown_text(text: str) -> str:
    """Markdown with dollar signs escaped, so `$3,000` is money, not the start of maths.

    The report's HTML has no MathJax and needs `\\$`; JupyterLab's Markdown renderer eats one backslash
    before MathJax sees the text, so a live page needs two (checked in JupyterLab 4.6 by the browser tier).
    """
    escape = "\\$" if is_headless() else "\\\\$"
    return text.replace("\\$", "$").replace("$", escape)


def show_markdown(text: str) -> None:
    from IPython.display import Markdown as IPyMarkdown
    from IPython.display import display

    display(IPyMarkdown(markdown_text(text)))


def format_cell(value: Any) -> str:
    """A figure for people: n/a for missing, thousands separators, at most 3 significant decimals."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 100:
            return f"{value:.0f}"
        return f"{value:.3g}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    text = str(value)
    return "n/a" if text in ("nan", "None", "NaT") else text


def table_html(frame: pd.DataFrame, caption: str = "") -> str:
    """An HTML table that wraps instead of running off the page; numbers right-aligned and rounded."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for value in record:
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            cls = ' class="num"' if numeric else ""
            cells.append(f"<td{cls}>{html.escape(format_cell(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<p><em>{html.escape(caption)}</em></p>" if caption else ""
    return (f'{TABLE_STYLE}{cap}<div class="sc-scroll"><table class="sc-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def show_table(frame: pd.DataFrame, caption: str = "") -> None:
    from IPython.display import HTML, display

    display(HTML(table_html(frame, caption)))


def scores_frame(scores: Mapping[str, Score]) -> pd.DataFrame:
    return pd.DataFrame([{"option": option, "score (0-10)": s.value, "evidence": s.evidence, "why": s.why}
                         for option, s in scores.items()])


def render_view(view: View, scores: Mapping[str, Score] | None = None) -> None:
    """Show every block of the view, then the verdict and the scores it gives."""
    for block in view.blocks:
        if isinstance(block, Markdown):
            show_markdown(block.text)
        elif isinstance(block, Table):
            show_table(block.frame, block.caption)
        elif isinstance(block, Chart):
            show(block.chart)
    if view.verdict:
        show_markdown(view.verdict)
    if scores:
        show_table(scores_frame(scores), "Scores this page gives each option (0-10), what they rest on, and why")
