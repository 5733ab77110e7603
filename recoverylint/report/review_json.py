"""`review --format json`: the review as one JSON document.

The keys issue 18 documents (runbook; per incident record, started_at,
ended_at, actual, required and lost minutes, waits, violations,
parallel_share, unmatched; the summary's incidents, MTTR, P50 and P90; the
learned durations), and more beside them: what was run and required when, who
was busy, the trend per month and the gates that cost the most, each
incident's unique name (its record's path, with the run's name when one
file holds several runs) and the records not reviewed (errors)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from .. import __version__
from ..review.model import IncidentReview, Interval, Review
from ..review.summary import PERCENTILE_METHOD
from ..words import minutes_number
from .shown import json_safe


def _moment(when: datetime | None) -> str | None:
    """ISO 8601 in UTC, `Z`-suffixed; null when the record has no absolute times."""
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.replace(tzinfo=None).isoformat() + "Z"


def _interval(interval: Interval) -> dict[str, Any]:
    return {
        "step": interval.step,
        "start": minutes_number(interval.start),
        "end": minutes_number(interval.end),
        "status": interval.status.value,
        "role": interval.role,
        "who": interval.who,
    }


def _incident(incident: IncidentReview) -> dict[str, Any]:
    return {
        "record": incident.record.path,
        "incident": incident.name,
        "started_at": _moment(incident.started_at),
        "ended_at": _moment(incident.ended_at),
        "actual_minutes": minutes_number(incident.actual_minutes),
        "required_minutes": minutes_number(incident.required_minutes),
        "lost_minutes": minutes_number(incident.lost_minutes),
        "waits": [
            {
                "step": wait.step,
                "waited_for": list(wait.waited_for),
                "minutes": minutes_number(wait.minutes),
                "cause": wait.cause.value,
                "role": wait.role,
            }
            for wait in incident.waits
        ],
        "critical_path": list(incident.critical_path),
        "gate_minutes": minutes_number(incident.gate_minutes),
        "violations": [
            {"code": violation.code, "steps": list(violation.steps), "message": violation.message}
            for violation in incident.violations
        ],
        "parallel_share": minutes_number(incident.parallel_share),
        "unmatched": [{"name": item.name, "side": item.side} for item in incident.unmatched],
        "record_format": incident.record.record_format,
        "intervals": [_interval(interval) for interval in incident.intervals],
        "required_intervals": [_interval(interval) for interval in incident.required_intervals],
        "busy": {
            busy.role: [[minutes_number(start), minutes_number(end)] for start, end in busy.intervals]
            for busy in incident.busy
        },
    }


def render(review: Review) -> str:
    summary = review.summary
    document = {
        "runbook": review.runbook_id,
        "incidents": [_incident(incident) for incident in review.incidents],
        "summary": {
            "incidents": summary.incidents,
            "mttr_minutes": minutes_number(summary.mttr_minutes),
            "p50_minutes": minutes_number(summary.p50_minutes),
            "p90_minutes": minutes_number(summary.p90_minutes),
            "percentile_method": PERCENTILE_METHOD,
            "parallel_incidents": summary.parallel_incidents,
            "trend": [
                {"month": month.month, "incidents": month.incidents, "mttr_minutes": minutes_number(month.mttr_minutes)}
                for month in summary.trend
            ],
            "most_lost": list(summary.most_lost),
            "costly_gates": [
                {
                    "step": gate.step,
                    "waited_for": list(gate.waited_for),
                    "minutes": minutes_number(gate.minutes),
                    "incidents": gate.incidents,
                }
                for gate in summary.costly_gates
            ],
        },
        "durations": {
            step: {"median": minutes_number(learned.median), "p90": minutes_number(learned.p90), "count": learned.count}
            for step, learned in review.durations.items()
        },
        "errors": [
            {"record": error.record, "line": error.line, "column": error.column, "message": error.message}
            for error in review.errors
        ],
        "runbook_path": review.runbook_path,
        "version": __version__,
    }
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
