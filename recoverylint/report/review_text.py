"""`review --format text`: the records not reviewed and why, what the
incidents show together, then each
incident: its minutes actual, required and lost, its waits by cause, the
orders it broke, its parallel share, who was busy when, and what could not be
matched.  Every name from a file is shown on one line, escaped."""

from __future__ import annotations

from ..review.model import IncidentReview, Review, Wait, WaitCause
from ..review.summary import PERCENTILE_METHOD
from ..words import counted, minutes
from .review_words import cause_words, causes_note, lost_by_cause, moment, most_lost, no_causes_note, percent
from .shown import shown


def render(review: Review) -> str:
    lines = [
        f"Review of runbook {shown(review.runbook_id)} ({shown(review.runbook_path)}):"
        f" {counted(len(review.incidents), 'incident')}",
        "",
    ]
    if review.errors:
        lines.append(f"Not reviewed ({counted(len(review.errors), 'record')}):")
        lines += [f"  {shown(str(error))}" for error in review.errors]
        lines.append("")
    lines += _overall(review)
    for number, incident in enumerate(review.incidents, start=1):
        lines += ["", *_incident(number, incident)]
    return "\n".join(lines) + "\n"


def _overall(review: Review) -> list[str]:
    summary = review.summary
    lines = [
        "Over all incidents:",
        f"  MTTR {minutes(summary.mttr_minutes)} (mean); P50 {minutes(summary.p50_minutes)},"
        f" P90 {minutes(summary.p90_minutes)} ({PERCENTILE_METHOD})",
        f"  Two or more steps at once in {summary.parallel_incidents} of {counted(summary.incidents, 'incident')}",
    ]
    if summary.trend:
        lines.append("  Per month (UTC):")
        lines += [
            f"    {month.month}: {counted(month.incidents, 'incident')}, MTTR {minutes(month.mttr_minutes)}"
            for month in summary.trend
        ]
    if summary.most_lost:
        lines.append("  Lost the most to gates:")
        lines += [f"    {shown(name)}: {minutes(lost)}" for name, lost in most_lost(review)]
    if summary.costly_gates:
        lines.append("  Gates that cost the most:")
        lines += [
            f"    {_names(gate.step)} waited for {_names(*gate.waited_for)}: {minutes(gate.minutes)}"
            f" in {counted(gate.incidents, 'incident')}"
            for gate in summary.costly_gates
        ]
    if review.durations:
        lines.append("  Learned durations (median, P90, successful runs):")
        width = max(len(shown(step)) for step in review.durations)
        lines += [
            f"    {shown(step):<{width}}  {minutes(learned.median)}, {minutes(learned.p90)}, {learned.count}"
            for step, learned in review.durations.items()
        ]
    return lines


def _incident(number: int, incident: IncidentReview) -> list[str]:
    record = incident.record
    lines = [f"Incident {number}: {shown(incident.name)} ({shown(record.record_format)})"]
    if incident.started_at is not None:
        lines.append(f"  From {moment(incident.started_at)} to {moment(incident.ended_at)}")
    lines += [
        f"  Actual {minutes(incident.actual_minutes)}; required {minutes(incident.required_minutes)};"
        f" lost {minutes(incident.lost_minutes)}",
        f"  Two or more steps at once {percent(incident.parallel_share)} of the time",
    ]
    causes = lost_by_cause(incident)
    if causes:
        lines.append("  Lost minutes by cause:")
        lines += [
            f"    {cause_words(cause, _names(cause.role) if cause.role else '')}: {minutes(cause.minutes)}"
            f" ({counted(cause.waits, 'wait')})"
            for cause in causes
        ]
        lines.append(f"    {causes_note(incident)}")
    elif incident.waits:
        lines.append(f"  {no_causes_note(incident)}")
    if incident.waits:
        on_path = set(incident.critical_waits)
        lines.append("  Waits the work did not need:")
        lines += [
            f"    {_wait(wait)}" + ("" if wait in on_path else "; off the critical path, it did not delay the end")
            for wait in incident.waits
        ]
    if incident.violations:
        lines.append("  Violations:")
        lines += [f"    {violation.code} {shown(violation.message)}" for violation in incident.violations]
    if incident.busy:
        lines.append("  Busy (minutes from the start):")
        lines += [
            f"    {shown(busy.role)}: {', '.join(f'{_span(start)}-{_span(end)}' for start, end in busy.intervals)}"
            for busy in incident.busy
        ]
    in_record = [item.name for item in incident.unmatched if item.side == "record"]
    in_runbook = [item.name for item in incident.unmatched if item.side == "runbook"]
    if in_record:
        lines.append(f"  In the record, no step of the runbook: {_names(*in_record)}")
    if in_runbook:
        lines.append(f"  In the runbook, not in the record: {_names(*in_runbook)}")
    return lines


def _wait(wait: Wait) -> str:
    said = f"{_names(wait.step)} waited {minutes(wait.minutes)}"
    if wait.cause is WaitCause.GATE:
        return f"{said} for {_names(*wait.waited_for)}: a gate the work does not need (RL201)"
    if wait.cause is WaitCause.STAFF:
        return f"{said}: every {shown(wait.role or '')} was on {_names(*wait.waited_for)} (staff)"
    return f"{said}: unexplained"


def _names(*names: str) -> str:
    return ", ".join(f"`{shown(name)}`" for name in names)


def _span(value: float) -> str:
    return minutes(value).removesuffix(" min")
