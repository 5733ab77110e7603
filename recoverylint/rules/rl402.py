"""RL402: a step reads a resource that steps O leaves free to run with it may be changing."""

from ..finding import Issue, Related
from ..graphs.races import read_partners
from ..words import involved
from . import GraphContext, Issues, graph_rule
from ._races import RELATED, named, needs_of


@graph_rule("RL402")
def read_during_write(ctx: GraphContext) -> Issues:
    """One finding per `reads` entry that concurrent changes race."""
    graphs = ctx.graphs
    for step, ref, count, shown in read_partners(graphs).groups():
        written = [graphs.uses.partner_entry(writer.writes, ref) for writer in shown]
        if count == 1:
            what = f"`{shown[0].id}` can be changing `{written[0].name}`"
            after = "the change"
        else:
            what = f"{named(shown, count)} can be changing overlapping resources"
            after = "the changes"
        yield Issue(
            ref.span,
            f"`{step.id}` reads `{ref.name}` while {what} at the same time: what it sees may be"
            f" neither the state before {after} nor the one after it",
            suggestion=(
                f"{needs_of(shown, count, ctx.runbook.wait_key)} to read after {after}, or make"
                f" {'it' if count == 1 else 'them'} wait for `{step.id}` to read before"
            ),
            steps=involved([writer.id for writer in shown], step.id),
            related=tuple(
                Related(f"`{writer.id}` writes `{theirs.name}` here", theirs.span)
                for writer, theirs in list(zip(shown, written, strict=False))[:RELATED]
            ),
        )
