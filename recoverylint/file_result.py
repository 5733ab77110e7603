"""What checking one file gave (engine.py makes it, the runner and the cache
pass it on).  Apart from the engine so that the cache and the runner can
name it without importing the graphs and the rules (issue 16: a warm run
takes its results from the cache)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .finding import Finding
    from .graphs import Graphs
    from .model import Runbook


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    runbook: Runbook | None = None
    text: str | None = None  # the source, for reports that show lines
    internal_error: str | None = None
    skipped: bool = False  # found by discovery and not a runbook
    format: str | None = None  # the input format it was read as
    suppressed: int = 0  # findings silenced by `# recoverylint: disable` comments
    # The rules' graphs, kept only when asked (plan reuses them; check lets
    # each file's go as soon as it is checked).
    graphs: Graphs | None = None
