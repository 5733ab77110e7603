from ..finding import Issue
from . import GraphContext, Issues, graph_rule
from ._alternatives import alternatives_and_deciders, decides_suggestion, named_pair


@graph_rule("RL403")
def concurrent_alternatives(ctx: GraphContext) -> Issues:
    """Alternatives O leaves unordered with nobody choosing before both; the other
    cases of undecided alternatives are RL404's."""
    graphs = ctx.graphs
    steps = graphs.steps
    for a, b, ref, deciding, ahead in alternatives_and_deciders(graphs):
        if ahead or graphs.before(a, b) or graphs.before(b, a):
            continue
        other, owner = named_pair(graphs, a, b, ref)
        first, second = steps[a].id, steps[b].id
        if deciding:
            late = steps[deciding[0]].id
            why = f"`{late}`, which decides between them, does not come before both"
            suggestion = f"move `{late}` so that both `{first}` and `{second}` wait for it"
        else:
            why = "no step before both decides between them"
            suggestion = decides_suggestion(ctx.runbook, first, second)
        yield Issue(
            ref.span,
            f"`{first}` and `{second}` exclude each other but can run at the same time and"
            f" {why}: both may be applied at once",
            suggestion=suggestion,
            steps=(other, owner),
        )
