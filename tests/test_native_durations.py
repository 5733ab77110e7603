"""A native runbook's steps get the Duration their `duration` says, however
often a runbook writes the same value (issue 16: the builder reads each
value once a runbook and keeps what it made)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from recoverylint.durations import duration_from
from recoverylint.model import Duration, DurationBasis
from recoverylint.native import build_runbook
from recoverylint.source import parse

# Values equal in Python (1 == 1.0 == True) that are not the same duration,
# values of other types, ranges and text.
WRITTEN = [1, 1.0, True, False, 0, 0.0, "1m", "1", "90s", 5, "5m", 300, None, float("nan"), 1e400,
           {"min": "1m", "max": "5m"}, {"min": 1, "likely": 3, "max": 2}, ["5m"], "", "1h30m"]


def _durations(written: list[Any]) -> list[Duration | None]:
    steps = [
        {"id": f"s{index}", **({} if value is None else {"duration": value})} for index, value in enumerate(written)
    ]
    # JSON is YAML: nan and 1e400 are written as .nan and .inf.
    text = json.dumps({"runbook": "r", "steps": steps}).replace("NaN", ".nan").replace("Infinity", ".inf")
    return [step.duration for step in build_runbook(parse(text), "r.yaml").steps]


def _expected(value: Any) -> Duration | None:
    return duration_from(value, DurationBasis.GIVEN)


def _same(made: Duration | None, expected: Duration | None) -> bool:
    if made is None or expected is None:
        return made is expected
    return made == expected and type(made.likely) is type(expected.likely)


def test_equal_values_of_other_types_are_not_taken_for_each_other():
    made = _durations([1, True, 1.0, "1m", "1", 1, True])
    assert made == [
        Duration(1.0, 1.0, 1.0, DurationBasis.GIVEN), None, Duration(1.0, 1.0, 1.0, DurationBasis.GIVEN),
        Duration(1.0, 1.0, 1.0, DurationBasis.GIVEN), None, Duration(1.0, 1.0, 1.0, DurationBasis.GIVEN), None,
    ]


def test_every_kind_of_value_twice_over_is_what_duration_from_says():
    made = _durations(WRITTEN + WRITTEN)
    for value, duration in zip(WRITTEN + WRITTEN, made, strict=True):
        assert _same(duration, _expected(value)), value


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(WRITTEN), max_size=12))
def test_any_order_of_values_is_what_duration_from_says(written: list[Any]) -> None:
    for value, duration in zip(written, _durations(written), strict=True):
        assert _same(duration, _expected(value)), value
