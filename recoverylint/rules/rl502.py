from collections.abc import Iterator

from ..finding import Issue
from . import Capability, RuleContext, rule
from ._authority import authority_effect, holder_of, needed_authority


@rule("RL502", needs=(Capability.ROLES,))
def role_lacks_authority(ctx: RuleContext) -> Iterator[Issue]:
    roles = ctx.runbook.roles
    changes = ctx.changes
    for step in ctx.runbook.steps:
        # No role is RL501's finding, an undeclared one RL102's.
        if step.role is None or step.role.name not in roles:
            continue
        role = roles[step.role.name]
        changed = changes[step.index]
        for word in needed_authority(step, changed):
            if word in role.authority:
                continue
            effect = authority_effect(word, step, changed, ctx.runbook.resources)
            other = holder_of(word, roles)
            yield Issue(
                step.role.span,
                f"`{step.id}` {effect} but its role `{role.name}` lacks `{word}` authority:"
                " whoever performs it is not entitled to",
                suggestion=f"add `{word}` to the authority of `{role.name}`, or give the step"
                + (f" a role that holds it (`{other}`)" if other else " a role that holds it"),
                steps=(step.id,),
            )
