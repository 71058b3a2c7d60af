"""Is a live Jupyter frontend showing this kernel's output, or is it headless (papermill, a script)?"""

from __future__ import annotations

import os

HEADLESS_ENV = "STREAMCOMPARE_HEADLESS"
"""Set to 1 by `streamcompare report` for the kernels it starts: charts render as static SVG."""


def is_headless() -> bool:
    """True under the report (STREAMCOMPARE_HEADLESS=1), outside IPython, or in a terminal IPython.

    A kernel cannot see whether a frontend is attached, so papermill runs are recognised by the variable.
    """
    if os.environ.get(HEADLESS_ENV, "").strip().lower() in ("1", "true", "yes"):
        return True
    try:
        from IPython import get_ipython
    except ImportError:
        return True
    shell = get_ipython()
    return shell is None or type(shell).__name__ != "ZMQInteractiveShell"
