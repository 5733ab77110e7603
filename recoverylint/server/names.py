"""Where a runbook writes each name a step, a role, a resource or a fact can
have: the declarations and the uses, from the model's spans.  What
definition, references, rename, hover and completion look up."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from ..model import Ref, Runbook, Span


class Kind(str, Enum):
    STEP = "step"
    ROLE = "role"
    RESOURCE = "resource"
    FACT = "fact"


@dataclass(frozen=True)
class NameUse:
    """One place a name is written: `declares` when it is the step's id, the
    role's or resource's key, or a fact a step outputs (or `given` lists)."""

    kind: Kind
    name: str
    span: Span
    declares: bool
    key: str  # the key it is written under (`needs`, `writes`, `id`...)


# The step keys whose values name other steps, roles, resources or facts.
STEP_LIST_KEYS: dict[str, Kind] = {
    "needs": Kind.STEP, "verifies": Kind.STEP, "excludes": Kind.STEP, "decides": Kind.STEP,
    "approves": Kind.STEP, "rollback": Kind.STEP, "inputs": Kind.FACT, "outputs": Kind.FACT,
    "reads": Kind.RESOURCE, "writes": Kind.RESOURCE, "observes": Kind.RESOURCE, "role": Kind.ROLE,
    "approval": Kind.ROLE,
}


def name_uses(runbook: Runbook) -> Iterator[NameUse]:
    """Every name the runbook writes, in the model's order."""
    step_ids = {step.id for step in runbook.steps}
    for name, role in runbook.roles.items():
        yield NameUse(Kind.ROLE, name, role.span, True, "roles")
        if role.approval is not None:
            yield _use(Kind.ROLE, role.approval, "approval")
    for name, resource in (runbook.resources or {}).items():
        yield NameUse(Kind.RESOURCE, name, resource.span, True, "resources")
    for parent in runbook.parents.values():
        yield _use(Kind.RESOURCE, parent, "parent")
    for ref in runbook.given:
        yield NameUse(Kind.FACT, ref.name, ref.span, True, "given")
    for step in runbook.steps:
        yield NameUse(Kind.STEP, step.id, step.span, True, "id")
        for need in step.needs:
            yield NameUse(Kind.STEP, need.step, need.span, False, "needs")
        for key, refs in (
            ("verifies", step.verifies), ("excludes", step.excludes), ("decides", step.decides),
            ("approves", step.approves), ("inputs", step.inputs), ("reads", step.reads),
            ("writes", step.writes), ("observes", step.observes),
        ):
            yield from (_use(STEP_LIST_KEYS[key], ref, key) for ref in refs if ref.name != "*")
        for ref in step.outputs:
            yield NameUse(Kind.FACT, ref.name, ref.span, True, "outputs")
        # `rollback` is a step id, or words saying how to undo the change.
        if step.rollback is not None and step.rollback.name in step_ids:
            yield _use(Kind.STEP, step.rollback, "rollback")
        for key, single in (("role", step.role), ("approval", step.approval)):
            if single is not None:
                yield _use(Kind.ROLE, single, key)


def _use(kind: Kind, ref: Ref, key: str) -> NameUse:
    return NameUse(kind, ref.name, ref.span, False, key)


def contains(span: Span, line: int, column: int) -> bool:
    """Whether the 1-based character position is inside `span` (its end included:
    a cursor just after a name is still on it)."""
    if (line, column) < (span.line, span.column):
        return False
    return (line, column) <= (span.end_line, span.end_column)


def use_at(uses: list[NameUse], line: int, column: int) -> NameUse | None:
    """The name written at a 1-based character position, if any."""
    for use in uses:
        if contains(use.span, line, column):
            return use
    return None
