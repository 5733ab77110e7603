"""Instants as records write them, and minutes from a record's origin.

An instant is ISO 8601 with a zone (`Z` or an offset, converted to UTC) or
epoch seconds (a number).  ISO 8601 without a zone is refused: whose clock it
was is exactly what a review must not guess (the reviewer's machine, the
incident channel's, the server's), so the record must say."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?"
)
# Epoch seconds from 1970 to 9999: a larger number is no time a run took place.
_LAST_EPOCH = 253_402_300_799.0


class BadTime(ValueError):
    """A value that is not an instant; its message says what was expected."""


def parse_instant(value: Any) -> datetime:
    """The UTC instant of an ISO 8601 text with a zone or of epoch seconds."""
    if isinstance(value, bool) or value is None:
        raise BadTime(f"`{value}` is not a time (expected ISO 8601 with a zone, or epoch seconds)")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or not 0 <= value <= _LAST_EPOCH:
            raise BadTime(f"`{value}` is not a time: epoch seconds between 1970 and 9999 were expected")
        return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=float(value))
    if not isinstance(value, str):
        raise BadTime("a time must be ISO 8601 text or epoch seconds, not a list or a mapping")
    text = value.strip()
    match = _ISO.fullmatch(text)
    if match is None:
        raise BadTime(f"`{_shown(text)}` is not an ISO 8601 time such as 2024-05-01T14:03:00Z")
    year, month, day, hour, minute, second, fraction, utc, sign, zone_hours, zone_minutes = match.groups()
    if not utc and not sign:
        raise BadTime(
            f"`{_shown(text)}` has no time zone: write it with one (Z for UTC, or an offset such as +02:00)"
        )
    try:
        offset = timedelta(0)
        if sign:
            offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes))
            offset = -offset if sign == "-" else offset
        # Microseconds: the fraction's first six digits, padded.
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro,
            tzinfo=timezone(offset),
        )
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError) as error:
        raise BadTime(f"`{_shown(text)}` is not a valid time: {error}") from None


def minutes_between(origin: datetime, moment: datetime) -> float:
    return (moment - origin).total_seconds() / 60.0


def earliest(instants: Iterable[datetime | None]) -> datetime | None:
    present = [moment for moment in instants if moment is not None]
    return min(present) if present else None


def _shown(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
