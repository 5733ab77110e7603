"""The required order D: what each step really needs before it (facts,
resource conflicts, verifications, approvals, decisions, reasoned waits and
behaviours), built over O's numbering."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ..limits import AnalysisLimits, TooLarge
from ..model import Phase, Step
from ..requirements import add_behaviour_preds
from .bits import PackedBitsets, PackedMasks, Reachability, bit_positions

if TYPE_CHECKING:  # the package's Graphs builds D through this module
    from . import Graphs


class _EdgeCounter:
    """Stops building D once it is over the edge limit: told each step whose
    predecessor set grew (by at most one step's worth of nodes), it counts
    what the set gained since it was last told."""

    def __init__(self, limits: AnalysisLimits, preds: list[set[int]]) -> None:
        self._limit = limits.max_edges
        self._preds = preds
        self._counted = 0
        self._sizes = [0] * len(preds)  # node -> the size of its set counted

    def node(self, node: int) -> None:
        """Count what `node`'s set gained."""
        size = len(self._preds[node])
        self._counted += size - self._sizes[node]
        self._sizes[node] = size
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
    """Each step's D predecessors, in node order.  Each kind of edge is a
    pass over the steps that skips at once the steps without what it
    orders (most steps have no inputs, no resources, no verification)."""
    limits = graphs.limits
    steps, index = graphs.steps, graphs.index
    position, ancestors = graphs.position, graphs.ancestors
    preds: list[set[int]] = [set() for _ in steps]
    count_edges = _EdgeCounter(limits, preds)
    _fact_preds(graphs, preds, count_edges)
    _resource_preds(graphs, preds, count_edges)

    implicit = 0  # pairs of a check without `verifies` and a change it checks
    gained: set[int] = set()  # steps an earlier step's approval or decision added an edge to
    for step in steps:
        node = step.index
        # Told when its set may have grown since the passes above told it:
        # by its verification, or by an approver or decider before it.
        if step.verifies:
            preds[node].update(verification_preds(graphs, step))
            count_edges.node(node)
        elif step.phase is Phase.VERIFY:
            implicit += graphs.implicit_verified(step).bit_count()
            if implicit > limits.max_implicit_verifications:
                raise TooLarge(
                    f"its checks without `verifies` verify over {limits.max_implicit_verifications:,}"
                    " changes in all (a check verifies every change writing what it reads);"
                    " name what each verifies with `verifies`",
                    step.span,
                )
            preds[node].update(verification_preds(graphs, step))
            count_edges.node(node)
        elif node in gained:
            count_edges.node(node)
        if step.approves or step.decides:
            for refs in (step.approves, step.decides):
                for ref in refs:
                    if ref.name in index and index[ref.name] != node:
                        preds[index[ref.name]].add(node)
                        gained.add(index[ref.name])
        for need in step.needs:
            if need.reason and need.step in index and index[need.step] != node:
                preds[node].add(index[need.step])

    add_behaviour_preds(graphs, preds, count_edges.node)
    # Closing waits for everything else; close steps among themselves keep O's order.
    closing = [step.index for step in steps if step.phase is Phase.CLOSE]
    if closing:
        others = set(range(len(steps))).difference(closing)
        for close in closing:
            preds[close].update(others)
            preds[close].update(
                c for c in closing if c != close and ancestors.has(close, position[c])
            )
            count_edges.node(close)
    for node, node_preds in enumerate(preds):
        node_preds.discard(node)
    return [sorted(node_preds) for node_preds in preds]


def _fact_preds(graphs: Graphs, preds: list[set[int]], count_edges: _EdgeCounter) -> None:
    """A consumer needs the latest producers O puts before it, or, when O
    puts none before it, every producer: the one producer of a fact, either way."""
    producers = graphs.producers
    if not producers:
        return
    position, ancestors = graphs.position, graphs.ancestors
    # Facts of several producers, as masks made when first consumed, packed:
    # a mask as wide as its position for each of 50,000 facts was 160 MB.
    producer_masks: PackedMasks[str] = PackedMasks()
    for step in graphs.steps:
        if not step.inputs:
            continue
        node = step.index
        found = preds[node]
        for ref in step.inputs:
            nodes = producers.get(ref.name)
            if nodes is None:
                continue
            if len(nodes) == 1:
                if nodes[0] != node:
                    found.add(nodes[0])
                continue
            mask = producer_masks.cached(ref.name)
            if mask is None:
                mask = 0
                for producer in nodes:
                    mask |= 1 << position[producer]
                producer_masks.put(ref.name, mask)
            mask &= ~(1 << position[node])
            if not mask:
                continue
            earlier = mask & ancestors[node]
            found.update(graphs.latest(earlier) if earlier else graphs.nodes_in(mask))
        count_edges.node(node)


def _resource_preds(graphs: Graphs, preds: list[set[int]], count_edges: _EdgeCounter) -> None:
    """Conflicting uses of resources, in the order O gives them."""
    uses, limits = graphs.uses, graphs.limits
    overlapping_of = uses.index.overlapping
    graph_ancestors, latest, nodes_in = graphs.ancestors, graphs.latest, graphs.nodes_in
    resource_work = 0
    for step in graphs.steps:
        if not (step.writes or step.reads):
            continue
        node = step.index
        ancestors = graph_ancestors[node]
        if not ancestors:
            continue  # nothing before it to order
        found = preds[node]
        for refs, writes in ((step.writes, True), (step.reads, False)):
            for ref in refs:
                name = ref.name
                overlapping = overlapping_of(name)
                # Nothing to order when no use of an overlapping name comes before
                # it (tested at once for names that overlap many).
                if len(overlapping) > 16 and not ancestors & (
                    uses.overlap_union(name, True) | (uses.overlap_union(name, False) if writes else 0)
                ):
                    continue
                resource_work += len(overlapping)
                if resource_work > limits.max_resource_work:
                    raise TooLarge(
                        f"ordering its uses of resources visits over {limits.max_resource_work:,}"
                        " overlapping names (globs matching many names?)"
                    )
                for other in uses.conflicting(name):
                    earlier_writers = uses.writers_of(other) & ancestors
                    latest_writers = latest(earlier_writers) if earlier_writers else []
                    found.update(latest_writers)
                    if writes:
                        # Readers since the latest writes: earlier ones reach
                        # this step through those writes already.
                        readers = uses.readers_of(other) & ancestors
                        if readers:
                            for writer in latest_writers:
                                readers &= ~graph_ancestors[writer]
                            found.update(nodes_in(readers))
        count_edges.node(node)


def independent_pairs(required: Reachability) -> int:
    """How many pairs of steps D leaves unordered (neither requires the other)."""
    count = len(required.position)
    sizes = Counter(required.position)  # component position -> steps in it
    if len(sizes) == count:  # no cycle: a step per component
        ancestors = required.ancestors
        if isinstance(ancestors, PackedBitsets):
            ordered = sum(ancestors.bit_count(node) for node in range(count))
        else:
            ordered = sum(mask.bit_count() for mask in ancestors)
    else:
        # Each step's ancestor components weighed by their sizes: a bit
        # count, plus the extra steps of the few components on a cycle.
        cycles = 0
        for position, size in sizes.items():
            if size > 1:
                cycles |= 1 << position
        ordered = 0
        for node in range(count):
            ancestors_of = required.ancestors[node]
            ordered += ancestors_of.bit_count() + sizes[required.position[node]] - 1
            for position in bit_positions(ancestors_of & cycles):
                ordered += sizes[position] - 1
    mutual = sum(size * (size - 1) // 2 for size in sizes.values())
    return count * (count - 1) // 2 - (ordered - mutual)
