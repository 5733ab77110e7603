"""Measured durations: a file a team keeps of how long each step really takes.

The file maps a runbook id to a mapping of step id to minutes, in YAML or JSON:

    orders-db-outage:
      restart-primary: 7          # minutes
      failover: 2m30s             # or a duration
      restore-backup: {min: 20m, likely: 35m, max: 1h30m}

What it says overrides both the runbook's own durations and every default.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

from .model import Duration, DurationBasis
from .native import parse_duration
from .source import Document, Limits, SourceError, decode, parse, read_bytes

_RANGE_KEYS = ("min", "likely", "max")


def duration_from(value: Any, basis: DurationBasis) -> Optional[Duration]:
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
        return Duration(likely, low, high, basis)
    minutes = parse_duration(value)
    if minutes is None or minutes < 0:
        return None
    return Duration(minutes, minutes, minutes, basis)


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
    """Read a durations file; raises DurationsError with the line and column
    of what is wrong, and OSError when it cannot be read."""
    try:
        document = parse(decode(read_bytes(path, limits)), limits)
    except SourceError as error:
        raise DurationsError(error.message, error.line, error.column) from None
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
            if duration is None:
                raise _error(
                    document.value_span(steps, step_id),
                    f"`{runbook_id}`.`{step_id}` must be minutes, a duration such as `5m`,"
                    " or a range {min, likely, max}",
                )
            by_step[str(step_id)] = duration
        by_runbook[str(runbook_id)] = by_step
    return MeasuredDurations(by_runbook)


def _error(span: Any, message: str) -> DurationsError:
    return DurationsError(message, span.line, span.column)
