"""Durations: how many minutes a step takes, where that comes from, and a
file a team keeps of how long each step really takes.

A step's duration is known (the runbook gives it, or the durations file),
estimated (a default: the format's for that kind of step, or a
`default_duration` someone stated) or unknown (None).  The durations file maps
a runbook id to a mapping of step id to minutes, in YAML or JSON:

    orders-db-outage:
      restart-primary: 7          # minutes
      failover: 2m30s             # or a duration
      restore-backup: {min: 20m, likely: 35m, max: 1h30m}

What it says overrides both the runbook's own durations and every default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .model import Duration, DurationBasis, Runbook, Span, Step
from .source import Document, Limits, SourceError, decode, parse, read_bytes

_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_RANGE_KEYS = ("min", "likely", "max")
# A durations file is bounded as the schema bounds a runbook's durations.
MAX_MINUTES = 525600  # a year


def parse_duration(value: Any) -> float | None:
    """Minutes from `90s`, `5m`, `1h30m`, `2h` or a bare number of minutes."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        try:
            minutes = float(value)
        except OverflowError:  # the schema bounds durations; stay safe without it
            return None
        # NaN passes the schema's bounds (every comparison with it is false).
        return minutes if minutes == minutes and minutes != float("inf") else None
    match = _DURATION.fullmatch(str(value).strip())
    if not match:
        return None
    hours, whole_minutes, seconds = match.groups()  # digits, or None when left out
    if not (hours or whole_minutes or seconds):
        return None
    try:
        return int(hours or 0) * 60 + int(whole_minutes or 0) + int(seconds or 0) / 60
    # The schema bounds the digits; other inputs (a workflow's, a durations
    # file's) may have more than a float holds or int() reads (4,300).
    except (OverflowError, ValueError):
        return None


def duration_from(value: Any, basis: DurationBasis, kind: str | None = None) -> Duration | None:
    """A `duration` value: one duration (`5m`, `90s`, a number of minutes) or
    a range `{min, likely, max}` (`likely` may be left out: the middle of the
    range is then no better a guess than its ends, and `max` is taken, so
    that minutes are never understated).  None when it is neither."""
    if isinstance(value, dict):
        if set(value) - set(_RANGE_KEYS) or "min" not in value or "max" not in value:
            return None
        low, high = parse_duration(value["min"]), parse_duration(value["max"])
        likely = parse_duration(value["likely"]) if "likely" in value else high
        if low is None or high is None or likely is None or not 0 <= low <= likely <= high:
            return None
        return Duration(likely, low, high, basis, kind)
    minutes = parse_duration(value)
    if minutes is None or minutes < 0:
        return None
    return exactly(minutes, basis, kind)


def exactly(minutes: float, basis: DurationBasis, kind: str | None = None) -> Duration:
    return Duration(minutes, minutes, minutes, basis, kind)


def format_default(minutes: float | None, kind: str) -> Duration | None:
    """A format's default for a kind of step, from the time the workflow
    gives it; none (unknown) when that time is not 0 to a year (a workflow
    may write any number: one past a float's range would make sums infinite)."""
    if minutes is None or not 0 <= minutes <= MAX_MINUTES:
        return None
    return exactly(minutes, DurationBasis.DEFAULT, kind)


class DurationsError(Exception):
    """A durations file that cannot be used, and where."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


@dataclass(frozen=True)
class MeasuredDurations:
    """Runbook id -> step id -> its duration."""

    by_runbook: Mapping[str, Mapping[str, Duration]]

    def of(self, runbook_id: str) -> Mapping[str, Duration]:
        return self.by_runbook.get(runbook_id, {})


def load_durations(path: Path, limits: Limits = Limits()) -> MeasuredDurations:
    """Read a durations file (through files.read_file, as every read);
    raises DurationsError with the line and column of what is wrong."""
    try:
        document = parse(decode(read_bytes(path, limits)), limits)
    except SourceError as error:  # read_bytes reports a missing or unreadable file as one too
        raise DurationsError(error.message, error.line, error.column) from None
    if document.rest:
        raise _error(document.rest[0].start_span, "a second YAML document: a durations file holds one")
    return _measured(document)


def _measured(document: Document) -> MeasuredDurations:
    data = document.data
    if data is None:
        return MeasuredDurations({})
    if not isinstance(data, dict):
        raise _error(document.root_span, "must map runbook ids to their steps' minutes")
    by_runbook: dict[str, dict[str, Duration]] = {}
    for runbook_id, steps in data.items():
        if not isinstance(steps, dict):
            raise _error(
                document.value_span(data, runbook_id),
                f"`{runbook_id}` must map step ids to minutes",
            )
        by_step: dict[str, Duration] = {}
        for step_id, value in steps.items():
            duration = duration_from(value, DurationBasis.MEASURED)
            if duration is None or duration.maximum > MAX_MINUTES:
                raise _error(
                    document.value_span(steps, step_id),
                    f"`{runbook_id}`.`{step_id}` must be minutes (at most a year), a duration such"
                    " as `5m`, or a range {min, likely, max} with min <= likely <= max",
                )
            by_step[str(step_id)] = duration
        by_runbook[str(runbook_id)] = by_step
    return MeasuredDurations(by_runbook)


def _error(span: Any, message: str) -> DurationsError:
    return DurationsError(message, span.line, span.column)


def with_measured(runbook: Runbook, measured: MeasuredDurations | None) -> Runbook:
    """The runbook with the durations file's minutes in place of its own and
    of every default (the same runbook when the file says nothing of it)."""
    given = {} if measured is None else measured.of(runbook.id)
    if not any(step.id in given for step in runbook.steps):
        return runbook
    return replace(
        runbook,
        steps=tuple(
            replace(step, duration=given[step.id]) if step.id in given else step
            for step in runbook.steps
        ),
    )


def stated_default(runbook_minutes: float | None, configured: float | None) -> Duration | None:
    """What fills the durations of steps that give none: the runbook's own
    `default_duration`, else the configuration's, else nothing (unknown)."""
    if runbook_minutes is not None:
        return exactly(runbook_minutes, DurationBasis.RUNBOOK_DEFAULT)
    if configured is not None:
        return exactly(configured, DurationBasis.CONFIGURED)
    return None


@dataclass(frozen=True)
class StepMinutes:
    """Each step's minutes (node order) for schedule arithmetic, which needs
    numbers: likely and longest values, unknown ones counted as 0, and the
    steps whose minutes are unknown or rest on a default."""

    likely: list[float]
    longest: list[float]
    unknown: tuple[int, ...]  # nodes with no duration
    defaulted: tuple[int, ...]  # nodes whose minutes rest on a default

    @property
    def ranged(self) -> bool:
        return self.likely != self.longest


# Minutes within this are the same: sums of floats differ from exact ones in
# far smaller digits.
SAME_MINUTES = 1e-4


def differs(one: float, other: float) -> bool:
    return abs(one - other) > SAME_MINUTES


_DEFAULTS = frozenset((DurationBasis.DEFAULT, DurationBasis.RUNBOOK_DEFAULT, DurationBasis.CONFIGURED))


def step_minutes(runbook: Runbook, steps: Sequence[Step]) -> StepMinutes:
    durations = [runbook.duration_of(step) for step in steps]
    return StepMinutes(
        likely=[0.0 if d is None else d.likely for d in durations],
        longest=[0.0 if d is None else d.maximum for d in durations],
        unknown=tuple(node for node, d in enumerate(durations) if d is None),
        defaulted=tuple(
            node for node, d in enumerate(durations) if d is not None and d.basis in _DEFAULTS
        ),
    )


def inverted_ranges(document: Document) -> list[tuple[Span, str]]:
    """Where a native runbook that passed the schema writes a range whose ends
    are out of order (min <= likely <= max is beyond what the schema can
    say).  The schema lets steps stand only in flows: `steps`, a stage's
    `steps`, and the `parallel` and `sequence` blocks in them, so only
    those are walked, not every value of the document."""
    data = document.data
    if not isinstance(data, dict):
        return []
    flows = [data.get("steps")]
    stages = data.get("stages")
    if isinstance(stages, list):
        flows += [stage.get("steps") for stage in stages if isinstance(stage, dict)]
    found = []
    while flows:
        items = flows.pop()
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict):
                continue
            if "id" not in item:  # a block
                flows += (item.get("parallel"), item.get("sequence"))
                continue
            written = item.get("duration")
            if isinstance(written, dict) and duration_from(written, DurationBasis.GIVEN) is None:
                found.append((
                    document.value_span(item, "duration"),
                    f"the duration range of `{item['id']}` must have min <= likely <= max",
                ))
    return sorted(found, key=lambda item: (item[0].line, item[0].column))
