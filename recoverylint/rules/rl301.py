from ..finding import Issue
from ..words import involved, needs_suggestion, quoted
from . import GraphContext, Issues, graph_rule


def producer_order(ctx: GraphContext):
    """For each (step, input) with producers, which come before, alongside or after it in O."""
    graphs = ctx.graphs
    producers = graphs.producers
    for step in graphs.steps:
        node = step.index
        for ref in step.inputs:
            others = [p for p in producers.get(ref.name, ()) if p != node]
            if not others or any(graphs.before(p, node) for p in others):
                continue
            concurrent = [p for p in others if graphs.concurrent(p, node)]
            yield step, ref, others, concurrent


@graph_rule("RL301")
def input_race(ctx: GraphContext) -> Issues:
    steps = ctx.graphs.steps
    for step, ref, _, concurrent in producer_order(ctx):
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
