"""What the rules work out once per runbook and share (`RuleContext`), and the
authority words worked out before their effects are put in words."""

import dataclasses
import textwrap

import pytest

from recoverylint.catalog import rule_doc
from recoverylint.engine import _graphs_of, check_text, run_rules
from recoverylint.native import build_runbook
from recoverylint.rules import RuleContext
from recoverylint.rules._authority import changed_writes
from recoverylint.source import parse

SURFACES = """\
runbook: r
roles:
  lead: {authority: [observe]}
  oncall: {authority: [observe, apply, communicate]}
resources:
  db: {kind: database}
  status: {kind: page%s}
steps:
  - id: decide-failover
    role: lead
    writes: [db, status/incident]
    decides: [fail-over, wait-it-out]
    approves: [fail-over]
  - id: fail-over
    role: oncall
    writes: [db]
    excludes: [wait-it-out]
  - id: wait-it-out
    role: oncall
    phase: diagnose
  - id: tell-customers
    role: lead
    phase: communicate
  - id: post-update
    writes: [status/incident]
  - id: patch-db
    writes: [db]
    phase: communicate
"""


def messages(text: str, code: str) -> list[str]:
    return [f.message for f in check_text(text).findings if f.code == code]


def test_rl502_words_each_missing_authority():
    # (Findings at one place are sorted by message.)
    assert messages(SURFACES % ", communication: true", "RL502") == [
        "`decide-failover` approves `fail-over` but its role `lead` lacks `approve` authority:"
        " whoever performs it is not entitled to",
        "`decide-failover` changes `db` but its role `lead` lacks `apply` authority:"
        " whoever performs it is not entitled to",
        "`decide-failover` decides between `fail-over` and `wait-it-out` but its role `lead` lacks"
        " `decide` authority: whoever performs it is not entitled to",
        "`decide-failover` posts to `status/incident` but its role `lead` lacks `communicate`"
        " authority: whoever performs it is not entitled to",
        "`tell-customers` is a communicate-phase step but its role `lead` lacks `communicate`"
        " authority: whoever performs it is not entitled to",
    ]
    # Without the surface the post is a change: `apply` only, worded once.
    assert messages(SURFACES % "", "RL502")[:3] == [
        "`decide-failover` approves `fail-over` but its role `lead` lacks `approve` authority:"
        " whoever performs it is not entitled to",
        "`decide-failover` changes `db` and `status/incident` but its role `lead` lacks `apply`"
        " authority: whoever performs it is not entitled to",
        "`decide-failover` decides between `fail-over` and `wait-it-out` but its role `lead` lacks"
        " `decide` authority: whoever performs it is not entitled to",
    ]


def test_rl501_names_the_authority_a_step_without_role_needs():
    suggestions = [f.suggestion for f in check_text(SURFACES % ", communication: true").findings if f.code == "RL501"]
    # A post needs `communicate` (oncall holds it); a communicate-phase change
    # needs `apply` and `communicate`, which only oncall holds too.
    assert suggestions == ["role: oncall", "role: oncall"]
    text = (SURFACES % ", communication: true").replace("observe, apply, communicate", "observe, apply")
    suggestions = [f.suggestion for f in check_text(text).findings if f.code == "RL501"]
    assert suggestions == [
        "role: <role> (a role declared under `roles` holding `communicate`)",
        "role: <role> (a role declared under `roles` holding `apply` and `communicate`)",
    ]


def contexts(text: str) -> RuleContext:
    runbook = build_runbook(parse(textwrap.dedent(text)), "t.yaml")
    graphs, cycle = _graphs_of(runbook)
    return RuleContext(runbook, graphs, cycle)


def test_the_changes_are_worked_out_once_for_every_rule():
    for surface in ("", ", communication: true"):
        context = contexts(SURFACES % surface)
        runbook = context.runbook
        expected = [changed_writes(step, runbook.resources) for step in runbook.steps]
        assert context.changes == expected
        # The rules given the graphs read the same list as the others.
        assert context.with_graphs is not None
        assert context.with_graphs.changes is context.changes
    context = contexts(SURFACES % ", communication: true")
    assert [[ref.name for ref in changed] for changed in context.changes] == [
        ["db"], ["db"], [], [], [], ["db"]
    ]


# A change its approval runs beside (RL503 then suggests the wait).
APPROVED_ALONGSIDE = """\
runbook: r
criticality: critical
flow: parallel
given: [alert]
roles:
  oncall: {authority: [observe, apply]}
  lead: {authority: [decide, approve]}
resources:
  db: {kind: database}
steps:
  - id: approve-restart
    role: lead
    approves: [restart]
  - id: restart
    role: oncall
    writes: [db]
    rollback: restart it again
"""


@pytest.mark.parametrize(
    ("code", "text"), [("RL306", rule_doc("RL306").examples["bad"][0]), ("RL503", APPROVED_ALONGSIDE)]
)
@pytest.mark.parametrize(
    ("wait_key", "written"), [("needs", "needs: ["), ("runAfter", "runAfter: ["), (None, "make it wait for ")]
)
def test_a_suggested_wait_is_written_with_the_format_s_key(code, text, wait_key, written):
    """RL306 and RL503 suggest a wait as every rule does: in the words of the
    runbook's format (`runAfter` for Tekton, none for a format that orders
    steps by their place), not always native `needs`."""
    runbook = build_runbook(parse(text), "t.yaml")
    runbook = dataclasses.replace(runbook, wait_key=wait_key)
    suggestions = [f.suggestion for f in run_rules(runbook, [code]) if f.code == code]
    assert suggestions and all(s.startswith(written) for s in suggestions), suggestions
