from collections import defaultdict
from collections.abc import Iterator, Mapping

from ..finding import Issue, Related
from ..model import Ref, Role, Step
from ..words import involved, needs_suggestion, quoted
from . import Capability, GraphContext, graph_rule
from ._authority import holder_of, needed_authority


def _without_emergency(
    step: Step,
    role: Role | None,
    roles: Mapping[str, Role],
    changed: tuple[Ref, ...],
) -> Issue:
    """The finding for a `pre_approved` change that no role with `emergency` performs."""
    holder = holder_of("emergency", roles, also=needed_authority(step, changed))
    unapproved = "drop `pre_approved` and have it approved"
    if holder:
        unapproved = f"give it a role holding `emergency` (`{holder}`), or {unapproved}"
    if role is None or step.role is None:  # `role` is None whenever `step.role` is
        return Issue(
            step.span,
            f"`{step.id}` is `pre_approved` but has no role, so nobody with `emergency`"
            " authority may apply it without approval",
            suggestion=unapproved,
            steps=(step.id,),
        )
    return Issue(
        step.role.span,
        f"`{step.id}` is `pre_approved` but its role `{role.name}` lacks `emergency` authority:"
        " it may not apply a change without approval",
        suggestion=f"add `emergency` to the authority of `{role.name}`, or {unapproved}",
        steps=(step.id,),
    )


@graph_rule("RL503", needs=(Capability.ROLES,))
def change_without_approval(ctx: GraphContext) -> Iterator[Issue]:
    runbook, graphs = ctx.runbook, ctx.graphs
    roles = runbook.roles
    critical = runbook.criticality == "critical"
    approvers: dict[str, list[int]] = defaultdict(list)  # change id -> steps approving it
    for step in graphs.steps:
        for ref in step.approves:
            approvers[ref.name].append(step.index)
    changes = ctx.changes
    for step in graphs.steps:
        # A post to a communication surface is no change: it needs no approval.
        changed = changes[step.index]
        if not changed:
            continue
        role = roles.get(step.role.name) if step.role else None
        if step.pre_approved:
            if step.role is None or (role and "emergency" not in role.authority):
                yield _without_emergency(step, role, roles, changed)
            continue
        approval: Ref | None = step.approval or (role.approval if role else None)
        if not (critical or approval):
            continue
        if approval and approval.name not in roles:
            continue  # RL102 reports the undeclared role; the fix decides what approval means
        own_role = role.name if role else None
        # Nobody approves their own change: neither the change's own role as
        # its approval role, nor a step of that role, nor the change itself.
        approving = [
            other
            for other in dict.fromkeys(approvers.get(step.id, []))
            if other != step.index
            and not (own_role and _role_name(graphs.steps[other]) == own_role)
        ]
        if any(graphs.before(other, step.index) for other in approving):
            continue
        if approval and approval.name != own_role and "approve" in roles[approval.name].authority:
            continue
        after = [graphs.steps[o].id for o in approving if graphs.before(step.index, o)]
        alongside = [graphs.steps[o].id for o in approving if not graphs.before(step.index, o)]
        yield _missing(roles, step, role, approval, alongside, after, runbook.wait_key)


def _role_name(step: Step) -> str | None:
    return step.role.name if step.role else None


def _missing(
    roles: Mapping[str, Role],
    step: Step,
    role: Role | None,
    approval: Ref | None,
    alongside: list[str],
    after: list[str],
    wait_key: str | None,
) -> Issue:
    """The finding for a change that requires approval and has none that
    counts; `wait_key` is the runbook format's word for a wait."""
    related: tuple[Related, ...] = ()
    if step.approval:  # then it is the approval that counts
        why = f"its `approval` names `{step.approval.name}`"
    elif approval and role:  # an approval not the step's own is its role's
        why = f"its role `{role.name}` requires `{approval.name}`'s approval"
        related = (Related(f"role `{role.name}` requires approval here", approval.span),)
    else:
        why = "the runbook is `criticality: critical`"
    if approval and role and approval.name == role.name:
        missing = f"`{approval.name}` is its own role, which cannot approve its own change, and"
    elif approval:
        missing = f"`{approval.name}` lacks `approve` authority and"
    else:
        missing = "no approval role is named and"
    late = alongside + after
    if late:
        which = "which approves it, does" if len(late) == 1 else "which approve it, do"
        missing += f" {quoted(late)}, {which} not come before it"
        if alongside:
            suggestion = needs_suggestion(alongside, key=wait_key)
        else:
            suggestion = f"move {quoted(after)} before `{step.id}`: approval comes before the change"
    else:
        missing += " no step before it approves it"
        approver = holder_of("approve", roles)
        if role and approver == role.name:
            approver = next((n for n, r in roles.items() if n != role.name and "approve" in r.authority), None)
        step_before = f"add a step before it with `approves: [{step.id}]`"
        if approval and role and approval.name == role.name:
            other = f" (`{approver}`)" if approver else ""
            suggestion = f"name another role{other} in `approval`, or {step_before}"
        elif approval:
            suggestion = f"add `approve` to the authority of `{approval.name}`, or {step_before}"
        elif approver:
            suggestion = (
                f"give it `approval: {approver}`, or {step_before} performed by `{approver}`"
            )
        else:
            suggestion = f"{step_before}, performed by a role with `approve`"
    return Issue(
        step.approval.span if step.approval else step.span,
        f"`{step.id}` requires approval ({why}) but {missing}: the change would be made"
        " on one person's judgement",
        suggestion=suggestion,
        steps=involved(late, step.id),
        related=related,
    )
