"""What `review`'s outputs (text, markdown, html) share from a Review before
wording it: the lost minutes by cause, the gates to change, the incidents
that lost the most, the summary's row, times and shares as they are written."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from ..review.model import IncidentReview, Review, ReviewSummary, Wait, WaitCause
from ..words import minutes

# Causes in the order they are listed: the gates first, the ones a runbook change fixes.
_CAUSE_ORDER = {WaitCause.GATE: 0, WaitCause.STAFF: 1, WaitCause.UNEXPLAINED: 2}


@dataclass(frozen=True)
class CauseMinutes:
    """The minutes one cause made steps wait in one incident (STAFF: per role)."""

    cause: WaitCause
    role: str | None
    minutes: float
    waits: int


def lost_by_cause(incident: IncidentReview) -> tuple[CauseMinutes, ...]:
    """The waits on the incident's critical path summed by cause (STAFF by
    role), gates first, then the most minutes first: minutes of the incident,
    which never overlap (see `causes_note` for how they meet the minutes lost)."""
    totals: dict[tuple[WaitCause, str | None], list[float]] = defaultdict(list)
    for wait in incident.critical_waits:
        role = wait.role if wait.cause is WaitCause.STAFF else None
        totals[(wait.cause, role)].append(wait.minutes)
    found = [CauseMinutes(cause, role, round(sum(waited), 6), len(waited)) for (cause, role), waited in totals.items()]
    return tuple(sorted(found, key=lambda item: (_CAUSE_ORDER[item.cause], -item.minutes, item.role or "")))


def causes_note(incident: IncidentReview) -> str:
    """Said under the lost minutes by cause: what they add up to, and what
    sets them apart from the minutes lost (actual - required)."""
    waited = round(sum(wait.minutes for wait in incident.critical_waits), 6)
    said = (
        f"Waits on the critical path of what happened (walked back from the step that ended last):"
        f" {minutes(waited)} of the {minutes(incident.actual_minutes)}; waits off it did not delay the end."
    )
    remainder = round(incident.lost_minutes - waited, 6)
    if remainder > 0:
        return f"{said} The other {minutes(remainder)} lost: steps D does not require ran on that path."
    if remainder < 0:
        return (
            f"{said} Lost: {minutes(incident.lost_minutes)}; {minutes(-remainder)} of the waits overlapped"
            " work the required order needs on a longer path of its own."
        )
    return f"{said} They are the minutes lost."


def no_causes_note(incident: IncidentReview) -> str:
    """Said instead of the lost minutes by cause when no wait is on the critical path."""
    if incident.waits:
        return "No waits on the critical path of what happened: the waits of other steps did not delay the end."
    return "No waits: every step started once its real prerequisites had finished."


def cause_words(cause: CauseMinutes, role: str) -> str:
    """A cause of lost minutes in words; `role` is the STAFF role as the
    format shows a name."""
    if cause.cause is WaitCause.GATE:
        return "a gate of the declared order"
    if cause.cause is WaitCause.STAFF:
        return f"nobody free as {role}" if cause.role else "nobody free as its role"
    return "unexplained"


@dataclass(frozen=True)
class GateToChange:
    """A wait for a gate, and the minutes of it that delayed the incident's
    end: all of them on the critical path of what happened, none off it."""

    wait: Wait
    delayed_minutes: float


def gates_to_change(incident: IncidentReview) -> tuple[GateToChange, ...]:
    """The incident's waits for a gate: those on the critical path of what
    happened first (they cost the incident its minutes; the others cost it
    nothing), each the most minutes first."""
    on_path = set(incident.critical_waits)
    gates = [
        GateToChange(wait, wait.minutes if wait in on_path else 0.0)
        for wait in incident.waits
        if wait.cause is WaitCause.GATE
    ]
    return tuple(sorted(gates, key=lambda gate: (-gate.delayed_minutes, -gate.wait.minutes, gate.wait.step)))


def delayed_words(gate: GateToChange) -> str:
    """Whether a gate's wait delayed the incident's end, in words."""
    return minutes(gate.delayed_minutes) if gate.delayed_minutes > 0 else "no: off the critical path"


def most_lost(review: Review) -> list[tuple[str, float]]:
    """The incidents that lost the most to gates, by name, with the minutes
    each lost to them (on its critical path), the most first."""
    to_gates = {incident.name: incident.gate_minutes for incident in review.incidents}
    # The summary names only incidents of the review; a Review put together
    # otherwise may name others, which have no minutes to show.
    return [(name, to_gates[name]) for name in review.summary.most_lost if name in to_gates]


# The summary table's columns, and its one row of cells (plain text, safe in
# Markdown and HTML alike: numbers and minutes).
SUMMARY_COLUMNS = ("incidents", "MTTR", "P50", "P90", "with parallel steps")


def summary_row(summary: ReviewSummary) -> tuple[str, str, str, str, str]:
    """The summary table's row: incidents, MTTR, P50, P90, incidents with parallel steps."""
    return (
        str(summary.incidents),
        minutes(summary.mttr_minutes),
        minutes(summary.p50_minutes),
        minutes(summary.p90_minutes),
        str(summary.parallel_incidents),
    )


def percent(share: float) -> str:
    """A share of 0..1 as a whole percentage: `35%`."""
    return f"{round(share * 100):d}%"


def moment(when: datetime | None) -> str:
    """An absolute time in UTC to the minute, or `unknown`."""
    if when is None:
        return "unknown"
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def in_time_order(incidents: Iterable[IncidentReview]) -> list[tuple[int, IncidentReview]]:
    """The incidents, numbered from 1 as given, by start time; those without
    absolute times after them, as given."""
    return sorted(enumerate(incidents, start=1), key=lambda numbered: _start_key(numbered[1]))


_NO_TIME = datetime.min.replace(tzinfo=timezone.utc)


def _start_key(incident: IncidentReview) -> tuple[bool, datetime]:
    when = incident.started_at
    if when is None:
        return (True, _NO_TIME)
    return (False, when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc))
