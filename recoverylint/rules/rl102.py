import re
from collections.abc import Iterable

from ..finding import Issue
from ..graphs import owner
from ..model import Ref
from ..words import closest
from . import Issues, RuleContext, rule

# A rollback written as one id-like word names a step; anything else is prose.
_STEP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _unknown(ref: Ref, kind: str, known: Iterable[str], holder: str) -> Issue:
    """`holder` (a step or role) names `ref`, which is none of `known`."""
    near = closest(ref.name, known)
    return Issue(
        ref.span,
        f"{kind} `{ref.name}` of `{holder}` refers to no {kind.split()[-1]} in this runbook",
        suggestion=f"did you mean `{near}`?" if near else None,
        steps=(holder,),
    )


@rule("RL102")
def unknown_reference(ctx: RuleContext) -> Issues:
    runbook = ctx.runbook
    step_ids = {step.id for step in runbook.steps}
    roles = runbook.roles
    declared = runbook.resources
    for name, role in roles.items():
        if role.approval and role.approval.name not in roles:
            yield _unknown(role.approval, "approval role", roles, name)
    for step in runbook.steps:
        for need in step.needs:
            if need.step not in step_ids:
                near = closest(need.step, step_ids)
                yield Issue(
                    need.span,
                    f"`{step.id}` needs `{need.step}`, which is no step in this runbook",
                    suggestion=f"did you mean `{near}`?" if near else None,
                    steps=(step.id,),
                )
        if step.verifies or step.excludes or step.decides or step.approves:  # most steps name no step
            for key in ("verifies", "excludes", "decides", "approves"):
                for ref in getattr(step, key):
                    if ref.name not in step_ids:
                        yield _unknown(ref, f"`{key}` step", step_ids, step.id)
        rollback = step.rollback
        if rollback and rollback.name not in step_ids and _STEP_ID.fullmatch(rollback.name):
            yield _unknown(rollback, "`rollback` step", step_ids, step.id)
        for ref, kind in ((step.role, "role"), (step.approval, "approval role")):
            if ref and ref.name not in roles:
                yield _unknown(ref, kind, roles, step.id)
        if declared is not None:
            for uses in (step.reads, step.writes):
                for ref in uses:
                    if owner(ref.name, declared) is None:
                        yield _unknown(ref, "resource", declared, step.id)
    if runbook.resources is not None:
        for name, parent in runbook.parents.items():
            if owner(parent.name, runbook.resources) is None:
                yield _unknown(parent, "`parent` resource", runbook.resources, name)
