"""What `review` finds in finished runs, as data: the reporters word it.
Minutes are floats; steps are named by the runbook's step ids."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from ..records.model import ExecutionRecord, RunStatus


class WaitCause(str, Enum):
    """Why a step started later than its real prerequisites allowed."""

    GATE = "gate"  # the declared order made it wait for steps D does not require
    STAFF = "staff"  # its role had nobody free: every person was on another step
    UNEXPLAINED = "unexplained"  # neither: the record does not say why


@dataclass(frozen=True)
class Interval:
    """A step's run on the incident's clock: minutes from the record's origin."""

    step: str  # the runbook's step id
    start: float
    end: float
    status: RunStatus
    role: str | None = None  # the step's role in the runbook
    who: str | None = None  # who ran it, when the record says


@dataclass(frozen=True)
class Wait:
    """Minutes a step waited that the work did not need."""

    step: str
    waited_for: tuple[str, ...]  # the gate's steps (GATE), or the steps holding its role (STAFF)
    minutes: float
    cause: WaitCause
    role: str | None = None  # for STAFF: the role that had nobody free


@dataclass(frozen=True)
class Violation:
    """An order the runbook's required order D forbids, seen in what happened."""

    code: str  # RV1nn: see `review/violations.py` and docs/review.md
    steps: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class RoleBusy:
    """When one role was busy: merged intervals of its steps, in minutes."""

    role: str
    intervals: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Unmatched:
    """A step of the record no runbook step is named by, or a runbook step the record never names."""

    name: str
    side: str  # "record": in the record only; "runbook": in the runbook only


@dataclass(frozen=True)
class IncidentReview:
    """One finished run against the runbook."""

    record: ExecutionRecord
    started_at: datetime | None  # absolute, when the record has absolute times
    ended_at: datetime | None
    actual_minutes: float
    # D's critical path with this incident's own step durations and the
    # runbook's sync overhead, as `plan` counts it.
    required_minutes: float
    intervals: tuple[Interval, ...]  # what ran, matched to the runbook, in start order
    required_intervals: tuple[Interval, ...]  # the required order's schedule with these durations
    waits: tuple[Wait, ...]
    violations: tuple[Violation, ...]
    parallel_share: float  # share of the incident (0..1) during which two or more steps ran
    busy: tuple[RoleBusy, ...]
    unmatched: tuple[Unmatched, ...]
    # The critical path of what happened, first step first: walked back from
    # the step that ended last, each time to the predecessor (declared or
    # required) whose end it waited on.  Its waits are the incident's.
    critical_path: tuple[str, ...] = ()
    # How the incident is named: its record's path, with the run's name or
    # number when one file holds several runs (set by summary.review_records).
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.record.path

    @property
    def lost_minutes(self) -> float:
        return max(0.0, round(self.actual_minutes - self.required_minutes, 6))

    @property
    def critical_waits(self) -> tuple[Wait, ...]:
        """The waits of the steps on the critical path: minutes of the incident
        (they never overlap), where the other waits did not delay its end."""
        on_path = set(self.critical_path)
        return tuple(wait for wait in self.waits if wait.step in on_path)

    @property
    def gate_minutes(self) -> float:
        """The minutes of the incident lost to gates: GATE waits on the critical path."""
        return round(sum(wait.minutes for wait in self.critical_waits if wait.cause is WaitCause.GATE), 6)


@dataclass(frozen=True)
class LearnedDuration:
    """A step's minutes over the incidents that ran it to success."""

    median: float
    p90: float
    count: int
    # The shortest run: the low end of the range --write-durations writes
    # (None: not known, the median is taken).
    minimum: float | None = None
    # The slowest run: the high end of that range, as beta-PERT never draws
    # above `max` and the P90 would cut the slowest runs off (None: not
    # known, the P90 is taken).
    maximum: float | None = None


@dataclass(frozen=True)
class MonthTrend:
    """The incidents that started in one calendar month (UTC), "YYYY-MM"."""

    month: str
    incidents: int
    mttr_minutes: float


@dataclass(frozen=True)
class GateCost:
    """A gate (the steps waited for, and the waiting step) and the minutes it cost over all incidents."""

    step: str
    waited_for: tuple[str, ...]
    minutes: float
    incidents: int


@dataclass(frozen=True)
class ReviewSummary:
    incidents: int
    mttr_minutes: float  # mean actual recovery time
    p50_minutes: float
    p90_minutes: float
    parallel_incidents: int  # incidents in which two or more steps ran at once
    trend: tuple[MonthTrend, ...]  # months in order; incidents without absolute times left out
    most_lost: tuple[str, ...]  # incident names (IncidentReview.name), the most minutes lost to gates first (at most 5)
    costly_gates: tuple[GateCost, ...]  # the most minutes first


@dataclass(frozen=True)
class UnreadRecord:
    """A record file that could not be reviewed: unreadable, or of another
    runbook.  Said in one line as `record:line:column: message`."""

    record: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.record}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True)
class Review:
    """Every incident of a runbook, and what they show together."""

    runbook_id: str
    runbook_path: str
    incidents: tuple[IncidentReview, ...]
    summary: ReviewSummary
    durations: Mapping[str, LearnedDuration]  # by step id, in runbook order
    errors: tuple[UnreadRecord, ...] = ()  # the records not reviewed, in the order given
