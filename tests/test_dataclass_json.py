"""The frozen dataclasses' own JSON conversion (the result cache's entries)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from recoverylint.dataclass_json import ShapeError, from_json, to_json
from recoverylint.finding import (
    Finding,
    Fix,
    MakeFlowParallel,
    Related,
    RemoveNeed,
    RemoveNeeds,
    Severity,
)
from recoverylint.model import Span

FINDINGS = [
    Finding("RL201", "false-sequential-gate", Severity.WARNING, "m", "a.yaml", Span(1, 2, 1, 3)),
    Finding(
        "RL203", "needless-need", Severity.INFO, "m \u2028 é", "b.yaml", Span(4, 5, 6, 7), "help",
        ("a", "b"), (Related("first", Span(1, 1, 1, 2)), Related("second", Span(2, 1, 2, 9))),
        Fix("drop it", True, RemoveNeed("b", "a", 1)),
    ),
    Finding("RL203", "needless-need", Severity.ERROR, "m", "c.yaml", Span(1, 1, 1, 1),
            fix=Fix("drop them", True, RemoveNeeds("c", ("a", "b")))),
    Finding("RL201", "false-sequential-gate", Severity.WARNING, "m", "d.yaml", Span(1, 1, 1, 1),
            fix=Fix("restructure", False, MakeFlowParallel((("a", ()), ("b", ("a",)))))),
]


@pytest.mark.parametrize("finding", FINDINGS, ids=lambda f: f.path)
def test_every_finding_comes_back_equal_through_json_text(finding):
    text = json.dumps(to_json(finding))
    assert from_json(Finding, json.loads(text)) == finding


def test_fields_left_out_are_given_back():
    finding = FINDINGS[1]
    stored = to_json(finding, ("path", "fix"))
    assert len(stored) == 8 and "b.yaml" not in json.dumps(stored)
    assert from_json(Finding, stored, path="b.yaml", fix=finding.fix) == finding
    assert from_json(Finding, stored, path="other.yaml", fix=None).path == "other.yaml"


def test_the_written_shape():
    assert to_json(FINDINGS[3].fix) == ["restructure", False, ["MakeFlowParallel", [["a", []], ["b", ["a"]]]]]
    assert to_json(FINDINGS[0]) == [
        "RL201", "false-sequential-gate", "warning", "m", "a.yaml", [1, 2, 1, 3], None, [], [], None,
    ]


GOOD = ["drop it", True, ["RemoveNeed", "b", "a", 1]]


@pytest.mark.parametrize(
    "stored",
    [
        None, {}, "x", [], GOOD[:2], GOOD + [None],
        [1, True, GOOD[2]],  # a description that is a number
        ["d", 1, GOOD[2]],  # 1 is not true
        ["d", True, ["RemoveNeed", "b", "a", True]],  # true is not 1
        ["d", True, ["RemoveNeed", "b", "a", 1.0]],
        ["d", True, ["RemoveNeed", "b", "a"]],
        ["d", True, ["Rewrite", "b", "a", 1]],
        ["d", True, [1, "b", "a", 1]],
        ["d", True, []],
        ["d", True, ["RemoveNeeds", "c", "a"]],  # a string for a tuple
        ["d", True, ["RemoveNeeds", "c", ["a", 2]]],
        ["d", True, ["MakeFlowParallel", [["a", [], "x"]]]],
        ["d", True, ["MakeFlowParallel", [["a"]]]],
        ["d", True, {"kind": "RemoveNeed"}],
    ],
)
def test_anything_but_what_is_written_is_refused(stored):
    with pytest.raises(ShapeError):
        from_json(Fix, stored)


def test_an_unknown_severity_is_refused():
    stored = to_json(FINDINGS[0])
    stored[2] = "fatal"
    with pytest.raises(ShapeError):
        from_json(Finding, stored)


def test_a_type_without_a_conversion_is_an_error_not_stored_wrong():
    @dataclass(frozen=True)
    class WithAList:
        items: list[str]

    with pytest.raises(TypeError):
        to_json(WithAList(["a"]))
    with pytest.raises(TypeError):
        from_json(WithAList, [["a"]])


def test_optional_plain_values():
    @dataclass(frozen=True)
    class Note:
        text: str | None
        weight: float
        pair: tuple[int, str]

    assert from_json(Note, json.loads(json.dumps(to_json(Note(None, 1.5, (1, "a")))))) == Note(None, 1.5, (1, "a"))
    with pytest.raises(ShapeError):
        from_json(Note, [None, 1.5, [1, "a", 2]])
    with pytest.raises(TypeError):
        from_json(Note, [None, 1.5, [1, "a"]], colour="red")


def test_dataclasses_of_one_field_or_none_left():
    @dataclass(frozen=True)
    class One:
        span: Span

    assert to_json(One(Span(1, 2, 3, 4))) == [[1, 2, 3, 4]]
    assert from_json(One, [[1, 2, 3, 4]]) == One(Span(1, 2, 3, 4))
    assert to_json(Related("m", Span(1, 1, 1, 2)), ("message",)) == [[1, 1, 1, 2]]
    assert to_json(Related("m", Span(1, 1, 1, 2)), ("message", "span")) == []
