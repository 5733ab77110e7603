"""recoverylint.native: a native runbook document (already schema-checked)
becomes the model every rule reads: steps in file order, the waits the flow
declares, roles, resources, stages and the settings of the whole runbook."""

from __future__ import annotations

from recoverylint.model import DurationBasis, EdgeKind, Phase, Runbook, Span
from recoverylint.native import build_runbook
from recoverylint.source import parse

OUTAGE = """\
runbook: db-outage
title: Orders DB outage
criticality: critical
team: {size: 3, drilled: true}
tooling: {automation: true}
default_duration: 5m
given: [alert]
roles:
  commander: {authority: [decide, approve]}
  oncall: {authority: [apply], people: 2}
resources:
  db: {kind: postgres, concurrency: shared}
  status-page: {communication: true}
steps:
  - id: look
    role: oncall
    phase: diagnose
    inputs: [alert]
    outputs: [cause]
    reads: [db]
  - parallel:
      - id: fix
        role: oncall
        duration: 10m
        inputs: [cause]
        writes: [db]
        rollback: restore the snapshot
      - id: tell
        role: commander
        writes: [status-page]
  - id: check
    verifies: [fix]
    reads: [db]
"""


def built(text: str, default_duration: float | None = None) -> Runbook:
    return build_runbook(parse(text), "runbook.yaml", default_duration=default_duration)


def waits(runbook: Runbook) -> list[tuple[str, str, EdgeKind]]:
    return [(edge.source, edge.target, edge.kind) for edge in runbook.declared_edges]


def test_steps_keep_file_order_and_what_each_says() -> None:
    runbook = built(OUTAGE)
    assert [(step.id, step.index) for step in runbook.steps] == [("look", 0), ("fix", 1), ("tell", 2), ("check", 3)]
    look, fix, tell, check = runbook.steps
    assert look.phase is Phase.DIAGNOSE and [ref.name for ref in look.outputs] == ["cause"]
    assert fix.role is not None and fix.role.name == "oncall"
    assert [ref.name for ref in fix.writes] == ["db"] and fix.is_change
    assert fix.rollback is not None and fix.rollback.name == "restore the snapshot"
    assert not check.is_change and [ref.name for ref in check.verifies] == ["fix"]
    assert tell.role is not None and tell.role.span == Span(29, 15, 29, 24)


def test_a_sequence_around_a_parallel_block_waits_into_and_out_of_each_branch() -> None:
    assert waits(built(OUTAGE)) == [
        ("look", "fix", EdgeKind.SEQUENCE),
        ("look", "tell", EdgeKind.SEQUENCE),
        ("fix", "check", EdgeKind.SEQUENCE),
        ("tell", "check", EdgeKind.SEQUENCE),
    ]


def test_a_parallel_flow_waits_only_for_its_needs() -> None:
    runbook = built("runbook: r\nflow: parallel\nsteps:\n  - id: a\n  - id: b\n    needs: [a]\n  - id: c\n")
    assert waits(runbook) == [("a", "b", EdgeKind.NEEDS)]
    assert runbook.declared_edges[0].span == Span(6, 13, 6, 14)


def test_stages_gate_the_next_stage_unless_it_says_gate_false() -> None:
    runbook = built(
        "runbook: r\nstages:\n"
        "  - stage: one\n    steps:\n      - id: a\n"
        "  - stage: two\n    gate: false\n    steps:\n      - id: b\n"
        "  - stage: three\n    flow: parallel\n    steps:\n      - id: c\n      - id: d\n"
    )
    assert [(stage.name, stage.flow, stage.gate, stage.steps) for stage in runbook.stages] == [
        ("one", "sequential", True, ("a",)),
        ("two", "sequential", False, ("b",)),
        ("three", "parallel", True, ("c", "d")),
    ]
    assert waits(runbook) == [("b", "c", EdgeKind.STAGE_GATE), ("b", "d", EdgeKind.STAGE_GATE)]
    assert [step.stage for step in runbook.steps] == ["one", "two", "three", "three"]


def test_roles_and_resources_as_declared() -> None:
    runbook = built(OUTAGE)
    assert runbook.roles["commander"].authority == frozenset({"decide", "approve"})
    assert (runbook.roles["commander"].people, runbook.roles["oncall"].people) == (1, 2)
    assert runbook.resources is not None
    database, page = runbook.resources["db"], runbook.resources["status-page"]
    assert (database.kind, database.shared, database.communication) == ("postgres", True, False)
    assert (page.shared, page.communication) == (False, True)
    assert built("runbook: r\nsteps:\n  - id: a\n").resources is None


def test_settings_of_the_whole_runbook_and_where_they_are_written() -> None:
    runbook = built(OUTAGE)
    assert (runbook.id, runbook.title, runbook.criticality) == ("db-outage", "Orders DB outage", "critical")
    assert (runbook.team_size, runbook.team_drilled, runbook.automation) == (3, True, True)
    assert [ref.name for ref in runbook.given] == ["alert"]
    assert runbook.key_spans["team.size"] == Span(4, 8, 4, 12)
    assert runbook.key_spans["criticality"] == Span(3, 1, 3, 12)


def test_durations_given_by_the_step_the_runbook_or_the_configuration() -> None:
    fix = built(OUTAGE).steps[1]
    assert fix.duration is not None and (fix.duration.likely, fix.duration.basis) == (10.0, DurationBasis.GIVEN)
    own_default = built(OUTAGE, default_duration=7.0).default_duration
    assert own_default is not None
    assert (own_default.likely, own_default.basis) == (5.0, DurationBasis.RUNBOOK_DEFAULT)
    configured = built("runbook: r\nsteps:\n  - id: a\n", default_duration=7.0).default_duration
    assert configured is not None and (configured.likely, configured.basis) == (7.0, DurationBasis.CONFIGURED)
    assert built("runbook: r\nsteps:\n  - id: a\n").default_duration is None
