from ..finding import Issue, Related
from ..graphs import Graphs, successor_lists
from ..model import Phase, Step
from . import GraphContext, Issues, graph_rule
from ._words import involved
from .rl401 import (
    RELATED,
    Partners,
    apart_masks,
    entry_masks,
    first_conflict,
    named,
    needs_of,
)


def _checks_every_writer(step: Step) -> bool:
    """A verify-phase step without `verifies` verifies every change writing what
    it reads (graphs.verified_changes), so each writer it races is RL303's."""
    return step.phase is Phase.VERIFY and not step.verifies


def read_partners(graphs: Graphs) -> Partners:
    """For each step and `reads` entry: the concurrent steps writing an overlapping
    name (not both shared), as one mask per reader: the writers O leaves
    unordered with it are those neither among its ancestors nor among its
    descendants.  Descendants are built in one pass in reverse topological
    order and dropped as soon as every predecessor has used them, so only the
    frontier of that pass is held at once (not a bitset for every step).

    Left to other rules: a verification and a change it verifies (RL303), a reader
    that also writes what the writer writes (RL401), alternatives (RL403, RL404)."""
    steps = graphs.steps
    position = graphs.position
    partners = Partners(graphs, lambda step: step.reads)
    apart = apart_masks(graphs)

    def candidates_of(step: Step) -> tuple[list[int], int]:
        """Writers of each `reads` entry, and the writers it may race before
        its descendants are taken out."""
        node = step.index
        itself = 1 << position[node]
        writer_masks = entry_masks(graphs, step.reads)
        anyone = 0
        for mask in writer_masks:
            anyone |= mask
        anyone &= ~itself & ~graphs.ancestors[node]
        if not anyone:
            return writer_masks, 0
        excluded = apart.get(node, 0)
        for mask in entry_masks(graphs, step.writes):
            excluded |= mask
        if step.verifies:
            excluded |= graphs.verified_mask(step)
        return writer_masks, anyone & ~excluded

    def record(node: int, writer_masks: list[int], candidates: int) -> None:
        assigned = 0
        for entry, mask in enumerate(writer_masks):
            found = mask & candidates & ~assigned
            assigned |= found
            partners.add_mask(node, entry, found)

    # Readers that may race writers later in topological order wait for the
    # pass below (only their ids are kept: a bitset each would add up).
    late: set[int] = set()
    for step in steps:
        if not step.reads or _checks_every_writer(step):
            continue
        writer_masks, candidates = candidates_of(step)
        if candidates >> position[step.index]:
            late.add(step.index)
        elif candidates:
            record(step.index, writer_masks, candidates)

    if late:
        succs = successor_lists(graphs.order_preds)
        remaining = [len(preds) for preds in graphs.order_preds]  # predecessors not yet walked past
        descendants: dict[int, int] = {}
        for node in reversed(graphs.node_at):
            below = 0
            for succ in succs[node]:
                below |= descendants.get(succ, 0) | (1 << position[succ])
                remaining[succ] -= 1
                if not remaining[succ]:
                    descendants.pop(succ, None)
            if remaining[node] and below:
                descendants[node] = below
            if node in late:
                writer_masks, candidates = candidates_of(steps[node])
                record(node, writer_masks, candidates & ~below)
    # In file order, however they were found.
    partners.found = dict(sorted(partners.found.items()))
    return partners


@graph_rule("RL402")
def read_during_write(ctx: GraphContext) -> Issues:
    """One finding per `reads` entry that concurrent changes race."""
    graphs = ctx.graphs
    for step, ref, count, shown in read_partners(graphs).groups():
        written = [first_conflict(graphs, writer.writes, (ref,))[0] for writer in shown]
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
                for writer, theirs in list(zip(shown, written))[:RELATED]
            ),
        )
