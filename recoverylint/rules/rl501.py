from collections.abc import Iterator, Mapping

from ..finding import Issue, Severity
from ..model import Phase, Role, Step
from ..words import listed, quoted
from . import Capability, RuleContext, rule
from ._authority import needed_authority


def obvious_role(step: Step, roles: Mapping[str, Role], authority: list[str]) -> str | None:
    """The one declared role that holds every authority the step needs, if exactly one does.

    Closing the incident is the commander's (`decide`: declare it resolved); any
    other step that needs no particular authority looks for an `observe` role.
    A step that does not decide looks past roles holding `decide` when others
    fit: the commander directs rather than works (RL506).  `authority`:
    what the step's changes need (`needed_authority`)."""
    needed = set(authority)
    if step.phase is Phase.CLOSE:
        needed.add("decide")
    needed = needed or {"observe"}
    fit = [name for name, role in roles.items() if needed <= role.authority]
    if "decide" not in needed:
        hands_on = [name for name in fit if "decide" not in roles[name].authority]
        fit = hands_on or fit
    return fit[0] if len(fit) == 1 else None


@rule("RL501", needs=(Capability.ROLES,))
def step_without_role(ctx: RuleContext) -> Iterator[Issue]:
    roles = ctx.runbook.roles
    for step in ctx.runbook.steps:
        if step.role is not None:
            continue
        changed = ctx.changes[step.index]  # a post to a communication surface is no change
        authority = needed_authority(step, changed)
        candidate = obvious_role(step, roles, authority)
        words = listed(f"`{word}`" for word in authority)
        if candidate:
            suggestion = f"role: {candidate}"
        elif words:
            suggestion = f"role: <role> (a role declared under `roles` holding {words})"
        else:
            suggestion = "role: <role> (a role declared under `roles`)"
        if changed:
            yield Issue(
                step.span,
                f"`{step.id}` changes {quoted(ref.name for ref in changed)} but has no"
                " `role`: nobody is accountable for the change and its authority cannot be checked",
                suggestion=suggestion,
                steps=(step.id,),
                severity=Severity.ERROR,
            )
        else:
            yield Issue(
                step.span,
                f"`{step.id}` has no `role`: during the incident nobody knows who is to do it",
                suggestion=suggestion,
                steps=(step.id,),
            )
