"""Steps read with absolute times, made into one ExecutionRecord in minutes
from its origin: the run's own start when the record gives it, else the
earliest start of a step.  Every reader of absolute times ends here, so that
the checks each record needs (some step, no end before its start) are made
once (a timeline in minutes from the start makes the same two itself)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ._source import RecordData
from ._times import BadTime, earliest, minutes_between, parse_instant
from .model import ExecutionRecord, RecordError, RecordPosition, RunStatus, StepRun


@dataclass(frozen=True)
class TimedStep:
    """A step as a reader found it: UTC instants, and where each was written."""

    name: str
    start: datetime | None
    end: datetime | None
    status: RunStatus
    position: RecordPosition
    end_position: RecordPosition
    who: str | None = None
    attempts: int = 1


@dataclass(frozen=True)
class RunFacts:
    """What a record says of the whole run besides its steps."""

    path: str
    record_format: str
    position: RecordPosition  # where the run is described, for an error about all of it
    runbook_name: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    status: RunStatus | None = None
    end_position: RecordPosition | None = None
    run_name: str | None = None


def instant_at(record: RecordData, container: Any, key: str) -> datetime | None:
    """The instant at `key` of a mapping of the record (None when absent,
    null or empty), or a RecordError at the value that is not a time."""
    value = container.get(key) if isinstance(container, dict) else None
    if value is None or value == "":
        return None
    try:
        return parse_instant(value)
    except BadTime as error:
        raise record.error(container, key, f"`{key}`: {error}") from None


def text_at(container: Any, *keys: str) -> str | None:
    """The text along `keys` through nested mappings (None when any is missing or not text)."""
    value = container
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value if isinstance(value, str) and value else None


def check_order(name: str, start: datetime | None, end: datetime | None, where: RecordPosition) -> None:
    """An end before its start is a record that cannot be right: refused, not reordered."""
    if start is not None and end is not None and end < start:
        raise RecordError(
            where,
            f"`{name}` ends ({end.isoformat()}) before it starts ({start.isoformat()})",
        )


def timed_record(run: RunFacts, steps: Sequence[TimedStep]) -> ExecutionRecord:
    """The record in minutes from its origin; RecordError for a record of no
    step or a step (or the run) that ends before it starts."""
    if not steps:
        raise RecordError(run.position, "the record has no step: a run of 0 steps cannot be reviewed")
    for step in steps:
        check_order(step.name, step.start, step.end, step.end_position)
    check_order("the run", run.start, run.end, run.end_position or run.position)
    origin = run.start or earliest(step.start for step in steps)

    def minutes(moment: datetime | None) -> float | None:
        if moment is None or origin is None:
            return None
        return minutes_between(origin, moment)

    runs = tuple(
        StepRun(
            name=step.name,
            start=minutes(step.start),
            end=minutes(step.end),
            status=step.status,
            position=step.position,
            who=step.who,
            attempts=step.attempts,
        )
        for step in steps
    )
    starts = [step.start for step in runs if step.start is not None]
    ends = [step.end for step in runs if step.end is not None]
    return ExecutionRecord(
        path=run.path,
        record_format=run.record_format,
        origin=origin,
        steps=runs,
        runbook_name=run.runbook_name,
        start=minutes(run.start) if run.start else (min(starts) if starts else None),
        end=minutes(run.end) if run.end else (max(ends) if ends else None),
        status=run.status,
        run_name=run.run_name,
    )

