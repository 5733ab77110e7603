"""RL401: steps O leaves free to run together write conflicting resources."""

from ..finding import Issue, Related
from ..graphs.races import write_partners
from ..words import involved
from . import GraphContext, Issues, graph_rule
from ._races import RELATED, named, needs_of


@graph_rule("RL401")
def concurrent_writes(ctx: GraphContext) -> Issues:
    """One finding per `writes` entry of a step that races earlier steps of the file."""
    graphs = ctx.graphs
    for step, ref, count, shown in write_partners(graphs).groups():
        conflicts = [graphs.uses.partner_entry(other.writes, ref) for other in shown]
        same = all(theirs.name == ref.name for theirs in conflicts)
        if count == 1 and same:
            what = f"`{shown[0].id}` and `{step.id}` can both write `{ref.name}` at the same time"
        elif count == 1:
            what = (
                f"`{step.id}` writes `{ref.name}` while `{shown[0].id}` can write"
                f" `{conflicts[0].name}` at the same time"
            )
        elif count == len(shown) and same:
            what = (
                f"`{step.id}` writes `{ref.name}` while {named(shown, count)} can write it"
                " at the same time"
            )
        else:
            what = (
                f"`{step.id}` writes `{ref.name}` while {named(shown, count)} can write"
                " overlapping resources at the same time"
            )
        nobody = "neither" if count == 1 else "none of them"
        yield Issue(
            ref.span,
            f"{what}: the changes can interleave and leave it in a state {nobody} intended",
            suggestion=needs_of(shown, count, ctx.runbook.wait_key),
            steps=involved([other.id for other in shown], step.id),
            related=tuple(
                Related(f"`{other.id}` writes `{theirs.name}` here", theirs.span)
                for other, theirs in list(zip(shown, conflicts, strict=False))[:RELATED]
            ),
        )
