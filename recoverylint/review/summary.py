"""Every incident of a runbook reviewed, and what they show together: MTTR
(mean, P50, P90), the trend per UTC month, the incidents and gates that cost
the most, and each step's learned duration.

Percentiles are nearest-rank: the P-th percentile of n values is the value
at rank ceil(P/100 * n) in ascending order, always one of the values seen
(the median is the 50th: for an even count, the lower of the two middle ones)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from ..graphs import Graphs
from ..plan import Plan
from ..records.model import ExecutionRecord, RunStatus
from .incident import review_incident
from .matching import ForeignRecord, match_steps
from .model import GateCost, IncidentReview, LearnedDuration, MonthTrend, Review, ReviewSummary, UnreadRecord, WaitCause

# The incidents named as losing the most to gates.
MOST_LOST = 5
PERCENTILE_METHOD = "nearest-rank"


def review_records(
    graphs: Graphs,
    plan: Plan,
    records: Sequence[ExecutionRecord],
    runbook_shown: str,
    unread: Sequence[UnreadRecord] = (),
) -> Review:
    """Review each record against the runbook.  A record of another runbook,
    or of a run that had not ended (_not_ended), is one of the review's
    errors, after `unread` (the records that could not be read), and the
    others are reviewed."""
    reviewed: list[IncidentReview] = []
    refused: list[UnreadRecord] = []
    for record in records:
        not_ended = _not_ended(record)
        if not_ended is not None:
            refused.append(UnreadRecord(record.path, 1, 1, not_ended))
            continue
        try:
            matched = match_steps(graphs.runbook, record, runbook_shown)
        except ForeignRecord as error:
            refused.append(UnreadRecord(error.path, 1, 1, error.reason))
            continue
        reviewed.append(review_incident(graphs, plan, record, matched))
    incidents = labelled(reviewed)
    return Review(
        runbook_id=graphs.runbook.id,
        runbook_path=runbook_shown,
        incidents=incidents,
        summary=summarize(incidents),
        durations=learned_durations(graphs, incidents),
        errors=(*unread, *refused),
    )


def _not_ended(record: ExecutionRecord) -> str | None:
    """Why the record is not of an incident that ended (None when it is): a
    run still going when it was exported, or one in which no step both started
    and ended.  Such a record is not reviewed, so its minutes never count in MTTR."""
    if record.status is RunStatus.RUNNING:
        return "the run had not finished when it was exported: review a finished run"
    if not any(run.start is not None and run.end is not None for run in record.steps):
        return "no step ran: no step of the record has both a start and an end"
    return None


def labelled(incidents: Sequence[IncidentReview]) -> tuple[IncidentReview, ...]:
    """Each incident with a name no other has: its record's path, and when one
    file holds several runs, the run's name (else its place in the file)."""
    by_path: dict[str, list[int]] = defaultdict(list)
    for index, incident in enumerate(incidents):
        by_path[incident.record.path].append(index)
    labels: dict[int, str] = {}
    for path, indexes in by_path.items():
        if len(indexes) == 1:
            continue
        names = [incidents[index].record.run_name for index in indexes]
        distinct = None not in names and len(set(names)) == len(names)
        for place, index in enumerate(indexes, start=1):
            labels[index] = f"{path} ({names[place - 1]})" if distinct else f"{path} (run {place} of {len(indexes)})"
    return tuple(
        replace(incident, label=labels[index]) if index in labels else incident
        for index, incident in enumerate(incidents)
    )


def percentile(values: Sequence[float], percent: float) -> float:
    """The nearest-rank percentile of `values` (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def summarize(incidents: Sequence[IncidentReview]) -> ReviewSummary:
    actual = [incident.actual_minutes for incident in incidents]
    by_month: dict[str, list[float]] = defaultdict(list)
    for incident in incidents:
        if incident.started_at is not None:
            by_month[incident.started_at.strftime("%Y-%m")].append(incident.actual_minutes)
    # Minutes of each incident: the gate waits on its critical path.
    gate_lost = {index: incident.gate_minutes for index, incident in enumerate(incidents)}
    most_lost = sorted((index for index, lost in gate_lost.items() if lost > 0), key=lambda i: (-gate_lost[i], i))
    gates: dict[tuple[str, tuple[str, ...]], list[float]] = defaultdict(list)
    for incident in incidents:
        for wait in incident.critical_waits:
            if wait.cause is WaitCause.GATE:
                gates[(wait.step, wait.waited_for)].append(wait.minutes)
    costly = sorted(
        (
            GateCost(step, waited_for, round(sum(minutes), 6), len(minutes))
            for (step, waited_for), minutes in gates.items()
        ),
        key=lambda gate: (-gate.minutes, gate.step, gate.waited_for),
    )
    return ReviewSummary(
        incidents=len(incidents),
        mttr_minutes=round(sum(actual) / len(actual), 6) if actual else 0.0,
        p50_minutes=percentile(actual, 50),
        p90_minutes=percentile(actual, 90),
        parallel_incidents=sum(1 for incident in incidents if incident.parallel_share > 0),
        trend=tuple(
            MonthTrend(month, len(minutes), round(sum(minutes) / len(minutes), 6))
            for month, minutes in sorted(by_month.items())
        ),
        most_lost=tuple(incidents[index].name for index in most_lost[:MOST_LOST]),
        costly_gates=tuple(costly),
    )


def learned_durations(graphs: Graphs, incidents: Sequence[IncidentReview]) -> dict[str, LearnedDuration]:
    """Per step (runbook order), its minutes over the incidents that ran it to success."""
    minutes: dict[str, list[float]] = defaultdict(list)
    for incident in incidents:
        for interval in incident.intervals:
            if interval.status is RunStatus.SUCCEEDED:
                minutes[interval.step].append(round(interval.end - interval.start, 6))
    return {
        step.id: LearnedDuration(
            percentile(runs, 50), percentile(runs, 90), len(runs), min(runs), max(runs)
        )
        for step in graphs.steps
        if (runs := minutes.get(step.id))
    }
