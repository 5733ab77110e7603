from ..finding import Issue, Related
from ..graphs import Graphs
from ..model import Phase, Step
from . import RuleContext, rule
from ._words import involved
from .rl401 import (
    RELATED,
    Partners,
    apart_masks,
    entry_masks,
    first_conflict,
    named,
    needs_of,
    unordered_earlier,
)


def _checks_every_writer(step: Step) -> bool:
    """A verify-phase step without `verifies` verifies every change writing what
    it reads (graphs.verified_changes), so each writer it races is RL303's."""
    return step.phase is Phase.VERIFY and not step.verifies


def read_partners(graphs: Graphs) -> Partners:
    """For each step and `reads` entry: the concurrent steps writing an overlapping
    name (not both shared), found from both ends of each pair with bitsets.

    Left to other rules: a verification and a change it verifies (RL303), a reader
    that also writes what the writer writes (RL401), alternatives (RL403, RL404)."""
    steps = graphs.steps
    partners = Partners(graphs, lambda step: step.reads)
    apart = apart_masks(graphs)
    verified = {
        step.index: graphs.mask(graphs.verified_changes(step)) for step in steps if step.verifies
    }
    all_verifying = graphs.mask(step.index for step in steps if _checks_every_writer(step))
    for step in steps:
        node = step.index
        itself = 1 << graphs.position[node]
        # Writers of what it reads (per entry), and readers of what it writes.
        writer_masks = (
            [] if _checks_every_writer(step) else entry_masks(graphs, step.reads, graphs.writers_of)
        )
        readers = 0
        for mask in entry_masks(graphs, step.writes, graphs.readers_of):
            readers |= mask
        if not (readers & ~itself or any(mask & ~itself for mask in writer_masks)):
            continue
        write_conflicts = 0
        for mask in entry_masks(graphs, step.writes, graphs.writers_of):
            write_conflicts |= mask
        unordered = unordered_earlier(graphs, node) & ~apart.get(node, 0) & ~write_conflicts
        # Writers earlier in topological order than this reader.
        writers = unordered & ~verified.get(node, 0)
        assigned = 0
        for entry, mask in enumerate(writer_masks):
            found = mask & writers & ~assigned
            assigned |= found
            partners.add_mask(node, entry, found)
        # Readers earlier in topological order than this writer.
        if readers:
            for reader in graphs.nodes_in(readers & unordered & ~all_verifying):
                if verified.get(reader, 0) >> graphs.position[node] & 1:
                    continue
                partners.add(reader, partners.entry_for(reader, step.writes), node)
    return partners


@rule("RL402", needs_graphs=True)
def read_during_write(ctx: RuleContext):
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
                f"{needs_of(shown, count)} to read after {after}, or make"
                f" {'it' if count == 1 else 'them'} wait for `{step.id}` to read before"
            ),
            steps=involved([writer.id for writer in shown], step.id),
            related=tuple(
                Related(f"`{writer.id}` writes `{theirs.name}` here", theirs.span)
                for writer, theirs in list(zip(shown, written))[:RELATED]
            ),
        )
