from typing import Optional

from ..analysis import group_by_step, wait_costs
from ..finding import Fix, Issue
from ..graphs import Graphs
from ..model import DeclaredEdge, EdgeKind
from . import RuleContext, rule
from ._fixes import remove_needs, restructure_checklist
from ._words import _LISTED, involved, minutes, needs_suggestion, quoted


@rule("RL201", needs_graphs=True)
def false_sequential_gate(ctx: RuleContext):
    """One finding per waiting step, naming the steps it waits for needlessly
    (two parallel blocks of thousands of steps make millions of such pairs)."""
    graphs = ctx.graphs
    steps = graphs.steps
    needless = {later for _, later in graphs.needless_stage_gates()}  # RL202 reports those
    declared = graphs.declared_between()
    waits = group_by_step(
        (source, target)
        for source, target in graphs.unrequired_gates()
        if not (
            needless
            and all(
                e.kind is EdgeKind.STAGE_GATE and e.stage in needless
                for e in declared[(steps[source].id, steps[target].id)]
            )
        )
    )
    costs = wait_costs(graphs, waits)
    restructure = restructure_checklist(graphs) if waits else None
    required_later = _RequiredLater(graphs)
    for (target, sources), cost in zip(waits, costs):
        waiter = steps[target]
        waited = [steps[source].id for source in sources]
        real = [steps[node].id for node in graphs.real_prerequisites(target)]
        edges = [declared[(name, waiter.id)] for name in waited]
        needs = [edge for between in edges for edge in between if edge.kind is EdgeKind.NEEDS]
        span = needs[0].span if needs else waiter.span
        really = f"it needs only {quoted(real)}" if real else "it needs no other step first"
        if len(sources) == 1:
            what = f"`{waiter.id}` waits for `{waited[0]}` but uses nothing from it"
            added = (
                f"This gate adds {minutes(cost)} to the critical path."
                if cost > 0
                else "This gate adds nothing to the critical path (0 min), but hides the real order."
            )
        else:
            names = quoted(waited, limit=_LISTED)
            what = f"`{waiter.id}` waits for {names} but uses nothing from them"
            added = (
                f"These gates add {minutes(cost)} to the critical path."
                if cost > 0
                else "These gates add nothing to the critical path (0 min), but hide the real order."
            )
        removal = _removal(graphs, target, sources, edges, required_later)
        yield Issue(
            span,
            f"{what}; {really}. {added}",
            suggestion=needs_suggestion(real, key=ctx.runbook.wait_key),
            steps=involved(waited, waiter.id),
            fix=removal if removal is not None or _only_needs(edges) else restructure,
        )


def _only_needs(edges: list[list[DeclaredEdge]]) -> bool:
    return all(edge.kind is EdgeKind.NEEDS for between in edges for edge in between)


class _RequiredLater:
    """For each step, what the steps after it in O require (a bitset of D
    positions): a wait they may get through it.  Computed once, when first asked."""

    def __init__(self, graphs: Graphs) -> None:
        self.graphs = graphs
        self.masks: Optional[list[int]] = None

    def __call__(self, node: int) -> int:
        if self.masks is None:
            graphs, required = self.graphs, self.graphs.required
            self.masks = [0] * len(graphs.steps)
            for later in reversed(graphs.topological):
                brought = self.masks[later] | required.ancestors[later] | 1 << required.position[later]
                for pred in graphs.order_preds[later]:
                    self.masks[pred] |= brought
        return self.masks[node]


def _removal(
    graphs: Graphs,
    target: int,
    sources: tuple[int, ...],
    edges: list[list[DeclaredEdge]],
    required_later: _RequiredLater,
) -> Optional[Fix]:
    """Remove the `needs` entries that are the whole of a gate, as many as
    can go while the step still waits for everything it requires through
    its other waits (its real prerequisites stay before it), and no step
    after it requires the step waited for (it may wait for it only through
    this one): removing more would be unsafe."""
    step = graphs.steps[target]
    named = [need.step for need in step.needs]
    required = graphs.required_preds[target]
    if not all(graphs.before(pred, target) for pred in required):
        return None
    # How many of the step's waits bring each prerequisite before it: a wait
    # may go while every prerequisite keeps one.
    carriers = {
        pred: sum(1 for other in graphs.order_preds[target] if other == pred or graphs.before(pred, other))
        for pred in required
    }
    removed: list[str] = []
    for source, between in zip(sources, edges):
        name = graphs.steps[source].id
        if not between or any(edge.kind is not EdgeKind.NEEDS or edge.reason for edge in between):
            continue
        if named.count(name) != 1 or required_later(target) >> graphs.required.position[source] & 1:
            continue
        carried = [pred for pred in required if pred == source or graphs.before(pred, source)]
        if any(carriers[pred] < 2 for pred in carried):
            continue
        for pred in carried:
            carriers[pred] -= 1
        removed.append(name)
    return remove_needs(step, removed, "a false gate" if len(removed) == 1 else "false gates")
