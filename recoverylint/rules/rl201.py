from typing import Optional

from ..analysis import gate_costs
from ..finding import Fix, Issue
from ..graphs import Graphs
from ..model import EdgeKind
from . import RuleContext, rule
from ._fixes import remove_need, restructure_checklist
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
    restructure = restructure_checklist(graphs) if gates else None
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
            suggestion=needs_suggestion(real, key=ctx.runbook.wait_key),
            steps=(waited.id, waiter.id),
            fix=_removal(graphs, source, target) if edges == needs else restructure,
        )


def _removal(graphs: Graphs, source: int, target: int) -> Optional[Fix]:
    """Remove the `needs` entry that is the whole gate, when the step still
    waits for everything it requires through its other waits (its real
    prerequisites stay before it): otherwise removing it would be unsafe."""
    step, waited = graphs.steps[target], graphs.steps[source].id
    entries = [position for position, need in enumerate(step.needs) if need.step == waited]
    if len(entries) != 1:
        return None
    # A prerequisite before the step but not before the gate's source reaches
    # it through its other waits already; one before the source must come
    # before one of them too.  (Asked per prerequisite: a union of every
    # wait's ancestors costs too much on steps waiting for hundreds.)
    others = [pred for pred in graphs.order_preds[target] if pred != source]
    for pred in graphs.required_preds[target]:
        if not graphs.before(pred, target):
            return None
        if (pred == source or graphs.before(pred, source)) and not any(
            pred == other or graphs.before(pred, other) for other in others
        ):
            return None
    return remove_need(step, entries[0], "a false gate")
