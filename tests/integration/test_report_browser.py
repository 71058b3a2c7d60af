"""The report in headless Chromium with networking disabled: every chart is laid out and drawn.

Needs Debian's chromium (`apt-get install -y chromium`); skipped when /usr/bin/chromium is missing.
Builds a report from the tiny fixture notebooks (papermill, no stack), then
1. dumps each page's DOM and counts the <svg> elements Chromium parsed,
2. loads each page in an iframe of a probe page whose script measures every SVG's laid-out size and
   counts its drawn marks (proof that the charts rendered, not just that markup exists),
3. compares a screenshot of a chart page against a blank page and against the same page without its SVGs.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

import report_fixtures as fx
from streamcompare.config import parse_config
from streamcompare.report import ReportOutcome, build_report

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
EXPECTED_SVGS = {"10_alpha": 3, "20_beta": 1, "00_decision": 1}
OFFLINE_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
    "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",  # no network at all
]

if not CHROMIUM.exists():
    pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ReportOutcome:
    tmp = tmp_path_factory.mktemp("browser")
    fx.write_notebooks(tmp / "notebooks")
    return build_report(parse_config(fx.config_data(tmp)))


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CHROMIUM), *OFFLINE_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180, check=True)


def test_index_and_pages_load_offline_with_svg_charts_in_the_dom(report: ReportOutcome, tmp_path: Path) -> None:
    index_dom = chromium(tmp_path / "profile", "--dump-dom", report.index.as_uri()).stdout
    for name in EXPECTED_SVGS:
        assert f'href="{name}.html"' in index_dom
    for name, expected in EXPECTED_SVGS.items():
        dom = chromium(tmp_path / "profile", "--dump-dom", (report.report_dir / f"{name}.html").as_uri()).stdout
        assert len(re.findall(r"<svg\b", dom)) == expected, name


def probe_page(tmp_path: Path, page: Path) -> Path:
    probe = tmp_path / "probe.html"
    probe.write_text(f"""<!DOCTYPE html><html><body>
<iframe id="frame" src="{page.as_uri()}" style="width:1200px;height:4000px"></iframe>
<script>
document.getElementById("frame").addEventListener("load", () => {{
  const doc = document.getElementById("frame").contentDocument;
  const charts = [...doc.querySelectorAll("svg")].map(svg => {{
    const box = svg.getBoundingClientRect();
    const drawn = [...svg.querySelectorAll("path, rect, line, text")].filter(m => {{
      const b = m.getBoundingClientRect(); return b.width > 0 || b.height > 0; }}).length;
    return {{width: box.width, height: box.height, drawn: drawn}};
  }});
  const out = document.createElement("pre");
  out.id = "result";
  out.textContent = JSON.stringify(charts);
  document.body.appendChild(out);
}});
</script></body></html>""")
    return probe


def test_every_chart_is_laid_out_and_drawn(report: ReportOutcome, tmp_path: Path) -> None:
    for name, expected in EXPECTED_SVGS.items():
        probe = probe_page(tmp_path, report.report_dir / f"{name}.html")
        dom = chromium(tmp_path / "profile", "--allow-file-access-from-files", "--virtual-time-budget=10000",
                       "--dump-dom", probe.as_uri()).stdout
        found = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
        assert found, f"{name}: the probe did not report (page did not load?)"
        charts = json.loads(found.group(1))
        assert len(charts) == expected, name
        for chart in charts:
            assert chart["width"] > 100 and chart["height"] > 100, (name, chart)
            assert chart["drawn"] > 10, (name, chart)


def test_a_chart_page_does_not_look_like_a_blank_page(report: ReportOutcome, tmp_path: Path) -> None:
    page = report.report_dir / "10_alpha.html"
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    without_charts = tmp_path / "without-charts.html"
    without_charts.write_text(re.sub(r"<svg\b.*?</svg>", "", page.read_text(encoding="utf-8"), flags=re.S))
    shots = {}
    for label, source in (("blank", blank), ("without", without_charts), ("chart", page)):
        target = tmp_path / f"{label}.png"
        chromium(tmp_path / "profile", f"--screenshot={target}", "--window-size=1200,1600", source.as_uri())
        shots[label] = len(target.read_bytes())
    # PNG compresses flat white to almost nothing: drawn charts add a lot of bytes
    assert shots["chart"] > 3 * shots["blank"], shots
    # the page also holds tables and text (the panel's view), so the charts' share is measured in bytes
    assert shots["chart"] > shots["without"] + 10_000, shots
