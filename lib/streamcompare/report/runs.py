"""What one report run is made of: each notebook's run, its error, progress events and the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal


@dataclass(frozen=True)
class NotebookError:
    name: str                      # exception class, e.g. ValueError or CellTimeoutError
    message: str
    last_lines: tuple[str, ...] = ()

    def summary(self) -> str:
        return f"{self.name}: {self.message}" if self.message else self.name


@dataclass
class NotebookRun:
    """One notebook of the report: what ran, how it ended, and what it recorded."""

    name: str
    title: str
    input_path: Path
    status: Literal["pending", "ok", "failed"] = "pending"
    duration_s: float = 0.0
    notebook: Path | None = None
    html: Path | None = None
    error: NotebookError | None = None
    headlines: dict[str, Any] = field(default_factory=dict)
    scores: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        """The entry of headlines.json / the notebook's `metadata.streamcompare`."""
        return {"title": self.title, "status": self.status, "headlines": self.headlines, "scores": self.scores,
                "error": self.error.summary() if self.error else None}


@dataclass(frozen=True)
class ProgressEvent:
    kind: Literal["start", "done"]
    index: int                     # 1-based
    total: int
    run: NotebookRun


@dataclass
class ReportOutcome:
    report_dir: Path
    index: Path
    summary: Path
    runs: list[NotebookRun]

    @property
    def failed(self) -> list[NotebookRun]:
        return [r for r in self.runs if r.status != "ok"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


