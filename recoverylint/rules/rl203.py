from ..finding import Issue
from ..model import EdgeKind, Step
from . import GraphContext, Issues, graph_rule
from ._fixes import remove_need


def _not_needs(kind: EdgeKind, stage: str | None) -> bool:
    return kind is not EdgeKind.NEEDS


@graph_rule("RL203")
def redundant_need(ctx: GraphContext) -> Issues:
    graphs = ctx.graphs
    steps, index = graphs.steps, graphs.index
    runbook = ctx.runbook
    if not any(step.needs for step in steps):
        return  # nothing to find (and the declarations need not be indexed)
    # Whether the runbook declares waits other than `needs` (a sequence, a
    # stage gate): without any, no need repeats one and none is looked up.
    declared = None
    if runbook.declared_joins or any(edge.kind is not EdgeKind.NEEDS for edge in runbook.declared_edges):
        declared = graphs.declared_between()
    for step in steps:
        if not step.needs:
            continue  # nothing to find, and its waits may be a block of thousands
        node = step.index
        implied = 0  # what the step's other waits already bring before it
        for pred in graphs.order_preds[node]:
            implied |= graphs.ancestors[pred]
        # The steps it waits for by a sequence or a stage gate, asked once for all its needs.
        otherwise = declared.sources_into(step.id, _not_needs) if declared is not None else ()
        seen = set()
        for position, need in enumerate(step.needs):
            if need.reason or need.step not in index or need.step == step.id:
                continue  # a reason marks the gate intended; others are RL102/RL103
            if need.step in seen:
                yield _redundant(step, position, f"`{need.step}` is listed twice")
                continue
            seen.add(need.step)
            source = index[need.step]
            if need.step in otherwise:
                kinds = {edge.kind for edge in graphs.declared_between()[(need.step, step.id)]}
                how = "the sequence" if EdgeKind.SEQUENCE in kinds else "the stage gate"
                yield _redundant(step, position, f"{how} already makes it wait for `{need.step}`")
                continue
            if implied >> graphs.position[source] & 1:
                through = next(p for p in graphs.order_preds[node] if graphs.before(source, p))
                yield _redundant(
                    step, position, f"it already waits for `{need.step}` through `{steps[through].id}`"
                )


def _redundant(step: Step, position: int, why: str) -> Issue:
    need = step.needs[position]
    return Issue(
        need.span,
        f"`{step.id}` needs `{need.step}` redundantly: {why}",
        suggestion=f"remove `{need.step}` from the `needs` of `{step.id}`",
        steps=(need.step, step.id),
        fix=remove_need(step, position, "redundant"),
    )
