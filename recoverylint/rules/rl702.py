import itertools

from ..analysis import Answer, Checklist, decision_checklist
from ..finding import Issue, Related
from ..graphs import Graphs
from ..words import checklist_question, checklist_source, quoted
from . import Capability, GraphContext, Issues, graph_rule
from ._fixes import restructure_checklist

_MODES = {
    "parallel": "parallel recovery",
    "sequential": "sequential recovery",
}


def _answer(answer: Answer) -> str:
    """`team.size >= 3: yes, team.size 4 at line 6`: the answer and where it came from."""
    return f"{checklist_question(answer)}: {'yes' if answer.favours_parallel else 'no'}, {checklist_source(answer)}"


def _explained(checklist: Checklist) -> str:
    return (
        f"the decision checklist scores {checklist.score} of {len(checklist.answers)} for"
        f" parallel work and recommends {_MODES[checklist.mode]}"
        f" ({'; '.join(_answer(answer) for answer in checklist.answers)})"
    )


def _widest_unless_chained(graphs: Graphs, nodes: list[int]) -> list[int]:
    """The most of `nodes` that can run at once (`graphs.widest`), or one of
    them when O orders them all in one chain (each, in topological order,
    after the one before it): then no search is needed.  Being decided apart
    is not transitive (a, b alternatives and b before c leaves a and c
    unordered), so any other shape is searched."""
    ordered = sorted(nodes, key=graphs.position.__getitem__)
    if all(graphs.before(a, b) for a, b in itertools.pairwise(ordered)):
        return ordered[:1]
    if len(nodes) == len(graphs.steps):
        return graphs.widest_of_all()
    return graphs.widest(nodes)


@graph_rule("RL702", needs=(Capability.TEAM,))
def workflow_mode_mismatch(ctx: GraphContext) -> Issues:
    graphs = ctx.graphs
    steps = graphs.steps
    checklist = decision_checklist(ctx.runbook, graphs)
    # Each shape is looked at only when the score could disagree with it.
    if checklist.score >= 4 and len(steps) >= 2 and len(_widest_unless_chained(graphs, graphs.node_at)) <= 1:
        message = (
            "every step waits for the one before it, but this team could recover faster"
            f" in parallel: {_explained(checklist)}"
        )
        suggestion = (
            "run steps that need nothing from each other side by side: a `parallel:` block,"
            " or `flow: parallel` with `needs`"
        )
        involved: tuple[str, ...] = ()
        fix = restructure_checklist(graphs)
    elif checklist.score <= 1:
        # A post to a communication surface is no change: posting beside one needs no coordination.
        changes = [step.index for step in steps if ctx.changes[step.index]]
        together = _widest_unless_chained(graphs, changes)
        if len(together) <= 1:
            return
        ids = [steps[node].id for node in together]
        message = (
            f"{quoted(ids)} can change things at the same time, but this team is not set up"
            f" to coordinate concurrent changes: {_explained(checklist)}"
        )
        suggestion = "order the changes one after another; investigation may stay parallel"
        involved = tuple(ids[:10])
        fix = None
    else:
        return
    yield Issue(
        ctx.runbook.span,
        message,
        suggestion=suggestion,
        steps=involved,
        related=tuple(
            Related(f"{checklist_question(answer)}: {'yes' if answer.favours_parallel else 'no'}", answer.span)
            for answer in checklist.answers
            if answer.span is not None
        ),
        fix=fix,
    )
