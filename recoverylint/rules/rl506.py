from collections.abc import Iterator

from ..finding import Issue
from ..words import quoted
from . import Capability, RuleContext, rule
from ._authority import holder_of


@rule("RL506", needs=(Capability.ROLES,))
def commander_applies_changes(ctx: RuleContext) -> Iterator[Issue]:
    roles = ctx.runbook.roles
    hands_on = holder_of("apply", roles)
    changes = ctx.changes
    for step in ctx.runbook.steps:
        changed = changes[step.index]  # a status post is the commander's to make
        if not changed or step.role is None:
            continue
        role = roles.get(step.role.name)
        if role is None or "decide" not in role.authority:
            continue
        if hands_on and "decide" not in roles[hands_on].authority:
            suggestion = f"role: {hands_on}"
        else:
            suggestion = (
                "declare a role with `apply` and without `decide` for hands-on work,"
                f" and keep `{role.name}` directing"
            )
        yield Issue(
            step.role.span,
            f"`{step.id}` changes {quoted(ref.name for ref in changed)} and is performed by"
            f" `{role.name}`, who holds `decide`: while the commander works hands-on, nobody"
            " directs the response",
            suggestion=suggestion,
            steps=(step.id,),
        )
