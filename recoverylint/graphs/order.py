"""The declared order O: its nodes (steps, then a node per join), its
topological order, where it has a cycle, and why each pair waits."""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass

from ..limits import AnalysisLimits, TooLarge
from ..model import DeclaredEdge, DeclaredJoin, EdgeKind, Runbook
from .bits import (
    Bitsets,
    PlainBitsets,
    bit_positions,
    new_bitsets,
    positions_of,
    successor_lists,
    topological_order,
)


class DeclaredWaits:
    """(source id, target id) -> the declarations that make the target wait
    for the source, in the order written (empty when none): the edges, and
    the pairs of the joins, each made when asked (a join's pairs are never
    all made at once).  The edges are kept as their numbers, grouped by the
    step they lead into (50,000 steps: 1 MB, where a dict of pairs was 14)."""

    def __init__(self, runbook: Runbook, index: Mapping[str, int]) -> None:
        """`index` is each step's node by its id."""
        self._edges = runbook.declared_edges
        self._steps = runbook.steps
        self._index = index
        targets = [index.get(edge.target, -1) for edge in self._edges]
        # Edge numbers sorted by the step they lead into, in the order written:
        # those into node n are self._into[self._starts[n]:self._starts[n + 1]].
        starts = [0] * (len(self._steps) + 1)
        for target in targets:
            if target >= 0:
                starts[target + 1] += 1
        for node in range(len(self._steps)):
            starts[node + 1] += starts[node]
        into = array("i", bytes(starts[-1] * array("i").itemsize))
        free = starts[:-1]
        self._elsewhere: dict[str, list[DeclaredEdge]] = defaultdict(list)  # into an id no step has
        for number, target in enumerate(targets):
            if target >= 0:
                into[free[target]] = number
                free[target] += 1
            else:
                self._elsewhere[self._edges[number].target].append(self._edges[number])
        self._into, self._starts = into, array("i", starts)
        self._joins: dict[str, list[tuple[frozenset[str], DeclaredJoin]]] = defaultdict(list)
        for join in runbook.declared_joins:
            sources = frozenset(join.sources)
            for joined in join.targets:
                self._joins[joined].append((sources, join))

    def _edges_into(self, target: str) -> list[DeclaredEdge]:
        """The edges into `target`, in the order written."""
        node = self._index.get(target)
        if node is None:
            return self._elsewhere.get(target, [])
        edges = self._edges
        return [edges[number] for number in self._into[self._starts[node] : self._starts[node + 1]]]

    def sources_into(self, target: str, counted: Callable[[EdgeKind, str | None], bool]) -> set[str]:
        """The ids `target` waits for by a declaration of a kind (and stage)
        `counted` accepts: its edges, and the sources of its joins, a join
        at a time."""
        found = {edge.source for edge in self._edges_into(target) if counted(edge.kind, edge.stage)}
        for sources, join in self._joins.get(target, ()):
            if counted(join.kind, join.stage):
                found |= sources
        return found

    def __getitem__(self, pair: tuple[str, str]) -> list[DeclaredEdge]:
        source, target = pair
        found = [edge for edge in self._edges_into(target) if edge.source == source]
        joins = self._joins.get(target)
        if joins:
            span = self._steps[self._index[target]].span
            found += [
                DeclaredEdge(source, target, join.kind, span, stage=join.stage)
                for sources, join in joins
                if source in sources
            ]
        return found


class DeclaredOrder:
    """O with its topological numbering, which every bitset of the graphs
    uses: bit `position[node]` stands for `node`, and `ancestors[node]` are
    the steps O puts before it.  Built for a runbook whose step ids are
    unique and whose O is acyclic."""

    def __init__(self, runbook: Runbook, preds: list[list[int]], order: list[int]) -> None:
        """`preds` is `order_predecessors(runbook)` (steps, then joins) and
        `order` its `declared_order` (steps only)."""
        self.runbook = runbook
        self.steps = runbook.steps
        self.index = {step.id: step.index for step in runbook.steps}
        self.joined_preds = preds  # O with a node per join after the steps
        # Each step's O predecessors: the targets of a join share one list of
        # its sources (memory in the steps, not in the pairs).
        self.order_preds = _step_predecessors(preds, len(self.steps))
        self._shared_preds = {id(preds[join]) for join in range(len(self.steps), len(preds))}
        self._reduced_shared: dict[int, list[int]] = {}
        self.topological = order  # O's topological order, stable in file order
        self.node_at = order  # topological position -> node
        # O ancestors, bits numbered by O topological position, packed when
        # O is large: a step after a gate has every step before it as
        # ancestors (50,000 steps: 6 MB packed, 149 MB as ints)
        self.position, self.ancestors = _joined_ancestor_bitsets(preds, order)
        self._plain = isinstance(self.ancestors, PlainBitsets)
        self._joined_order: list[int] | None = None
        self._declared: DeclaredWaits | None = None

    def before(self, a: int, b: int) -> bool:
        """a comes before b in O (b waits for a, directly or not)."""
        if self._plain:  # asked hundreds of thousands of times: a bit test, no call
            return bool(self.ancestors[b] >> self.position[a] & 1)
        return self.ancestors.has(b, self.position[a])

    def mask(self, nodes: Iterable[int]) -> int:
        mask = 0
        for node in nodes:
            mask |= 1 << self.position[node]
        return mask

    def nodes_in(self, mask: int) -> list[int]:
        return [self.node_at[bit] for bit in bit_positions(mask)]

    def latest(self, mask: int) -> list[int]:
        """The steps of `mask` that come before no other step of `mask` in O (its maximal ones)."""
        found = []
        while mask:
            top = mask.bit_length() - 1
            node = self.node_at[top]
            found.append(node)
            mask &= ~((1 << top) | self.ancestors[node])
        return found

    def reduction_preds(self, node: int) -> list[int]:
        """O predecessors of `node` that no other predecessor comes after."""
        return list(self._reduction(node))

    def _reduction(self, node: int) -> list[int]:
        """`reduction_preds`, the one list a join's targets share (not to be changed)."""
        preds = self.order_preds[node]
        if len(preds) < 2:
            return preds
        shared = id(preds) in self._shared_preds  # the sources of a join: the same for its targets
        if shared and id(preds) in self._reduced_shared:
            return self._reduced_shared[id(preds)]
        implied = 0
        for pred in preds:
            implied |= self.ancestors[pred]
        reduced = [pred for pred in preds if not implied >> self.position[pred] & 1]
        if shared:
            self._reduced_shared[id(preds)] = reduced
        return reduced

    def joined(self) -> tuple[list[list[int]], list[int]]:
        """O with a node per join after the steps (it waits for the join's
        sources, the join's targets wait for it), and a topological order of
        every node, each join just before the first step that waits for it:
        passes over O that go through a join once instead of over each pair
        it stands for (0 minutes, a join changes no path's length)."""
        if self._joined_order is None:
            count = len(self.steps)
            placed = [False] * len(self.joined_preds)
            order: list[int] = []
            for node in self.topological:
                for pred in self.joined_preds[node]:
                    if pred >= count and not placed[pred]:
                        placed[pred] = True
                        order.append(pred)
                order.append(node)
            # A join no step waits for (its targets left out) goes last.
            order += [join for join in range(count, len(self.joined_preds)) if not placed[join]]
            self._joined_order = order
        return self.joined_preds, self._joined_order

    def declared_between(self) -> DeclaredWaits:
        """Why the runbook makes each pair wait: (source id, target id) -> declarations."""
        if self._declared is None:
            self._declared = DeclaredWaits(self.runbook, self.index)
        return self._declared


@dataclass(frozen=True)
class OrderProblem:
    """O cannot be built as a DAG: the cycle to report."""

    cycle: list[str]
    edges: list[DeclaredEdge]


def order_predecessors(runbook: Runbook, leaving_out: Container[str] = ()) -> list[list[int]]:
    """O's predecessors of each node: the steps, then a node for each join
    (a step is never one), which its targets wait for and which waits for
    its sources; without the waits naming an id of `leaving_out`."""
    index = {step.id: step.index for step in runbook.steps}
    count = len(runbook.steps)
    preds: list[set[int]] = [set() for _ in runbook.steps]
    for edge in runbook.declared_edges:
        before, after = index.get(edge.source), index.get(edge.target)
        if before is not None and after is not None and not (
            leaving_out and (edge.source in leaving_out or edge.target in leaving_out)
        ):
            preds[after].add(before)
    joins: list[list[int]] = []
    for join in runbook.declared_joins:
        node = count + len(joins)
        joins.append(sorted({index[s] for s in join.sources if s in index and s not in leaving_out}))
        for target in join.targets:
            if target in index and target not in leaving_out:
                preds[index[target]].add(node)
    return [sorted(node_preds) for node_preds in preds] + joins


def declared_order(preds: list[list[int]], count: int) -> list[int] | None:
    """The steps (the first `count` nodes of `preds`, joins after them) in a
    topological order, by Kahn's algorithm stable in file order, passing
    through a join as soon as it is released: the order the pairs it stands
    for would give.  None when there is a cycle."""
    if len(preds) == count:  # no joins: Kahn's algorithm as for any graph
        return topological_order(preds)
    successors = successor_lists(preds)
    indegree = [len(node_preds) for node_preds in preds]

    def release(node: int, released: list[int]) -> None:
        for succ in successors[node]:
            indegree[succ] -= 1
            if not indegree[succ]:
                if succ < count:
                    released.append(succ)
                else:  # a join: its targets are released with it
                    release(succ, released)

    opened: list[int] = []
    for join in range(count, len(preds)):
        if not indegree[join]:  # a join with no sources left
            release(join, opened)
    ready = sorted({node for node in range(count) if not indegree[node]}, reverse=True)
    order: list[int] = []
    while ready:
        node = ready.pop()
        order.append(node)
        released: list[int] = []
        release(node, released)
        released.sort()
        ready.extend(reversed(released))
    return order if len(order) == count else None


def _step_predecessors(preds: list[list[int]], count: int) -> list[list[int]]:
    """Each step's predecessors among the steps: a join stands for its
    sources (the same list for every step that waits for it alone)."""
    found = []
    for node in range(count):
        node_preds = preds[node]
        joins = [pred for pred in node_preds if pred >= count]
        if not joins:
            found.append(node_preds)
        elif len(node_preds) == 1:
            found.append(preds[joins[0]])
        else:
            merged = {pred for pred in node_preds if pred < count}
            for join in joins:
                merged.update(preds[join])
            found.append(sorted(merged))
    return found


def _joined_ancestor_bitsets(preds: list[list[int]], order: list[int]) -> tuple[list[int], Bitsets]:
    """`ancestor_bitsets` of the steps of O with joins, packed when O is large:
    a join's ancestors are made once, when a step waiting for it is reached."""
    count = len(order)
    position = positions_of(order)
    ancestors = new_bitsets(count)
    through: dict[int, int] = {}  # join -> its sources and their ancestors
    for node in order:
        mask = 0
        for pred in preds[node]:
            if pred < count:
                mask |= ancestors[pred] | (1 << position[pred])
                continue
            joined = through.get(pred)
            if joined is None:
                joined = 0
                for source in preds[pred]:
                    joined |= ancestors[source] | (1 << position[source])
                through[pred] = joined
            mask |= joined
        ancestors[node] = mask
    return position, ancestors


def find_cycle(runbook: Runbook, preds: list[list[int]]) -> OrderProblem:
    """One cycle of O, in order, with the declared edges that make it."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_edges_from((pred, node) for node, node_preds in enumerate(preds) for pred in node_preds)
    found = nx.find_cycle(graph)
    # A join is no step: into it and out of it is one wait between two steps.
    steps, count = runbook.steps, len(runbook.steps)
    start = next(i for i, (source, _) in enumerate(found) if source < count)
    found = found[start:] + found[:start]
    waits: list[tuple[int, int, int | None]] = []  # source, target, the join between them
    waits_from = -1  # the step before the join being passed
    for source, target in found:
        if source >= count:
            waits.append((waits_from, target, source))
        elif target < count:
            waits.append((source, target, None))
        else:
            waits_from = source
    # Start from the step written first, so the message does not depend on the search.
    first = min(range(len(waits)), key=lambda i: waits[i][0])
    waits = waits[first:] + waits[:first]
    ids = [steps[source].id for source, _, _ in waits]
    by_pair = {(edge.source, edge.target): edge for edge in runbook.declared_edges}
    joins = runbook.declared_joins
    edges = []
    for source, target, join in waits:
        pair = (steps[source].id, steps[target].id)
        if join is not None:
            gate = joins[join - count]
            edges.append(DeclaredEdge(*pair, gate.kind, steps[target].span, stage=gate.stage))
        elif pair in by_pair:
            edges.append(by_pair[pair])
    return OrderProblem([*ids, ids[0]], edges)


def cycle_among_unique_ids(runbook: Runbook) -> OrderProblem | None:
    """A cycle of O among the steps whose ids are not repeated, for a runbook
    whose ids repeat: waits naming a repeated id are ambiguous and left out,
    but a deadlock elsewhere is one all the same."""
    counts: dict[str, int] = defaultdict(int)
    for step in runbook.steps:
        counts[step.id] += 1
    preds = order_predecessors(runbook, {step_id for step_id, count in counts.items() if count > 1})
    if declared_order(preds, len(runbook.steps)) is not None:
        return None
    return find_cycle(runbook, preds)


def check_declared_pairs(runbook: Runbook, limits: AnalysisLimits = AnalysisLimits()) -> None:
    """Raise TooLarge, at the widest join, when the declared order links more
    pairs of steps than the rules and the plan can look at one by one
    (counted from the joins' sizes, before anything is made of them)."""
    pairs = len(runbook.declared_edges)
    widest: DeclaredJoin | None = None
    for join in runbook.declared_joins:
        pairs += len(join.sources) * len(join.targets)
        if widest is None or len(join.sources) * len(join.targets) > len(widest.sources) * len(widest.targets):
            widest = join
    if pairs <= limits.max_declared_pairs:
        return
    message = f"the declared order links {pairs:,} pairs of steps, over the limit of {limits.max_declared_pairs:,}"
    span = None
    if widest is not None:
        where = f"the gate of stage `{widest.stage}`" if widest.stage else f"the boundary before `{widest.targets[0]}`"
        message += f" ({where} makes each of {len(widest.targets):,} steps wait for {len(widest.sources):,})"
        span = next((step.span for step in runbook.steps if step.id == widest.targets[0]), None)
    raise TooLarge(message, span)
