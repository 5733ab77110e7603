"""What one finished run of a runbook really did, whatever wrote it down: the
common shape every record reader (SSM, Argo, Tekton, GitHub Actions, a plain
timeline) produces and `review` reads.  Readers never guess a step: they keep
the name the record gives it, and `review` matches names to the runbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class RunStatus(str, Enum):
    """How a step's run ended, in one vocabulary for every engine."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"  # stopped from outside, or timed out
    SKIPPED = "skipped"  # the engine decided not to run it (a branch, a `when`)
    NOT_RUN = "not-run"  # never started: the run ended first
    RUNNING = "running"  # the record was taken before it ended


@dataclass(frozen=True)
class RecordPosition:
    """Where in a record file a fact was read: 1-based line and column."""

    path: str
    line: int
    column: int


@dataclass(frozen=True)
class StepRun:
    """One step as it really ran.  Times are minutes from the record's origin
    (None: the record gives none, as for a step that never started)."""

    name: str  # the record's own name for the step (StepName, displayName, pipelineTask, job name, row)
    start: float | None
    end: float | None
    status: RunStatus
    position: RecordPosition
    who: str | None = None  # the person or runner, when the record says
    attempts: int = 1  # retries counted: the times are from the first start to the last end


@dataclass(frozen=True)
class ExecutionRecord:
    """One finished run.  `origin` is the absolute time minute 0 stands for, in
    UTC (None for a timeline written in minutes from the start)."""

    path: str  # the file (or the first of the files) it was read from
    record_format: str  # "ssm", "argo", "tekton", "github-actions", "timeline"
    origin: datetime | None
    steps: tuple[StepRun, ...]
    # What the record says it ran (SSM DocumentName, the Argo workflow's or
    # template's name, the Tekton pipelineRef, the GitHub workflow's name):
    # None when it does not say.  `review` refuses a record of another runbook.
    runbook_name: str | None = None
    # Whole-run times and status, when the record gives them; else the
    # earliest start and latest end of its steps.
    start: float | None = None
    end: float | None = None
    status: RunStatus | None = None
    # The run's own name or id (a PipelineRun's name, a GitHub run id), when
    # the record gives one: it tells apart runs read from one file.
    run_name: str | None = None


class RecordError(Exception):
    """A record that cannot be read, said in one line with where."""

    def __init__(self, position: RecordPosition, message: str) -> None:
        super().__init__(f"{position.path}:{position.line}:{position.column}: {message}")
        self.position = position
        self.message = message
