from ..analysis import gate_costs
from ..finding import Issue
from ..model import EdgeKind
from . import RuleContext, rule
from ._words import minutes, needs_suggestion, quoted


@rule("RL201", needs_graphs=True)
def false_sequential_gate(ctx: RuleContext):
    graphs = ctx.graphs
    steps = graphs.steps
    needless = {later for _, later in graphs.needless_stage_gates()}  # RL202 reports those
    declared = graphs.declared_between()
    gates = [
        (source, target)
        for source, target in graphs.unrequired_gates()
        if not (
            needless
            and all(
                e.kind is EdgeKind.STAGE_GATE and e.stage in needless
                for e in declared[(steps[source].id, steps[target].id)]
            )
        )
    ]
    costs = gate_costs(graphs, gates)
    for source, target in gates:
        waiter, waited = steps[target], steps[source]
        real = [steps[node].id for node in graphs.real_prerequisites(target)]
        edges = declared[(waited.id, waiter.id)]
        needs = [edge for edge in edges if edge.kind is EdgeKind.NEEDS]
        span = needs[0].span if needs else waiter.span
        really = f"it needs only {quoted(real)}" if real else "it needs no other step first"
        cost = costs[(source, target)]
        added = (
            f"This gate adds {minutes(cost)} to the critical path."
            if cost > 0
            else "This gate adds nothing to the critical path (0 min), but hides the real order."
        )
        yield Issue(
            span,
            f"`{waiter.id}` waits for `{waited.id}` but uses nothing from it; {really}. {added}",
            suggestion=needs_suggestion(real) if real else "needs: [] (it can start at once)",
            steps=(waited.id, waiter.id),
        )
