"""RL401, and the conflict bitsets RL402 shares.

Every question here is a mask operation, so that a runbook where thousands of
parallel steps touch one resource costs bitset work, not a loop over the
square of its steps, and gets one finding per step and entry, not per pair.
Among a step's unordered partners, those earlier in topological order are
`unordered_earlier`; asking that of every step meets each unordered pair once,
and RL401 keeps each pair on its step later in topological order.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Optional

from ..finding import Issue, Related
from ..graphs import Graphs
from ..model import Ref, Step
from . import GraphContext, Issues, graph_rule
from ._words import involved, needs_suggestion, quoted

# Partners kept per finding to name; the rest are only counted.
SHOWN = 10
RELATED = 5  # other places pointed at per finding


def unsafe_together(graphs: Graphs, first: str, second: str) -> bool:
    """Uses of two overlapping resource names conflict unless both are shared."""
    return not (graphs.shared(first) and graphs.shared(second))


def entry_masks(graphs: Graphs, refs: tuple[Ref, ...]) -> list[int]:
    """For each entry of `refs`: the steps (bitset of O positions) writing what it touches."""
    return [graphs.conflicting_writers(ref.name) for ref in refs]


def first_conflict(
    graphs: Graphs, refs: tuple[Ref, ...], other_refs: tuple[Ref, ...]
) -> tuple[Ref, Ref] | None:
    """The first entry of `refs` (and the entry of `other_refs`) that conflict
    (overlapping as the graphs' index says: declared parents included)."""
    for mine in refs:
        overlapping = graphs.resources.overlapping(mine.name)
        for theirs in other_refs:
            if theirs.name in overlapping and unsafe_together(graphs, mine.name, theirs.name):
                return mine, theirs
    return None


def unordered_earlier(graphs: Graphs, node: int) -> int:
    """Steps earlier in topological order that O leaves unordered with `node`."""
    return ((1 << graphs.position[node]) - 1) & ~graphs.ancestors[node]


def apart_masks(graphs: Graphs) -> dict[int, int]:
    """node -> steps it is never reported with here: alternatives a step decides
    between (they never run together) and steps it excludes or is excluded by
    (RL403 and RL404 speak about those)."""
    apart: dict[int, int] = defaultdict(int)
    for step in graphs.steps:
        decided = graphs.decided_apart_mask(step.index)
        if decided:
            apart[step.index] = decided
    for a, b, _ in graphs.exclusive_pairs():
        apart[a] |= 1 << graphs.position[b]
        apart[b] |= 1 << graphs.position[a]
    return apart


class Partners:
    """The partners found for each entry of a step (its `writes` or its `reads`):
    all counted, a few kept to name."""

    def __init__(self, graphs: Graphs, entries: Callable[[Step], tuple[Ref, ...]]) -> None:
        self.graphs = graphs
        self.entries = entries
        self.found: dict[tuple[int, int], list] = {}  # (step, entry index) -> [count, kept]

    def add_mask(self, node: int, entry: int, mask: int) -> None:
        if not mask:
            return
        found = self.found.setdefault((node, entry), [0, []])
        found[0] += mask.bit_count()
        kept = found[1]
        while mask and len(kept) < SHOWN:
            low = mask & -mask
            kept.append(self.graphs.node_at[low.bit_length() - 1])
            mask ^= low

    def groups(self) -> Iterator[tuple[Step, Ref, int, list[Step]]]:
        """(step, entry, partner count, partners to name in file order)."""
        steps = self.graphs.steps
        for (node, entry), (count, kept) in self.found.items():
            yield steps[node], self.entries(steps[node])[entry], count, [steps[p] for p in sorted(kept)]


def named(shown: list[Step], count: int) -> str:
    """`a`, `b` and N more: the named partners and how many others."""
    return quoted((step.id for step in shown), limit=len(shown), total=count)


def needs_of(shown: list[Step], count: int, key: Optional[str]) -> str:
    return needs_suggestion([step.id for step in shown], total=count, key=key)


def write_partners(graphs: Graphs) -> Partners:
    """For each step and `writes` entry: the concurrent steps writing an
    overlapping name (not both shared), each pair kept on the step later in
    O's topological order, so that all of a step's partners are one mask."""
    partners = Partners(graphs, lambda step: step.writes)
    apart = apart_masks(graphs)
    for step in graphs.steps:
        node = step.index
        masks = entry_masks(graphs, step.writes)
        itself = 1 << graphs.position[node]
        if not any(mask & ~itself for mask in masks):
            continue  # the only writer of what it writes
        unordered = unordered_earlier(graphs, node) & ~apart.get(node, 0)
        assigned = 0
        for entry, mask in enumerate(masks):
            found = mask & unordered & ~assigned
            assigned |= found
            partners.add_mask(node, entry, found)
    return partners


@graph_rule("RL401")
def concurrent_writes(ctx: GraphContext) -> Issues:
    """One finding per `writes` entry of a step that races earlier steps of the file."""
    graphs = ctx.graphs
    for step, ref, count, shown in write_partners(graphs).groups():
        conflicts = [first_conflict(graphs, other.writes, (ref,))[0] for other in shown]
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
                for other, theirs in list(zip(shown, conflicts))[:RELATED]
            ),
        )
