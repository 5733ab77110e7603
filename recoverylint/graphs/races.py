"""Races: the steps O leaves free to run at the same time as a use of a
resource that another step writes.

Every question here is a mask operation, so that a runbook where thousands of
parallel steps touch one resource costs bitset work, not a loop over the
square of its steps, and gives one group per step and entry, not per pair.
Among a step's unordered partners, those earlier in topological order are
`unordered_earlier`; asking that of every step meets each unordered pair once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ..model import Phase, Ref, Step
from .bits import bit_positions, successor_lists

if TYPE_CHECKING:  # the package's Graphs is what races are found in
    from . import Graphs

# Partners kept per group to name; the rest are only counted.
SHOWN = 10


def _entry_masks(graphs: Graphs, refs: tuple[Ref, ...]) -> list[int]:
    """For each entry of `refs`: the steps (bitset of O positions) writing what it touches."""
    return [graphs.uses.conflicting_writers(ref.name) for ref in refs]


def _unordered_earlier(graphs: Graphs, node: int) -> int:
    """Steps earlier in topological order that O leaves unordered with `node`."""
    return ((1 << graphs.position[node]) - 1) & ~graphs.ancestors[node]


def _apart_masks(graphs: Graphs) -> dict[int, int]:
    """node -> steps it is never reported with here: alternatives a step decides
    between (they never run together) and steps it excludes or is excluded by
    (RL403 and RL404 speak about those)."""
    apart: dict[int, int] = defaultdict(int)
    for node in graphs.decision.in_branches():
        decided = graphs.decided_apart_mask(node)
        if decided:
            apart[node] = decided
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
        self.found: dict[tuple[int, int], tuple[list[int], list[int]]] = {}  # (step, entry) -> [count], kept

    def add_mask(self, node: int, entry: int, mask: int) -> None:
        if not mask:
            return
        count, kept = self.found.setdefault((node, entry), ([0], []))
        count[0] += mask.bit_count()
        while mask and len(kept) < SHOWN:
            low = mask & -mask
            kept.append(self.graphs.node_at[low.bit_length() - 1])
            mask ^= low

    def groups(self) -> Iterator[tuple[Step, Ref, int, list[Step]]]:
        """(step, entry, partner count, partners to name in file order)."""
        steps = self.graphs.steps
        for (node, entry), (count, kept) in self.found.items():
            yield steps[node], self.entries(steps[node])[entry], count[0], [steps[p] for p in sorted(kept)]


def write_partners(graphs: Graphs) -> Partners:
    """For each step and `writes` entry: the concurrent steps writing a
    conflicting name, each pair kept on the step later in O's topological
    order, so that all of a step's partners are one mask."""
    partners = Partners(graphs, lambda step: step.writes)
    apart = _apart_masks(graphs)
    for step in graphs.steps:
        if not step.writes:
            continue
        node = step.index
        masks = _entry_masks(graphs, step.writes)
        itself = 1 << graphs.position[node]
        if not any(mask & ~itself for mask in masks):
            continue  # the only writer of what it writes
        unordered = _unordered_earlier(graphs, node) & ~apart.get(node, 0)
        assigned = 0
        for entry, mask in enumerate(masks):
            found = mask & unordered & ~assigned
            assigned |= found
            partners.add_mask(node, entry, found)
    return partners


def _checks_every_writer(step: Step) -> bool:
    """A verify-phase step without `verifies` verifies every change writing what
    it reads (graphs.verified_changes), so each writer it races is RL303's."""
    return step.phase is Phase.VERIFY and not step.verifies


def read_partners(graphs: Graphs) -> Partners:
    """For each step and `reads` entry: the concurrent steps writing a
    conflicting name, as one mask per reader: the writers O leaves
    unordered with it are those neither among its ancestors nor among its
    descendants.  Descendants are built in one pass in reverse topological
    order and dropped as soon as every predecessor has used them, so only the
    frontier of that pass is held at once (not a bitset for every step).

    Left out: a verification and a change it verifies (RL303), a reader
    that also writes what the writer writes (RL401), alternatives (RL403, RL404)."""
    steps = graphs.steps
    position = graphs.position
    partners = Partners(graphs, lambda step: step.reads)
    apart = _apart_masks(graphs)

    def candidates_of(step: Step) -> tuple[list[int], int]:
        """Writers of each `reads` entry, and the writers it may race before
        its descendants are taken out."""
        node = step.index
        itself = 1 << position[node]
        writer_masks = _entry_masks(graphs, step.reads)
        anyone = 0
        for mask in writer_masks:
            anyone |= mask
        anyone &= ~itself & ~graphs.ancestors[node]
        if not anyone:
            return writer_masks, 0
        excluded = apart.get(node, 0)
        for mask in _entry_masks(graphs, step.writes):
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

    # Readers that may race writers later in topological order wait for
    # what comes after them (only their ids are kept: a bitset each would add up).
    late: set[int] = set()
    later_writers = 0  # such (reader, writer) pairs
    for step in steps:
        if not step.reads or _checks_every_writer(step):
            continue
        writer_masks, candidates = candidates_of(step)
        later = candidates >> position[step.index]
        if later:
            late.add(step.index)
            later_writers += later.bit_count()
        elif candidates:
            record(step.index, writer_masks, candidates)

    if late and later_writers <= len(steps):
        # Few pairs: whether each later writer comes after its reader is a
        # bit test, cheaper than a pass over the whole order.
        for node in sorted(late):
            writer_masks, candidates = candidates_of(steps[node])
            after = 0
            for bit in bit_positions(candidates >> position[node] << position[node]):
                if graphs.before(node, graphs.node_at[bit]):
                    after |= 1 << bit
            record(node, writer_masks, candidates & ~after)
    elif late:
        # Over O with a node per join (`Graphs.joined`): a join of m sources
        # and n targets is m + n successors, not m x n.
        joined_preds, joined_order = graphs.joined()
        count = len(steps)
        succs = successor_lists(joined_preds)
        remaining = [len(preds) for preds in joined_preds]  # predecessors not yet walked past
        descendants: dict[int, int] = {}
        for node in reversed(joined_order):
            below = 0
            for succ in succs[node]:
                below |= descendants.get(succ, 0) | (1 << position[succ] if succ < count else 0)
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
