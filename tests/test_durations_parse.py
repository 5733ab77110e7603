"""durations.parse_duration: minutes from a duration as a runbook, a workflow
or a durations file writes it; None for anything that is not one."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoverylint.durations import parse_duration


@pytest.mark.parametrize(
    ("written", "minutes"),
    [
        ("90s", 1.5), ("5m", 5.0), ("2h", 120.0), ("1h30m", 90.0), ("1h30m15s", 90.25), ("1h15s", 60.25),
        ("0m", 0.0), (" 5m\n", 5.0), ("007m", 7.0), (5, 5.0), (1.5, 1.5), (0, 0.0), (-1, -1.0),
        ("", None), ("h", None), ("m5", None), ("5M", None), ("5", None), ("1m1h", None), ("5 m", None),
        (True, None), (False, None), (None, None), (float("nan"), None), (float("inf"), None), (10**400, None),
        ("9" * 5000 + "h", None),  # more digits than int() reads
        ("9" * 400 + "m", None),  # more minutes than a float holds
    ],
)
def test_minutes_of_what_is_written(written: Any, minutes: float | None) -> None:
    parsed = parse_duration(written)
    assert parsed == minutes and type(parsed) is type(minutes)


@given(
    st.integers(0, 9999) | st.none(), st.integers(0, 999_999) | st.none(), st.integers(0, 99_999_999) | st.none()
)
def test_hours_minutes_and_seconds_in_that_order(hours: int | None, minutes: int | None, seconds: int | None) -> None:
    parts = ((hours, "h"), (minutes, "m"), (seconds, "s"))
    written = "".join(f"{part}{unit}" for part, unit in parts if part is not None)
    expected = None if not written else (hours or 0) * 60 + (minutes or 0) + (seconds or 0) / 60
    assert parse_duration(written) == expected
