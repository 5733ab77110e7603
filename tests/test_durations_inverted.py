"""Ranges out of order (RL002): durations.inverted_ranges walks only the
flows, where the schema lets steps stand, and finds what a walk of every
mapping of the document finds (issue 16: that walk was 6% of building the
model)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_robustness_hypothesis import dump, styles, valid_normal_runbook

from recoverylint import schema
from recoverylint.durations import inverted_ranges
from recoverylint.engine import check_text
from recoverylint.model import DurationBasis, Span
from recoverylint.source import Document, parse

EVERY_PLACE = """\
runbook: r
stages:
  - stage: one
    steps:
      - id: top
        duration: {min: 9m, max: 1m}
      - parallel:
          - id: in-parallel
            duration: {min: 1m, likely: 20m, max: 10m}
          - sequence:
              - &twice
                id: in-sequence
                duration: {min: 5m, likely: 1m, max: 9m}
              - id: fine
                duration: {min: 1m, max: 9m}
  - stage: two
    steps:
      - *twice
      - id: fine-too
        duration: 5m
"""


def _every_mapping(document: Document) -> list[tuple[Span, str]]:
    """The definition: every mapping with an `id` and a range out of order,
    wherever it is (what inverted_ranges did before it walked flows only)."""
    from recoverylint.durations import duration_from

    found = []
    pending: list[Any] = [document.data]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            written = value.get("duration")
            if "id" in value and isinstance(written, dict) and duration_from(written, DurationBasis.GIVEN) is None:
                found.append((
                    document.value_span(value, "duration"),
                    f"the duration range of `{value['id']}` must have min <= likely <= max",
                ))
            pending.extend(value.values())
    return sorted(found, key=lambda item: (item[0].line, item[0].column))


def test_ranges_out_of_order_are_found_wherever_a_step_stands():
    document = parse(EVERY_PLACE)
    assert schema.validate(document) == []
    found = [(span.line, span.column, message.split("`")[1]) for span, message in inverted_ranges(document)]
    # The aliased step is reported at its anchor, once for each place it stands.
    assert found == [(6, 19, "top"), (9, 23, "in-parallel"), (13, 27, "in-sequence"), (13, 27, "in-sequence")]
    assert inverted_ranges(document) == _every_mapping(document)


def test_a_check_reports_each_range_out_of_order_as_rl002():
    findings = check_text(EVERY_PLACE, "r.yaml").findings
    assert [(f.code, f.span.line, f.span.column) for f in findings] == [
        ("RL002", 6, 19), ("RL002", 9, 23), ("RL002", 13, 27), ("RL002", 13, 27),
    ]


_RANGE = st.fixed_dictionaries(
    {"min": st.integers(0, 9), "max": st.integers(0, 9)}, optional={"likely": st.integers(0, 9)}
)


@st.composite
def _with_ranges(draw: Any) -> dict[str, Any]:
    """A schema-valid runbook whose steps' durations are now and then ranges,
    in order or not."""
    document = draw(valid_normal_runbook)
    pending: list[Any] = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            if "id" in value and draw(st.booleans()):
                value["duration"] = draw(_RANGE)
            pending.extend(value.values())
    return document


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(_with_ranges(), styles)
def test_the_flows_hold_every_range_out_of_order(document: dict[str, Any], style: str) -> None:
    parsed = parse(dump(document, style))
    assert schema.validate(parsed) == []
    assert inverted_ranges(parsed) == _every_mapping(parsed)
