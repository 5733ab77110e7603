"""The required order D: what each step really needs before it (facts,
resource conflicts, verifications, approvals, decisions, reasoned waits and
behaviours), built over O's numbering."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ..limits import AnalysisLimits, TooLarge
from ..model import Phase, Step
from ..requirements import add_behaviour_preds
from .bits import PackedBitsets, PackedMasks, Reachability, bit_positions

if TYPE_CHECKING:  # the package's Graphs builds D through this module
    from . import Graphs


class _EdgeCounter:
    """Stops building D once it is over the edge limit: told each
    predecessor set that grew (by at most one step's worth of nodes), it
    counts what the set gained since it was last told."""

    def __init__(self, limits: AnalysisLimits) -> None:
        self._limit = limits.max_edges
        self._counted = 0
        self._sizes: dict[int, int] = {}  # id of a predecessor set -> its size counted

    def __call__(self, added: set[int]) -> None:
        counted = self._sizes.get(id(added), 0)
        self._sizes[id(added)] = len(added)
        self._counted += len(added) - counted
        if self._counted > self._limit:
            raise TooLarge(
                f"the order the work requires has over {self._limit:,} edges"
                " (many steps racing for one fact or resource?)"
            )


def verification_preds(graphs: Graphs, step: Step) -> list[int]:
    """D predecessors of a verification.  An implicitly verified change that
    O puts before it needs no edge of its own: the resource conflict
    between them already orders them in D, unless both uses are shared."""
    node = step.index
    if step.verifies:
        return [graphs.index[r.name] for r in step.verifies if r.name in graphs.index]
    if step.phase is not Phase.VERIFY:
        return []
    writers, shared = graphs.uses.implicit_writers(step.reads)
    writers &= ~(1 << graphs.position[node])
    ancestors = graphs.ancestors[node]
    return graphs.nodes_in(writers & ~ancestors | shared & ancestors)


def required_predecessors(graphs: Graphs) -> list[list[int]]:
    """Each step's D predecessors, in node order."""
    limits = graphs.limits
    count_edges = _EdgeCounter(limits)
    steps, index, uses = graphs.steps, graphs.index, graphs.uses
    preds: list[set[int]] = [set() for _ in steps]

    # Facts: a consumer needs the latest producers O puts before it, or,
    # when O puts none before it, every producer.
    # Packed: most facts have one producer, and a mask as wide as its
    # position for each of 50,000 facts was 160 MB.
    producer_masks: PackedMasks[str] = PackedMasks()
    for fact, nodes in graphs.producers.items():
        producer_masks.add_positions(fact, sorted(graphs.position[node] for node in nodes))
    for step in steps:
        node = step.index
        for ref in step.inputs:
            mask = producer_masks.get(ref.name) & ~(1 << graphs.position[node])
            if not mask:
                continue
            earlier = mask & graphs.ancestors[node]
            preds[node].update(graphs.latest(earlier) if earlier else graphs.nodes_in(mask))
        count_edges(preds[node])

    # Resources: conflicting uses in the order O gives them.
    resource_work = 0
    for step in steps:
        node = step.index
        ancestors = graphs.ancestors[node]
        uses_of_step = [(ref.name, True) for ref in step.writes] + [(ref.name, False) for ref in step.reads]
        for name, writes in uses_of_step:
            overlapping = uses.index.overlapping(name)
            # Nothing to order when no use of an overlapping name comes before
            # it (tested at once for names that overlap many).
            if not ancestors or (len(overlapping) > 16 and not ancestors & (
                uses.overlap_union(name, True) | (uses.overlap_union(name, False) if writes else 0)
            )):
                continue
            resource_work += len(overlapping)
            if resource_work > limits.max_resource_work:
                raise TooLarge(
                    f"ordering its uses of resources visits over {limits.max_resource_work:,}"
                    " overlapping names (globs matching many names?)"
                )
            for other in uses.conflicting(name):
                latest_writers = graphs.latest(uses.writers_of(other) & ancestors)
                preds[node].update(latest_writers)
                if writes:
                    # Readers since the latest writes: earlier ones reach
                    # this step through those writes already.
                    covered = 0
                    for writer in latest_writers:
                        covered |= graphs.ancestors[writer]
                    preds[node].update(graphs.nodes_in(uses.readers_of(other) & ancestors & ~covered))
        count_edges(preds[node])

    implicit = 0  # pairs of a check without `verifies` and a change it checks
    for step in steps:
        node = step.index
        if not step.verifies and step.phase is Phase.VERIFY:
            implicit += graphs.implicit_verified(step).bit_count()
            if implicit > limits.max_implicit_verifications:
                raise TooLarge(
                    f"its checks without `verifies` verify over {limits.max_implicit_verifications:,}"
                    " changes in all (a check verifies every change writing what it reads);"
                    " name what each verifies with `verifies`",
                    step.span,
                )
        preds[node].update(verification_preds(graphs, step))
        count_edges(preds[node])
        for ref in step.approves + step.decides:
            if ref.name in index and index[ref.name] != node:
                preds[index[ref.name]].add(node)
        for need in step.needs:
            if need.reason and need.step in index and index[need.step] != node:
                preds[node].add(index[need.step])

    add_behaviour_preds(graphs, preds, count_edges)
    # Closing waits for everything else; close steps among themselves keep O's order.
    closing = [step.index for step in steps if step.phase is Phase.CLOSE]
    if closing:
        others = [step.index for step in steps if step.phase is not Phase.CLOSE]
        for close in closing:
            preds[close].update(others)
            preds[close].update(c for c in closing if c != close and graphs.before(c, close))
            count_edges(preds[close])
    for node in range(len(steps)):
        preds[node].discard(node)
    return [sorted(node_preds) for node_preds in preds]


def independent_pairs(required: Reachability) -> int:
    """How many pairs of steps D leaves unordered (neither requires the other)."""
    count = len(required.position)
    sizes: dict[int, int] = defaultdict(int)  # component position -> steps in it
    for position in required.position:
        sizes[position] += 1
    if all(size == 1 for size in sizes.values()):
        ancestors = required.ancestors
        if isinstance(ancestors, PackedBitsets):
            ordered = sum(ancestors.bit_count(node) for node in range(count))
        else:
            ordered = sum(mask.bit_count() for mask in ancestors)
    else:
        ordered = sum(
            sum(sizes[p] for p in bit_positions(required.ancestors[node]))
            + (sizes[required.position[node]] - 1)
            for node in range(count)
        )
    mutual = sum(size * (size - 1) // 2 for size in sizes.values())
    return count * (count - 1) // 2 - (ordered - mutual)
