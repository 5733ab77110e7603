"""RL002: one finding per error, at the key or value at fault, in words a
responder understands, with a help line saying what to write instead."""

import json
from pathlib import Path

import pytest

SCHEMA = json.loads((Path(__file__).parents[1] / "schemas" / "runbook.schema.json").read_text())


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param(
            "runbook: x\nsteps:\n  - id: a\n    duration: 10 mins\n    depends_on: [a]\n",
            [(4, 15, "`$.steps[0].duration`: `10 mins` is not a duration"),
             (5, 5, "`$.steps[0].depends_on`: unknown key `depends_on`")],
            id="two-errors-in-one-step",
        ),
        pytest.param(
            "runbook: x\nfoo: 1\nstep: []\n",
            [(1, 1, "`$`: a runbook needs `steps` (a flow of steps) or `stages`"),
             (2, 1, "`$.foo`: unknown key `foo`"),
             (3, 1, "`$.step`: unknown key `step`")],
            id="no-flow-and-unknown-keys",
        ),
        pytest.param(
            "runbook: x\nsteps: []\nstages: [{stage: s, steps: []}]\n",
            [(3, 1, "`$`: a runbook has `steps` or `stages`, not both")],
            id="both-flows",
        ),
        pytest.param(
            "runbook: x\nroles:\n  ok: {authority: [observe]}\n  '': {}\nsteps: []\n",
            [(4, 3, "`$.roles.`: `` is not a valid name")],
            id="pattern-named-keys",
        ),
        pytest.param(
            "runbook: x\nsteps:\n  - parallel:\n      - id: a\n        phase: fix\n",
            [(5, 16, "`$.steps[0].parallel[0].phase`: `phase` cannot be the text `fix`")],
            id="inside-a-block",
        ),
    ],
)
def test_schema_errors(lint, text, expected):
    found = lint(text)
    assert [f.code for f in found] == ["RL002"] * len(expected)
    for finding, (line, column, start) in zip(found, expected):
        assert (finding.span.line, finding.span.column) == (line, column)
        assert finding.message.startswith(start), finding.message


# Each JSON Schema keyword the schema uses: a runbook breaking it, where the
# finding is, its exact words and its help.
KEYWORD_CASES = {
    "type": (
        "runbook: x\nsteps:\n  - id: b\n  - id: c\n    needs: b\n",
        (5, 12), "`$.steps[1].needs`: `needs` must be a list, not the text `b`",
        "write `needs: [b]`",
    ),
    "enum": (
        "runbook: x\nsteps:\n  - id: a\n    phase: remediation\n",
        (4, 12),
        "`$.steps[0].phase`: `phase` cannot be the text `remediation`: it is one of `detect`,"
        " `triage`, `diagnose`, `remediate`, `verify`, `communicate` and `close`",
        "did you mean `phase: remediate`?",
    ),
    "const": (
        "runbook: x\nformat: 2\nsteps: []\n",
        (2, 9), "`$.format`: `format` cannot be the number `2`: only `1` is allowed",
        "write `format: 1`",
    ),
    "pattern": (
        "runbook: x\nsteps:\n  - id: a\n    duration: 10 mins\n",
        (4, 15), "`$.steps[0].duration`: `10 mins` is not a duration",
        "write `duration: 10m`",
    ),
    "minimum": (
        "runbook: x\nroles:\n  r: {authority: [observe], people: 0}\nsteps: []\n",
        (3, 37), "`$.roles.r.people`: `people` is `0`, but it must be at least `1`",
        "How many people can fill the role at once: more of its steps at once cannot be staffed (RL405).",
    ),
    "maximum": (
        "runbook: x\nsteps:\n  - id: a\n    duration: 600000\n",
        (4, 15), "`$.steps[0].duration`: `duration` is `600000`, but it must be at most `525600`",
        "Minutes (at most a year: 525600).",
    ),
    "minLength": (
        "runbook: x\nsteps:\n  - id: a\n    rollback: ''\n",
        (4, 15), "`$.steps[0].rollback`: `rollback` is empty text",
        "How to undo this change: the id of a rollback step, or text.",
    ),
    "minItems": (
        "runbook: x\nsteps:\n  - parallel: []\n",
        (3, 15), "`$.steps[0].parallel`: `parallel` is an empty list",
        "list at least one step or block under it, or leave it out",
    ),
    "uniqueItems": (
        "runbook: x\nroles:\n  r: {authority: [observe, apply, observe]}\nsteps: []\n",
        (3, 18), "`$.roles.r.authority`: `authority` lists `observe` more than once",
        "write `authority: [observe, apply]`",
    ),
    "minProperties": (
        "runbook: x\nsteps:\n  - id: a\n    clock: {}\n",
        (4, 12), "`$.steps[0].clock`: `clock` is an empty mapping",
        "write `clock: {start: …}` or `clock: {stop: …}`",
    ),
    "required": (
        "runbook: x\nsteps:\n  - id: a\n    duration: {min: 1m}\n",
        (4, 15), "`$.steps[0].duration`: this range has no `max`",
        "add `max`: the most it takes.",
    ),
    "additionalProperties": (
        "runbook: x\nsteps:\n  - id: a\n  - id: b\n    depends_on: [a]\n",
        (5, 5), "`$.steps[1].depends_on`: unknown key `depends_on`",
        "did you mean `needs`?",
    ),
    "patternProperties": (
        "runbook: x\nresources:\n  'orders db': {kind: database}\nsteps: []\n",
        (3, 3), "`$.resources.orders db`: `orders db` is not a valid name",
        "name it with at least one character and no spaces or empty segments",
    ),
    "oneOf": (
        "runbook: x\nsteps:\n  - id: a\n    duration: true\n",
        (4, 15), "`$.steps[0].duration`: `duration` cannot be `true`",
        "How long the step takes: one duration (`90s`, `5m`, `1h30m`, or minutes), or a range"
        " `{min, likely, max}` (`likely` left out: `max`; min <= likely <= max).",
    ),
    "anyOf": (
        "runbook: x\nsteps:\n  - title: c\n",
        (3, 5), "`$.steps[0]`: this step has no `id`",
        "add `id: c`: every step has an id other steps refer to",
    ),
    "not": (
        "runbook: x\nsteps: []\nstages: [{stage: s, steps: []}]\n",
        (3, 1), "`$`: a runbook has `steps` or `stages`, not both",
        "keep `steps` for one flow, or move every step into `stages`",
    ),
}


@pytest.mark.parametrize("keyword", sorted(KEYWORD_CASES))
def test_each_schema_keyword_in_words(lint, keyword):
    text, (line, column), message, help_line = KEYWORD_CASES[keyword]
    (finding,) = lint(text)
    assert finding.code == "RL002"
    assert (finding.span.line, finding.span.column) == (line, column)
    assert finding.message == message
    assert finding.suggestion == help_line


VALIDATING = {
    "type", "enum", "const", "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems",
    "maxItems", "uniqueItems", "minProperties", "maxProperties", "required", "additionalProperties",
    "patternProperties", "oneOf", "anyOf", "allOf", "not", "exclusiveMinimum", "exclusiveMaximum",
    "multipleOf", "contains", "propertyNames", "dependentRequired", "if",
}


def keywords(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in VALIDATING:
                found.add(key)
            if key not in ("examples", "default", "enum", "const"):
                found |= keywords(value)
    elif isinstance(node, list):
        for item in node:
            found |= keywords(item)
    return found


def test_every_keyword_the_schema_uses_has_a_case():
    assert keywords(SCHEMA) == set(KEYWORD_CASES)


@pytest.mark.parametrize(
    "text, message, help_line",
    [
        pytest.param(
            "runbook: x\nsteps:\n  - name: c\n",
            "`$.steps[0].name`: unknown key `name`", "did you mean `id`?",
            id="a-step-named-but-without-id",
        ),
        pytest.param(
            "runbook: x\nsteps:\n  - id: 5\n", "`$.steps[0].id`: `id` must be text, not the number `5`",
            "quote it: `id: '5'`", id="a-number-where-text-is-meant",
        ),
        pytest.param(
            "runbook: x\nresources:\n  db: database\nsteps: []\n",
            "`$.resources.db`: `db` must be a mapping of keys to values, not the text `database`",
            "write `db: {kind: database}`", id="a-resource-written-as-its-kind",
        ),
        pytest.param(
            "runbook: Orders DB\nsteps: []\n", "`$.runbook`: `Orders DB` is not a runbook id",
            "write `runbook: orders-db`", id="a-runbook-id-with-capitals-and-a-space",
        ),
        pytest.param(
            "runbook: x\nsteps:\n  - id: a\n  - id: b\n    needs: [{id: a}]\n",
            "`$.steps[1].needs[0].id`: unknown key `id`", "did you mean `step`?",
            id="a-wait-written-with-id",
        ),
        pytest.param(
            "runbook: x\nstages:\n  - stage: s\n",
            "`$.stages[0]`: this stage has no `steps`",
            "add `steps`: the stage's steps and `parallel`/`sequence` blocks.",
            id="a-stage-without-steps",
        ),
        pytest.param(
            "runbook: x\nsteps:\n  - id: a\n    guard: yes please\n",
            "`$.steps[0].guard`: `guard` must be `true` or `false`, not the text `yes please`",
            "write `guard: true` or `guard: false`", id="a-sentence-for-a-boolean",
        ),
    ],
)
def test_more_errors_in_words(lint, text, message, help_line):
    found = [f for f in lint(text) if f.message == message]
    assert [f.suggestion for f in found] == [help_line], [f.message for f in lint(text)]


def test_no_message_says_required_of_a_key_that_is_there(lint):
    (finding,) = lint("runbook: X Y\nsteps: []\n")
    assert "Required" not in finding.message + finding.suggestion
