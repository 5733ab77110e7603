from ..finding import Issue
from ..model import Phase
from ..words import involved, needs_suggestion, quoted
from . import Capability, GraphContext, Issues, graph_rule


@graph_rule("RL306", needs=(Capability.PHASES,))
def closed_before_verified(ctx: GraphContext) -> Issues:
    graphs = ctx.graphs
    verifications = [s for s in graphs.steps if s.is_verification]
    for step in graphs.steps:
        if step.phase is not Phase.CLOSE:
            continue
        pending = [v.id for v in verifications if v is not step and not graphs.before(v.index, step.index)]
        if pending:
            yield Issue(
                step.phase_span or step.span,
                f"`{step.id}` closes the incident without waiting for the verification"
                f" {quoted(pending)}: it can be declared resolved before the fix is confirmed",
                suggestion=needs_suggestion(pending, key=ctx.runbook.wait_key),
                steps=involved(pending, step.id),
            )
