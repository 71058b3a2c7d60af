"""The report: papermill orchestration, HTML pages, the index and summary, the secret scrub, the target file."""

from streamcompare.report.build import ReportError, build_report, discover_notebooks, notebook_title, resolve_replay
from streamcompare.report.runs import NotebookError, NotebookRun, ProgressEvent, ReportOutcome

__all__ = ["NotebookError", "NotebookRun", "ProgressEvent", "ReportError", "ReportOutcome", "build_report",
           "discover_notebooks", "notebook_title", "resolve_replay"]
