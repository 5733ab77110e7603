from collections.abc import Iterator

from ..finding import Issue, Related
from ..words import quoted
from . import Capability, RuleContext, rule

_COMMANDER = "commander: {authority: [decide, approve, communicate]}"


@rule("RL505", needs=(Capability.ROLES,))
def no_commander(ctx: RuleContext) -> Iterator[Issue]:
    runbook = ctx.runbook
    where = runbook.key_spans.get("roles", runbook.span)
    deciders = [role for role in runbook.roles.values() if "decide" in role.authority]
    if not runbook.roles:
        yield Issue(
            where,
            "the runbook declares no roles, so no role holds `decide`: nobody has the final say"
            " on alternatives or on declaring the incident resolved",
            suggestion="declare the roles under `roles`, one of them holding `decide`:"
            f" {_COMMANDER}",
        )
    elif not deciders:
        yield Issue(
            where,
            "no role holds `decide`: nobody has the final say on alternatives or on declaring"
            " the incident resolved",
            suggestion="add `decide` to the authority of one role that directs and does not apply"
            f" changes, or declare one: {_COMMANDER}",
        )
    elif len(deciders) > 1:
        names = [role.name for role in deciders]
        yield Issue(
            where,
            f"several roles hold `decide` ({quoted(names)}): with more than one final say,"
            " two people can choose different alternatives or declare the incident resolved"
            " at different times",
            suggestion="keep `decide` on one role only (the incident commander)",
            related=tuple(Related(f"`{role.name}` holds `decide`", role.span) for role in deciders),
        )
