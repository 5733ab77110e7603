"""RL002: one finding per error, at the key or value at fault, saying what is expected."""

import pytest


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param(
            "runbook: x\nsteps:\n  - id: a\n    duration: 10 mins\n    depends_on: [a]\n",
            [(4, 15, "`$.steps[0].duration`: '10 mins' is not valid here: Hours, minutes"),
             (5, 5, "`$.steps[0].depends_on`: unknown key `depends_on`")],
            id="two-errors-in-one-step",
        ),
        pytest.param(
            "runbook: x\nfoo: 1\nstep: []\n",
            [(1, 1, "`$`: a runbook needs `steps` (a flow of steps) or `stages`"),
             (2, 1, "`$.foo`: unknown key `foo`"),
             (3, 1, "`$.step`: unknown key `step` (did you mean `steps`?)")],
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
            [(5, 16, "`$.steps[0].parallel[0].phase`: 'fix' is not one of")],
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
