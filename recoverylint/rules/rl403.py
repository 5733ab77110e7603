from collections.abc import Iterator

from ..finding import Issue
from ..graphs import Graphs
from ..model import Ref, Runbook
from ..words import in_own_words
from . import GraphContext, Issues, graph_rule


def alternatives_and_deciders(graphs: Graphs) -> Iterator[tuple[int, int, Ref, list[int], list[int]]]:
    """Each pair of steps that exclude each other, with the `excludes` entry that says
    so, the steps deciding between them and those of them that come before both."""
    for a, b, ref in graphs.exclusive_pairs():
        # A step cannot choose between itself and another.
        deciding = [d for d in graphs.deciders(a, b) if d not in (a, b)]
        ahead = [d for d in deciding if graphs.before(d, a) and graphs.before(d, b)]
        yield a, b, ref, deciding, ahead


def named_pair(graphs: Graphs, a: int, b: int, ref: Ref) -> tuple[str, str]:
    """(the step the `excludes` entry names, the step it is written on)."""
    first, second = graphs.steps[a].id, graphs.steps[b].id
    return (first, second) if ref.name == first else (second, first)


def decides_suggestion(runbook: Runbook, first: str, second: str) -> str:
    native = "add a step before both with `decides: [{first}, {second}]`, performed by a role holding `decide`"
    return in_own_words(runbook.wording, "decides", native, first=first, second=second)


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
