from ..finding import Issue
from ..words import involved, needs_suggestion, quoted
from . import GraphContext, Issues, graph_rule


@graph_rule("RL301")
def input_race(ctx: GraphContext) -> Issues:
    steps = ctx.graphs.steps
    for step, ref, _, concurrent in ctx.producer_order:
        if not concurrent:
            continue
        names = [steps[p].id for p in concurrent]
        yield Issue(
            ref.span,
            f"`{step.id}` uses `{ref.name}` while {quoted(names)} may still be producing it:"
            " nothing makes it wait, so it can act on a missing or stale value",
            suggestion=needs_suggestion(names, key=ctx.runbook.wait_key),
            steps=involved(names, step.id),
        )
