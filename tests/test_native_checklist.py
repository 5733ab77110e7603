"""Runbook.plain_checklist: the native reader says whether the runbook is the
layout the restructure as `flow: parallel` rewrites (a sequential top-level
`steps` of steps only, no stages, no merge key), so that counting fixes
need not read the text again to know."""

from __future__ import annotations

import pytest

from recoverylint.adapters.native import build
from recoverylint.source import parse

ROLES = "roles:\n  sre: {authority: [apply]}\n"
STEPS = "steps:\n  - id: a\n    role: sre\n  - id: b\n    role: sre\n"


@pytest.mark.parametrize(
    "text, plain",
    [
        pytest.param(f"runbook: r\n{ROLES}{STEPS}", True, id="checklist"),
        pytest.param(f"runbook: r\nflow: sequential\n{ROLES}{STEPS}", True, id="said-sequential"),
        pytest.param(f"runbook: r\n{ROLES}title: 'a <<: b'\n{STEPS}", True, id="merge-key-only-in-text"),
        pytest.param(f"runbook: r\nflow: parallel\n{ROLES}{STEPS}", False, id="parallel-flow"),
        pytest.param(
            f"runbook: r\n{ROLES}steps:\n  - id: a\n  - parallel:\n      - id: b\n      - id: c\n",
            False,
            id="a-block",
        ),
        pytest.param(f"runbook: r\n{ROLES}steps:\n  - sequence:\n      - id: a\n", False, id="a-sequence"),
        pytest.param(
            f"runbook: r\n{ROLES}stages:\n  - stage: s\n    steps:\n      - id: a\n", False, id="stages"
        ),
        pytest.param(
            f"runbook: r\n{ROLES}steps:\n  - &first {{id: a, role: sre}}\n  - <<: *first\n    id: b\n",
            False,
            id="merge-key-in-a-step",
        ),
        pytest.param(
            "runbook: r\nroles:\n  sre: &sre {authority: [apply]}\n  lead:\n    <<: *sre\n    people: 2\n" + STEPS,
            False,
            id="merge-key-elsewhere",
        ),
    ],
)
def test_plain_checklist(text, plain):
    adapted = build(parse(text), "r.yaml", None)
    assert adapted.runbook.plain_checklist is plain


def test_other_formats_are_no_plain_checklist():
    from recoverylint.adapters._builder import RunbookBuilder

    builder = RunbookBuilder(parse("a: 1\n"), "a.yaml", "tiny", None)
    assert builder.build("a", parse("a: 1\n").root_span).runbook.plain_checklist is False
