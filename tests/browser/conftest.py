"""Fixtures of the browser tier: one JupyterLab and one headless Chromium for the tier, a fresh offline page per test.

JupyterLab serves a temporary copy of notebooks/ (executed notebooks never reach the repository) with
its own data/results to replay, and no local stack in reach (STREAMCOMPARE_RUN_DIR points at an empty
folder), so the notebooks' default mode `auto` replays. Both processes are stopped by PID after the
tier's last test (package scope: not left idling through the other tiers), also when a test fails.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from browser import servers, synthetic
from streamcompare.paths import project_root

if not servers.CHROMIUM.exists():
    pytest.skip(f"needs Debian's chromium at {servers.CHROMIUM} (apt-get install -y chromium)",
                allow_module_level=True)
if importlib.util.find_spec("playwright") is None:
    pytest.skip("needs playwright (pip install -e '.[dev]')", allow_module_level=True)

from playwright.sync_api import Browser, Playwright, sync_playwright  # noqa: E402

from browser.lab import Notebook, Offline  # noqa: E402

VIEWPORT = {"width": 1280, "height": 1000}


@pytest.fixture(scope="package")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's notebooks/, the harness's own small notebooks, and data/results to replay.

    The notebooks read `data/results` from their working directory when it exists there, so the copy's
    own folder is replayed (and nothing is written into the repository's). It holds a copy of
    $STREAMCOMPARE_BROWSER_RESULTS when set (a results folder with stored runs), else nothing: then the
    pages say that no run is stored and show their modelled and documented evidence.
    """
    root = tmp_path_factory.mktemp("lab") / "notebooks"
    shutil.copytree(project_root() / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    synthetic.write(root)
    results = root / "data" / "results"
    stored = os.environ.get("STREAMCOMPARE_BROWSER_RESULTS", "")
    if stored:
        shutil.copytree(Path(stored).expanduser(), results)
    else:
        results.mkdir(parents=True)
    return root


@pytest.fixture(scope="package")
def lab_results(lab_root: Path) -> Path:
    return lab_root / "data" / "results"


@pytest.fixture(scope="package")
def lab(lab_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Lab]:
    work = tmp_path_factory.mktemp("jupyterlab")
    no_stack = work / "no-stack"
    no_stack.mkdir()
    with servers.jupyter_lab(lab_root, work, env={"STREAMCOMPARE_RUN_DIR": str(no_stack)}) as running:
        yield running


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with servers.chromium(tmp_path_factory.mktemp("chromium")) as running:
        connected = playwright.chromium.connect_over_cdp(running.cdp_url)
        try:
            yield connected
        finally:
            connected.close()


@pytest.fixture
def offline_page(browser: Browser, lab: servers.Lab,
                 tmp_path: Path) -> Iterator[tuple[Offline, Callable[[str], Notebook]]]:
    """(network record, open(notebook path) -> Notebook) on a fresh browser context with the network blocked.

    The last state of the page is saved as tmp_path/final.png, also when the test fails.
    """
    context = browser.new_context(viewport=VIEWPORT)
    offline = Offline(context)
    page = context.new_page()
    page.set_default_timeout(60_000)

    def open_notebook(path: str) -> Notebook:
        return Notebook(page, lab, tmp_path).open(path)

    try:
        yield offline, open_notebook
    finally:
        try:
            page.screenshot(path=str(tmp_path / "final.png"))
        finally:
            context.close()

