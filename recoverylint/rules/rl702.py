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


def _in_one_chain(graphs: Graphs, nodes: list[int]) -> bool:
    """Whether at most one of `nodes` can run at a time.  Fast when O orders
    them in one chain (each, in topological order, after the one before it);
    otherwise `graphs.widest` decides, since being decided apart is not
    transitive (a, b alternatives and b before c leaves a and c unordered)."""
    ordered = sorted(nodes, key=graphs.position.__getitem__)
    if all(graphs.before(a, b) for a, b in itertools.pairwise(ordered)):
        return True
    if len(nodes) == len(graphs.steps):
        return len(graphs.widest_of_all()) <= 1
    return len(graphs.widest(nodes)) <= 1


@graph_rule("RL702", needs=(Capability.TEAM,))
def workflow_mode_mismatch(ctx: GraphContext) -> Issues:
    graphs = ctx.graphs
    steps = graphs.steps
    checklist = decision_checklist(ctx.runbook, graphs)
    # Each shape is looked at only when the score could disagree with it.
    if checklist.score >= 4 and len(steps) >= 2 and _in_one_chain(graphs, graphs.node_at):
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
        if _in_one_chain(graphs, changes):
            return
        together = graphs.widest(changes)
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
