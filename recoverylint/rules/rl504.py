from collections.abc import Iterator

from ..finding import Issue
from ..model import Ref
from . import Capability, RuleContext, rule
from ._authority import holder_of


@rule("RL504", needs=(Capability.ROLES,))
def approval_by_unauthorized_role(ctx: RuleContext) -> Iterator[Issue]:
    roles = ctx.runbook.roles
    approver = holder_of("approve", roles)
    instead = "name a role that holds it" + (f" (`{approver}`)" if approver else "")

    def unauthorized(ref: Ref) -> bool:
        # An undeclared role is RL102's finding.
        return ref.name in roles and "approve" not in roles[ref.name].authority

    for name, role in roles.items():
        if role.approval is not None and unauthorized(role.approval):
            approver_name = role.approval.name
            yield Issue(
                role.approval.span,
                f"role `{name}` requires `{approver_name}`'s approval of its changes, but"
                f" `{approver_name}` lacks `approve` authority: its approval counts for nothing",
                suggestion=f"add `approve` to the authority of `{approver_name}`, or {instead}",
            )
    for step in ctx.runbook.steps:
        if step.approval is not None and unauthorized(step.approval):
            approver_name = step.approval.name
            yield Issue(
                step.approval.span,
                f"`{step.id}` requires `{approver_name}`'s approval, but"
                f" `{approver_name}` lacks `approve` authority: its approval counts for nothing",
                suggestion=f"add `approve` to the authority of `{approver_name}`, or {instead}",
                steps=(step.id,),
            )
