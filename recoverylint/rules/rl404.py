from ..finding import Issue
from ..graphs import Graphs
from ..model import Step
from . import Capability, GraphContext, Issues, graph_rule
from ._alternatives import alternatives_and_deciders, decides_suggestion, named_pair


def _may_decide(graphs: Graphs, step: Step) -> bool:
    declared = graphs.runbook.roles.get(step.role.name) if step.role else None
    return declared is not None and "decide" in declared.authority


def _lacking(graphs: Graphs, step: Step) -> str:
    """Why this deciding step cannot make the choice."""
    if step.role is None:
        return "has no role"
    if step.role.name not in graphs.runbook.roles:
        return f"is performed by `{step.role.name}`, which is not a declared role"
    return f"is performed by `{step.role.name}`, which does not hold `decide`"


@graph_rule("RL404", needs=(Capability.ROLES,))
def undecided_alternatives(ctx: GraphContext) -> Issues:
    """Pairs RL403 reports (unordered, nobody deciding before both) are left to it."""
    graphs = ctx.graphs
    steps = graphs.steps
    for a, b, ref, deciding, ahead in alternatives_and_deciders(graphs):
        ordered = graphs.before(a, b) or graphs.before(b, a)
        if not ordered and not ahead:
            continue
        if any(_may_decide(graphs, steps[d]) for d in ahead):
            continue
        other, owner = named_pair(graphs, a, b, ref)
        first, second = steps[a].id, steps[b].id
        if ahead:
            decider = steps[ahead[0]]
            why = (
                f"`{decider.id}`, the step that decides between them, {_lacking(graphs, decider)}:"
                " nobody with the authority chooses one"
            )
            suggestion = f"have `{decider.id}` performed by the role holding `decide`"
        elif deciding:
            late = steps[deciding[0]].id
            why = (
                f"`{late}`, which decides between them, does not come before both:"
                " both may be applied, one after the other"
            )
            suggestion = f"move `{late}` so that both `{first}` and `{second}` wait for it"
        else:
            why = "no step decides between them: both may be applied, one after the other"
            suggestion = decides_suggestion(ctx.runbook, first, second)
        yield Issue(
            ref.span,
            f"`{first}` and `{second}` exclude each other but {why}",
            suggestion=suggestion,
            steps=(other, owner),
        )
