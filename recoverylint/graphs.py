"""The declared order graph O and the required order graph D of a runbook.

Steps are numbered in file order.  Reachability is kept as Python-int bitsets
of ancestors, with bits numbered by topological position: one pass over the
graph, then any "does A come before B" question is a bit test, and questions
about many steps at once (who writes this resource before me?) are a mask
operation instead of a loop of path searches.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Container, Iterable, Iterator, Optional

from .limits import AnalysisLimits, TooLarge
from .model import DeclaredEdge, DeclaredJoin, EdgeKind, Phase, Ref, Runbook, Step
from .requirements import add_behaviour_preds, resource_index


@dataclass(frozen=True)
class Reachability:
    """Ancestor bitsets of a graph that may have cycles (D can)."""

    position: list[int]  # node -> position of its component in topological order
    ancestors: list[int]  # node -> bitset of positions of components that reach it
    cyclic: list[bool]  # node -> lies on a cycle (reaches itself)

    def reaches(self, a: int, b: int) -> bool:
        if self.position[a] == self.position[b]:
            return a != b or self.cyclic[a]
        return bool(self.ancestors[b] >> self.position[a] & 1)


def successor_lists(preds: list[list[int]]) -> list[list[int]]:
    """Each node's successors, in node order, from each node's predecessors."""
    succs: list[list[int]] = [[] for _ in preds]
    for node, node_preds in enumerate(preds):
        for pred in node_preds:
            succs[pred].append(node)
    return succs


def topological_order(preds: list[list[int]]) -> Optional[list[int]]:
    """Kahn's algorithm, stable in file order; None when there is a cycle."""
    count = len(preds)
    succs = successor_lists(preds)
    indegree = [len(node_preds) for node_preds in preds]
    ready = [node for node in range(count) if not indegree[node]]
    ready.reverse()
    order: list[int] = []
    while ready:
        node = ready.pop()
        order.append(node)
        released = []
        for succ in succs[node]:
            indegree[succ] -= 1
            if not indegree[succ]:
                released.append(succ)
        ready.extend(reversed(released))
    return order if len(order) == count else None


def ancestor_bitsets(preds: list[list[int]], order: list[int]) -> tuple[list[int], list[int]]:
    """Topological positions, and each node's ancestors as a bitset of positions."""
    position = [0] * len(preds)
    for index, node in enumerate(order):
        position[node] = index
    ancestors = [0] * len(preds)
    for node in order:
        mask = 0
        for pred in preds[node]:
            mask |= ancestors[pred] | (1 << position[pred])
        ancestors[node] = mask
    return position, ancestors


def reachability(preds: list[list[int]]) -> Reachability:
    """Ancestor bitsets; a graph with cycles is condensed first."""
    order = topological_order(preds)
    if order is None:
        return _condensed_reachability(preds)
    position, ancestors = ancestor_bitsets(preds, order)
    return Reachability(position, ancestors, [False] * len(preds))


def _condensed_reachability(preds: list[list[int]]) -> Reachability:
    """Reachability of a graph with cycles, through its strongly connected components."""
    component, count = strong_components(preds)
    component_preds: list[set[int]] = [set() for _ in range(count)]
    sizes = [0] * count
    for node, node_preds in enumerate(preds):
        sizes[component[node]] += 1
        for pred in node_preds:
            if component[pred] != component[node]:
                component_preds[component[node]].add(component[pred])
    inner = reachability([sorted(c) for c in component_preds])
    cyclic = [sizes[component[node]] > 1 or node in preds[node] for node in range(len(preds))]
    return Reachability(
        [inner.position[component[node]] for node in range(len(preds))],
        [inner.ancestors[component[node]] for node in range(len(preds))],
        cyclic,
    )


def strong_components(adjacency: list[list[int]]) -> tuple[list[int], int]:
    """Tarjan's algorithm without recursion: each node's component, and how
    many there are.  (Components are the same whichever way edges point.)"""
    count = len(adjacency)
    index = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    component = [-1] * count
    stack: list[int] = []
    next_index = components = 0
    for root in range(count):
        if index[root] != -1:
            continue
        index[root] = low[root] = next_index
        next_index += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            node, offset = work[-1]
            neighbours = adjacency[node]
            if offset < len(neighbours):
                work[-1] = (node, offset + 1)
                neighbour = neighbours[offset]
                if index[neighbour] == -1:
                    index[neighbour] = low[neighbour] = next_index
                    next_index += 1
                    stack.append(neighbour)
                    on_stack[neighbour] = True
                    work.append((neighbour, 0))
                elif on_stack[neighbour]:
                    low[node] = min(low[node], index[neighbour])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component[member] = components
                    if member == node:
                        break
                components += 1
    return component, components


def overlaps(a: str, b: str) -> bool:
    """Resource names overlap when one is a prefix path of the other, glob segments matching."""
    for left, right in zip(a.split("/"), b.split("/")):
        if not _segments_match(left, right):
            return False
    return True


def _segments_match(left: str, right: str) -> bool:
    return left == right or fnmatch.fnmatchcase(left, right) or fnmatch.fnmatchcase(right, left)


def owner(name: str, declared: Container[str]) -> Optional[str]:
    """The closest declared resource `name` equals or lies under, if any:
    `k8s/orders/*` and `k8s/orders/pod-1` lie under `k8s/orders`.  (Each
    prefix is one slice: names are bounded by `check_resource_names`.)"""
    end = len(name)
    while end > 0:
        prefix = name[:end]
        if prefix in declared:
            return prefix
        end = name.rfind("/", 0, end)
    return None


def check_resource_names(runbook: Runbook, limits: AnalysisLimits = AnalysisLimits()) -> None:
    """Raise TooLarge for a resource name over the limits of length or segments
    (every question about a name costs in proportion to them)."""
    for step in runbook.steps:
        for ref in step.reads + step.writes + step.observes:
            name = ref.name
            if len(name) > limits.max_resource_name_length:
                raise TooLarge(
                    f"a resource name of {len(name):,} characters,"
                    f" over the limit of {limits.max_resource_name_length:,}",
                    ref.span,
                )
            segments = name.count("/") + 1
            if segments > limits.max_resource_segments:
                raise TooLarge(
                    f"a resource name of {segments:,} segments,"
                    f" over the limit of {limits.max_resource_segments:,}",
                    ref.span,
                )


class _Segment:
    """A node of the trie of resource names: one segment under its parent's."""

    __slots__ = ("children", "glob_children", "name")

    def __init__(self) -> None:
        self.children: dict[str, _Segment] = {}
        self.glob_children: list[tuple[str, _Segment]] = []  # those whose segment is a glob
        self.name: Optional[str] = None  # the name that ends here


class ResourceIndex:
    """Which distinct resource names overlap which, found without comparing
    all pairs: the names are a trie of their segments, and a name's
    overlapping names are found by walking it down the trie, following at
    each level the segment itself and the glob segments that match it (every
    segment, for a glob segment): the names met on the way lie above it, those
    under where it ends lie under it.  The walks' work and the names they
    find are counted against `max_resource_work`."""

    def __init__(self, names: Iterable[str], limits: AnalysisLimits = AnalysisLimits()) -> None:
        self.names = sorted(set(names))
        self._budget = limits.max_resource_work
        self._root = _Segment()
        for name in self.names:
            node = self._root
            for segment in name.split("/"):
                child = node.children.get(segment)
                if child is None:
                    child = node.children[segment] = _Segment()
                    if _is_glob(segment):
                        node.glob_children.append((segment, child))
                node = child
            node.name = name
        self._overlapping: dict[str, tuple[str, ...]] = {}

    def overlapping(self, name: str) -> tuple[str, ...]:
        """The names that overlap `name` (itself included), sorted; () for a name not indexed."""
        found = self._overlapping.get(name)
        if found is None:
            found = self._overlapping[name] = self._walk(name) if self._indexed(name) else ()
        return found

    def _indexed(self, name: str) -> bool:
        node: Optional[_Segment] = self._root
        for segment in name.split("/"):
            node = node.children.get(segment)
            if node is None:
                return False
        return node.name == name

    def _spend(self, work: int) -> None:
        self._budget -= work
        if self._budget < 0:
            raise TooLarge(
                "comparing its resource names (globs matching many names?) is over the"
                " limit of the work allowed for it"
            )

    def _walk(self, name: str) -> tuple[str, ...]:
        parts = name.split("/")
        found: list[str] = []
        pending = [(self._root, 0)]
        while pending:
            node, depth = pending.pop()
            if depth == len(parts):
                self._under(node, found)
                continue
            if node.name is not None:  # a name above it
                found.append(node.name)
            segment = parts[depth]
            if _is_glob(segment):
                self._spend(len(node.children))
                matching = [
                    child for other, child in node.children.items() if _segments_match(segment, other)
                ]
            else:
                self._spend(1 + len(node.glob_children))
                exact = node.children.get(segment)
                matching = [exact] if exact is not None else []
                matching += [
                    child for other, child in node.glob_children
                    if fnmatch.fnmatchcase(segment, other) and child is not exact
                ]
            pending.extend((child, depth + 1) for child in matching)
        return tuple(sorted(found))

    def _under(self, top: _Segment, found: list[str]) -> None:
        """Every name ending at `top` or under it, into `found`."""
        pending = [top]
        while pending:
            node = pending.pop()
            self._spend(1)
            if node.name is not None:
                found.append(node.name)
            pending.extend(node.children.values())


def _is_glob(name: str) -> bool:
    return any(char in name for char in "*?[")


def _union(masks: Iterable[int]) -> int:
    found = 0
    for mask in masks:
        found |= mask
    return found


def _bit_positions(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _widest_antichain(elements: list[int], earlier: Callable[[int], int]) -> int:
    """A maximum antichain, as a bitset, of a partial order on `elements`
    (bit positions, ascending) given by `earlier(element)`: the bitset of the
    elements before it (transitively closed).  A function rather than a table,
    so that no copy of every ancestor bitset is held at once (hundreds of MB on
    50,000 steps).

    Matches each element to one element before it (Kuhn's augmenting paths on
    bitsets, after a greedy start that links each element to the latest free
    one before it, which finds most chains at once); the antichain is the set
    of elements that König's cover leaves out on both sides."""
    matched_to: dict[int, int] = {}  # later element -> the earlier one it follows
    follower: dict[int, int] = {}  # earlier element -> the later one following it
    taken = 0
    for element in elements:
        free = earlier(element) & ~taken
        if free:
            chosen = free.bit_length() - 1
            matched_to[element], follower[chosen] = chosen, element
            taken |= 1 << chosen
    while True:
        visited = 0
        grew = False
        for root in [e for e in elements if e not in matched_to]:
            # Depth-first search for an augmenting path, without recursion.
            stack, options, via = [root], [earlier(root) & ~visited], []
            while stack:
                choices = options[-1]
                if not choices:
                    stack.pop()
                    options.pop()
                    if stack:
                        via.pop()
                    continue
                low = choices & -choices
                options[-1] = choices ^ low
                if visited & low:
                    continue
                visited |= low
                target = low.bit_length() - 1
                holder = follower.get(target)
                if holder is None:
                    for element, chosen in zip(stack, via + [target]):
                        matched_to[element], follower[chosen] = chosen, element
                    grew = True
                    break
                via.append(target)
                stack.append(holder)
                options.append(earlier(holder) & ~visited)
        if not grew:
            break
    # König: from the unmatched "later" copies, follow unmatched edges to
    # "earlier" copies and matched edges back.
    reached_later = 0
    reached_earlier = 0
    frontier = [e for e in elements if e not in matched_to]
    for element in frontier:
        reached_later |= 1 << element
    while frontier:
        element = frontier.pop()
        new = earlier(element) & ~reached_earlier
        reached_earlier |= new
        for target in _bit_positions(new):
            holder = follower[target]
            if not reached_later >> holder & 1:
                reached_later |= 1 << holder
                frontier.append(holder)
    return reached_later & ~reached_earlier


@dataclass(frozen=True)
class _RequiredBits:
    """A step's reduced O predecessors as a bitset of D positions, and the
    steps at each bit (several share one on a cycle of D)."""

    mask: int
    nodes: dict[int, list[int]]
    shared: bool  # the sources of a join, which all its targets share


class Graphs:
    """O, D and the questions rules ask of them, computed once per runbook.

    Built only for a runbook whose step ids are unique and whose O is acyclic.
    """

    def __init__(
        self,
        runbook: Runbook,
        preds: list[list[int]],
        order: list[int],
        limits: AnalysisLimits = AnalysisLimits(),
    ) -> None:
        """`preds` is `order_predecessors(runbook)` (steps, then joins) and
        `order` its `declared_order` (steps only)."""
        self.runbook = runbook
        self.limits = limits
        self.steps = runbook.steps
        self.index = {step.id: step.index for step in runbook.steps}
        self._joined = preds  # O with a node per join after the steps
        # Each step's O predecessors: the targets of a join share one list of
        # its sources (memory in the steps, not in the pairs).
        self.order_preds = _step_predecessors(preds, len(self.steps))
        self._shared_preds = {id(preds[join]) for join in range(len(self.steps), len(preds))}
        self._reduced_shared: dict[int, list[int]] = {}
        self.topological = order  # O's topological order, stable in file order
        self.node_at = order  # topological position -> node
        # O ancestors, bits numbered by O topological position
        self.position, self.ancestors = _joined_ancestor_bitsets(preds, order)
        # deciding step -> bitset (node numbers) of the steps it decides between
        self._decide_groups = self._decide_groups_by_step()
        self._decided_by: dict[int, list[int]] = defaultdict(list)  # node -> deciding steps
        for decider, group in self._decide_groups.items():
            for node in _bit_positions(group):
                self._decided_by[node].append(decider)
        # the same groups as bitsets of O positions
        self._decide_positions = {
            decider: self.mask(_bit_positions(group)) for decider, group in self._decide_groups.items()
        }
        self._branches, self._in_branch = self._branches_of_decisions()
        self._all_branches = {decider: _union(masks) for decider, masks in self._branches.items()}
        self.resources = resource_index(
            runbook, (ref.name for step in self.steps for ref in step.reads + step.writes), limits
        )
        self._shared = self._shared_names()
        self.producers: dict[str, list[int]] = defaultdict(list)  # fact -> steps, file order
        self._writers: dict[str, int] = defaultdict(int)  # resource name -> bitset
        self._readers: dict[str, int] = defaultdict(int)
        for step in self.steps:
            bit = 1 << self.position[step.index]
            for ref in step.outputs:
                self.producers[ref.name].append(step.index)
            for ref in step.writes:
                self._writers[ref.name] |= bit
            for ref in step.reads:
                self._readers[ref.name] |= bit
        self._implicit_by_name: dict[str, tuple[int, int]] = {}  # name read -> writers, shared
        self.required_preds = self._required_preds()
        self.required = reachability(self.required_preds)
        self._declared: Optional[DeclaredWaits] = None
        self._needless_gates: Optional[list[tuple[str, str]]] = None
        self._unrequired_waits: Optional[list[tuple[int, tuple[int, ...]]]] = None
        self._joined_order: Optional[list[int]] = None
        self._required_bits_of: dict[int, _RequiredBits] = {}  # id of a shared predecessor list -> its bits
        self._widest_of_all: Optional[list[int]] = None
        self._conflicting_writers: dict[str, int] = {}

    # -- O ---------------------------------------------------------------

    def before(self, a: int, b: int) -> bool:
        """a comes before b in O (b waits for a, directly or not)."""
        return bool(self.ancestors[b] >> self.position[a] & 1)

    def concurrent(self, a: int, b: int) -> bool:
        """Neither waits for the other in O, and they are not alternatives a step decides between."""
        if a == b or self.before(a, b) or self.before(b, a):
            return False
        return not self.decided_apart(a, b)

    def decided_apart(self, a: int, b: int) -> bool:
        """a and b lie in different branches of one decision (only one runs)."""
        return bool(self.deciding_apart(a, b))

    def deciding_apart(self, a: int, b: int) -> list[int]:
        """The steps whose decisions put a and b in different branches, in
        file order: unlike `deciders`, also when they lie after the
        alternatives rather than being them."""
        if a == b:
            return []
        bit = self.position[b]
        return sorted(
            decider
            for decider, branch in self._in_branch.get(a, ())
            if (self._all_branches[decider] & ~self._branches[decider][branch]) >> bit & 1
        )

    def decided_apart_mask(self, node: int) -> int:
        """Bitset (O positions) of the steps in the other branches of the
        decisions `node` lies in a branch of."""
        found = 0
        for decider, branch in self._in_branch.get(node, ()):
            # A step lies in one branch of a decision at most: the others are
            # all of them but its own (one mask operation, however many).
            found |= self._all_branches[decider] & ~self._branches[decider][branch]
        return found & ~(1 << self.position[node])

    def _branches_of_decisions(self) -> tuple[dict[int, list[int]], dict[int, list[tuple[int, int]]]]:
        """Deciding step -> the branch of each of its alternatives (bitsets of
        O positions), and node -> (deciding step, branch number) of the
        branches it lies in.  An alternative's branch is the alternative and
        the steps after it in O but after no other alternative of the same
        decision (a step after several is where branches join), as the plan
        follows them.  Each branch is walked from its alternative, and not
        past a join: everything after a join is after both alternatives too."""
        branches: dict[int, list[int]] = {}
        in_branch: dict[int, list[tuple[int, int]]] = defaultdict(list)
        if not self._decide_groups:
            return branches, in_branch
        count = len(self.steps)
        successors = successor_lists(self._joined)
        walked = 0
        for decider, group in self._decide_groups.items():
            chosen = self._decide_positions[decider]
            masks = []
            for number, alternative in enumerate(_bit_positions(group)):
                mask = 1 << self.position[alternative]
                in_branch[alternative].append((decider, number))
                pending = [alternative]
                joins_passed: set[int] = set()  # a join leads to the same steps from each source
                while pending:
                    for node in successors[pending.pop()]:
                        if node >= count:
                            if node not in joins_passed:
                                joins_passed.add(node)
                                pending.append(node)
                            continue
                        bit = 1 << self.position[node]
                        after = self.ancestors[node] & chosen
                        if mask & bit or chosen & bit or after & (after - 1):
                            continue
                        walked += 1
                        if walked > self.limits.max_edges:
                            raise TooLarge(
                                f"the branches of its decisions cover over {self.limits.max_edges:,} steps"
                            )
                        mask |= bit
                        in_branch[node].append((decider, number))
                        pending.append(node)
                masks.append(mask)
            branches[decider] = masks
        return branches, in_branch

    def mask(self, nodes: Iterable[int]) -> int:
        mask = 0
        for node in nodes:
            mask |= 1 << self.position[node]
        return mask

    def nodes_in(self, mask: int) -> list[int]:
        return [self.node_at[bit] for bit in _bit_positions(mask)]

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
            placed = [False] * len(self._joined)
            order: list[int] = []
            for node in self.topological:
                for pred in self._joined[node]:
                    if pred >= count and not placed[pred]:
                        placed[pred] = True
                        order.append(pred)
                order.append(node)
            # A join no step waits for (its targets left out) goes last.
            order += [join for join in range(count, len(self._joined)) if not placed[join]]
            self._joined_order = order
        return self._joined, self._joined_order

    def declared_between(self) -> "DeclaredWaits":
        """Why the runbook makes each pair wait: (source id, target id) -> declarations."""
        if self._declared is None:
            self._declared = DeclaredWaits(self.runbook)
        return self._declared

    def unrequired_waits(self) -> list[tuple[int, tuple[int, ...]]]:
        """Edges A→B of O's transitive reduction that D does not imply and
        that are not a choice between alternatives (B waits for A for
        nothing), grouped by B, in O's topological order, each with its As
        in file order: one entry per waiting step.  A join's targets share its reduced sources, so
        each target costs one mask operation (its sources less those D puts
        before it), not a question per source, and equal answers share one
        tuple (two adjacent blocks of 2,000 steps are 2,000 masks, not
        4,000,000 pairs)."""
        if self._unrequired_waits is None:
            self._unrequired_waits = []
            required = self.required
            # (bits, needless mask) -> the sources; keyed by id, the bits kept alive in the value
            answers: dict[tuple[int, int], tuple[_RequiredBits, tuple[int, ...]]] = {}
            for target in self.topological:
                by_bit = self._required_bits(target)
                own = 1 << required.position[target]
                # A source in the target's own component of D is required (a cycle).
                needless = by_bit.mask & ~(required.ancestors[target] | own)
                if not needless:
                    continue
                # Answers are kept only for a join's shared sources: a mask
                # is as long as D is wide, and one kept per step of a long
                # checklist cost hundreds of megabytes.
                key = (id(by_bit), needless)
                found = answers.get(key) if by_bit.shared else None
                if found is None:
                    found = (
                        by_bit,
                        tuple(sorted(node for bit in _bit_positions(needless) for node in by_bit.nodes[bit])),
                    )
                    if by_bit.shared:
                        answers[key] = found
                sources = found[1]
                if self._decide_groups:
                    apart = self.decided_apart_mask(target)
                    sources = tuple(s for s in sources if not apart >> self.position[s] & 1)
                if sources:
                    self._unrequired_waits.append((target, sources))
        return self._unrequired_waits

    def _required_bits(self, target: int) -> "_RequiredBits":
        """The target's reduced O predecessors as a bitset of D positions,
        with the steps at each bit; made once for the sources a join's
        targets share."""
        preds = self.order_preds[target]
        shared = id(preds) in self._shared_preds
        if shared and id(preds) in self._required_bits_of:
            return self._required_bits_of[id(preds)]
        position = self.required.position
        mask = 0
        nodes: dict[int, list[int]] = defaultdict(list)
        for node in self._reduction(target):
            mask |= 1 << position[node]
            nodes[position[node]].append(node)
        found = _RequiredBits(mask, nodes, shared)
        if shared:
            self._required_bits_of[id(preds)] = found
        return found

    def decisions(self) -> dict[int, list[int]]:
        """Deciding step -> the steps it decides between (two or more), in file order."""
        return {decider: sorted(_bit_positions(group)) for decider, group in self._decide_groups.items()}

    def needless_stage_gates(self) -> list[tuple[str, str]]:
        """(earlier, later) stage gates where no step of the later stage requires
        any step of the earlier one."""
        if self._needless_gates is None:
            self._needless_gates = []
            stages = self.runbook.stages
            position = self.required.position
            for earlier, later in zip(stages, stages[1:]):
                if not later.gate or not earlier.steps or not later.steps:
                    continue
                earlier_mask = 0
                for step_id in earlier.steps:
                    earlier_mask |= 1 << position[self.index[step_id]]
                required = 0
                for step_id in later.steps:
                    required |= self.required.ancestors[self.index[step_id]]
                if not required & earlier_mask:
                    self._needless_gates.append((earlier.name, later.name))
        return self._needless_gates

    # -- D ---------------------------------------------------------------

    def requires(self, a: int, b: int) -> bool:
        """b cannot be right unless a is done (a reaches b in D)."""
        return self.required.reaches(a, b)

    def real_prerequisites(self, node: int) -> list[int]:
        """The D predecessors of `node` that no other one of them requires: what it really waits for."""
        preds = self.required_preds[node]
        implied = 0
        for pred in preds:
            implied |= self.required.ancestors[pred]
        position = self.required.position
        return [pred for pred in preds if not implied >> position[pred] & 1]

    def shared(self, name: str) -> bool:
        """Uses of this resource name are safe together (`concurrency: shared`)."""
        return name in self._shared

    def writers_of(self, name: str) -> int:
        """Bitset (O positions) of the steps that write exactly this resource name;
        `self.resources.overlapping(name)` gives the names to ask about."""
        return self._writers.get(name, 0)

    def readers_of(self, name: str) -> int:
        return self._readers.get(name, 0)

    def conflicting_writers(self, name: str) -> int:
        """Bitset (O positions) of the steps writing a resource name that
        overlaps `name` and is not shared together with it: who changes what a
        use of `name` touches.  Cached, since thousands of steps often use one name."""
        mask = self._conflicting_writers.get(name)
        if mask is None:
            mask = 0
            for other in self.resources.overlapping(name):
                if not (name in self._shared and other in self._shared):
                    mask |= self._writers.get(other, 0)
            self._conflicting_writers[name] = mask
        return mask

    def widest(self, nodes: Iterable[int]) -> list[int]:
        """The largest set of `nodes` that can all run at the same time in O,
        in file order: a maximum antichain, found through Dilworth's theorem
        (n minus a maximum matching of "comes before" pairs, then König's
        cover).  No two alternatives a step decides between are ever in the
        set: when the widest antichain of O holds some, all but one of each
        clash are set aside and the antichain is sought again among the rest,
        keeping the largest valid set found.  With alternatives the set may be
        smaller than the true widest point (finding that is NP-hard), never wrong."""
        members = self.mask(nodes)
        ancestors, node_at = self.ancestors, self.node_at
        best = 0
        for _ in range(32):  # each round sets aside at least one step
            def earlier(
                position: int,
                everyone: bool = members == (1 << len(self.steps)) - 1,
                current: int = members,
            ) -> int:
                """The members (of this round) before this one in O."""
                found = ancestors[node_at[position]]
                return found if everyone else found & current

            found = _widest_antichain(list(_bit_positions(members)), earlier)
            if found.bit_count() <= best.bit_count():
                break
            kept, clashing = 0, 0
            if self._decide_groups:
                for position in _bit_positions(found):  # topological order
                    apart = self.decided_apart_mask(node_at[position])
                    if apart & kept:
                        clashing |= 1 << position
                    else:
                        kept |= 1 << position
            else:
                kept = found
            if kept.bit_count() > best.bit_count():
                best = kept
            if not clashing:
                break
            members &= ~clashing
        return sorted(self.nodes_in(best))

    def widest_of_all(self) -> list[int]:
        """`widest` of every step: the most steps that can run at once (computed once)."""
        if self._widest_of_all is None:
            self._widest_of_all = self.widest(range(len(self.steps)))
        return self._widest_of_all

    def exclusive_pairs(self) -> list[tuple[int, int, Ref]]:
        """Pairs of steps that exclude each other, once each (first in file
        order first), with the `excludes` entry that says so first."""
        seen: set[frozenset[int]] = set()
        pairs = []
        for step in self.steps:
            for ref in step.excludes:
                other = self.index.get(ref.name)
                if other is None or other == step.index:
                    continue
                pair = frozenset((step.index, other))
                if pair not in seen:
                    seen.add(pair)
                    pairs.append((min(pair), max(pair), ref))
        return pairs

    def deciders(self, a: int, b: int) -> list[int]:
        """Steps whose `decides` names both a and b, in file order."""
        if a == b:
            return []
        return [d for d in self._decided_by.get(a, ()) if self._decide_groups[d] >> b & 1]

    def verified_mask(self, step: Step) -> int:
        """Bitset (O positions) of the changes `step` verifies: those its
        `verifies` names or, for a verify-phase step without `verifies`, every
        change writing what it reads."""
        if step.verifies:
            return self.mask(
                {self.index[r.name] for r in step.verifies if r.name in self.index} - {step.index}
            )
        if step.phase is not Phase.VERIFY:
            return 0
        writers, _ = self._implicit_writers(step)
        return writers

    def verified_changes(self, step: Step) -> list[int]:
        """`verified_mask` as steps, in file order."""
        return sorted(self.nodes_in(self.verified_mask(step)))

    def independent_required_pairs(self) -> int:
        """How many pairs of steps D leaves unordered (neither requires the other)."""
        count = len(self.steps)
        required = self.required
        sizes: dict[int, int] = defaultdict(int)  # component position -> steps in it
        for position in required.position:
            sizes[position] += 1
        if all(size == 1 for size in sizes.values()):
            ordered = sum(mask.bit_count() for mask in required.ancestors)
        else:
            ordered = sum(
                sum(sizes[p] for p in _bit_positions(required.ancestors[node]))
                + (sizes[required.position[node]] - 1)
                for node in range(count)
            )
        mutual = sum(size * (size - 1) // 2 for size in sizes.values())
        return count * (count - 1) // 2 - (ordered - mutual)

    def _decide_groups_by_step(self) -> dict[int, int]:
        """Deciding step -> bitset (node numbers) of the steps it decides between,
        for steps deciding between two or more; in file order.  One group per
        deciding step, not one entry per pair (a step choosing among thousands
        of options would make millions of pairs)."""
        groups: dict[int, int] = {}
        for step in self.steps:
            group = 0
            for ref in step.decides:
                if ref.name in self.index:
                    group |= 1 << self.index[ref.name]
            if group.bit_count() >= 2:
                groups[step.index] = group
        return groups

    def _shared_names(self) -> set[str]:
        declared = self.runbook.resources or {}
        shared = set()
        for name in self.resources.names:
            closest = owner(name, declared)
            if closest is not None and declared[closest].shared:
                shared.add(name)
        return shared

    def _implicit_writers(self, step: Step) -> tuple[int, int]:
        """Bitsets of the changes a verify-phase step without `verifies` checks
        (every change writing what it reads), and of those among them whose use
        of the resource is shared on both sides (no conflict orders them).
        Cached per name read: many checks often read one busy resource."""
        writers = shared = 0
        for ref in step.reads:
            found = self._implicit_by_name.get(ref.name)
            if found is None:
                name_writers = name_shared = 0
                for name in self.resources.overlapping(ref.name):
                    mask = self._writers.get(name, 0)
                    name_writers |= mask
                    if ref.name in self._shared and name in self._shared:
                        name_shared |= mask
                found = self._implicit_by_name[ref.name] = (name_writers, name_shared)
            writers |= found[0]
            shared |= found[1]
        return writers & ~(1 << self.position[step.index]), shared

    def verified_out_of_order(self, step: Step) -> list[int]:
        """The changes `step` verifies that O does not put before it."""
        return sorted(self.nodes_in(self.verified_mask(step) & ~self.ancestors[step.index]))

    def _verification_preds(self, step: Step) -> list[int]:
        """D predecessors of a verification.  An implicitly verified change that
        O puts before it needs no edge of its own: the resource conflict
        between them already orders them in D, unless both uses are shared."""
        node = step.index
        if step.verifies:
            return [self.index[r.name] for r in step.verifies if r.name in self.index]
        if step.phase is not Phase.VERIFY:
            return []
        writers, shared = self._implicit_writers(step)
        ancestors = self.ancestors[node]
        return self.nodes_in(writers & ~ancestors | shared & ancestors)

    def _overlap_union(self, name: str, holders: dict[str, int]) -> int:
        """The bitset of `holders` (writers or readers) of every name overlapping
        `name`, shared or not, cached: a quick test before looking name by name."""
        key = (name, holders is self._writers)
        found = self._unions.get(key)
        if found is None:
            found = 0
            for other in self.resources.overlapping(name):
                found |= holders.get(other, 0)
            self._unions[key] = found
        return found

    def _count_edges(self, added: set[int]) -> None:
        """Stop building D once it is over the edge limit: told each
        predecessor set that grew (by at most one step's worth of nodes), it
        counts what the set gained since it was last told."""
        counted = self._counted_sizes.get(id(added), 0)
        self._counted_sizes[id(added)] = len(added)
        self._edges_counted += len(added) - counted
        if self._edges_counted > self.limits.max_edges:
            raise TooLarge(
                f"the order the work requires has over {self.limits.max_edges:,} edges"
                " (many steps racing for one fact or resource?)"
            )

    def _required_preds(self) -> list[list[int]]:
        self._edges_counted = 0
        self._counted_sizes: dict[int, int] = {}  # id of a predecessor set -> its size counted
        self._unions: dict[tuple[str, bool], int] = {}
        steps, index = self.steps, self.index
        preds: list[set[int]] = [set() for _ in steps]

        # Facts: a consumer needs the latest producers O puts before it, or,
        # when O puts none before it, every producer.
        producer_masks = {fact: self.mask(nodes) for fact, nodes in self.producers.items()}
        for step in steps:
            node = step.index
            for ref in step.inputs:
                mask = producer_masks.get(ref.name, 0) & ~(1 << self.position[node])
                if not mask:
                    continue
                earlier = mask & self.ancestors[node]
                preds[node].update(self.latest(earlier) if earlier else self.nodes_in(mask))
            self._count_edges(preds[node])

        # Resources: conflicting uses in the order O gives them.
        writers, readers = self._writers, self._readers
        resource_work = 0
        for step in steps:
            node = step.index
            ancestors = self.ancestors[node]
            uses = [(ref.name, True) for ref in step.writes] + [(ref.name, False) for ref in step.reads]
            for name, writes in uses:
                overlapping = self.resources.overlapping(name)
                # Nothing to order when no use of an overlapping name comes before
                # it (tested at once for names that overlap many).
                if not ancestors or len(overlapping) > 16 and not ancestors & (
                    self._overlap_union(name, writers) | (self._overlap_union(name, readers) if writes else 0)
                ):
                    continue
                resource_work += len(overlapping)
                if resource_work > self.limits.max_resource_work:
                    raise TooLarge(
                        f"ordering its uses of resources visits over {self.limits.max_resource_work:,}"
                        " overlapping names (globs matching many names?)"
                    )
                for other in overlapping:
                    if name in self._shared and other in self._shared:
                        continue
                    latest_writers = self.latest(writers.get(other, 0) & ancestors)
                    preds[node].update(latest_writers)
                    if writes:
                        # Readers since the latest writes: earlier ones reach
                        # this step through those writes already.
                        covered = 0
                        for writer in latest_writers:
                            covered |= self.ancestors[writer]
                        preds[node].update(self.nodes_in(readers.get(other, 0) & ancestors & ~covered))
            self._count_edges(preds[node])

        implicit = 0  # pairs of a check without `verifies` and a change it checks
        for step in steps:
            node = step.index
            if not step.verifies and step.phase is Phase.VERIFY:
                implicit += self._implicit_writers(step)[0].bit_count()
                if implicit > self.limits.max_implicit_verifications:
                    raise TooLarge(
                        f"its checks without `verifies` verify over {self.limits.max_implicit_verifications:,}"
                        " changes in all (a check verifies every change writing what it reads);"
                        " name what each verifies with `verifies`",
                        step.span,
                    )
            preds[node].update(self._verification_preds(step))
            self._count_edges(preds[node])
            for ref in step.approves + step.decides:
                if ref.name in index and index[ref.name] != node:
                    preds[index[ref.name]].add(node)
            for need in step.needs:
                if need.reason and need.step in index and index[need.step] != node:
                    preds[node].add(index[need.step])

        del self._unions
        add_behaviour_preds(self, preds, self._count_edges)
        # Closing waits for everything else; close steps among themselves keep O's order.
        closing = [step.index for step in steps if step.phase is Phase.CLOSE]
        if closing:
            others = [step.index for step in steps if step.phase is not Phase.CLOSE]
            for close in closing:
                preds[close].update(others)
                preds[close].update(c for c in closing if c != close and self.before(c, close))
                self._count_edges(preds[close])
        del self._counted_sizes
        for node in range(len(steps)):
            preds[node].discard(node)
        return [sorted(node_preds) for node_preds in preds]


class DeclaredWaits:
    """(source id, target id) -> the declarations that make the target wait
    for the source, in the order written (empty when none): the edges, and
    the pairs of the joins, each made when asked (a join's pairs are never
    all made at once)."""

    def __init__(self, runbook: Runbook) -> None:
        self._edges: dict[tuple[str, str], list[DeclaredEdge]] = defaultdict(list)
        self._edges_into: dict[str, list[tuple[str, DeclaredEdge]]] = defaultdict(list)
        for edge in runbook.declared_edges:
            self._edges[(edge.source, edge.target)].append(edge)
            self._edges_into[edge.target].append((edge.source, edge))
        self._spans = {step.id: step.span for step in runbook.steps}
        self._joins: dict[str, list[tuple[frozenset[str], DeclaredJoin]]] = defaultdict(list)
        for join in runbook.declared_joins:
            sources = frozenset(join.sources)
            for target in join.targets:
                self._joins[target].append((sources, join))

    def sources_into(self, target: str, counted: Callable[[EdgeKind, Optional[str]], bool]) -> set[str]:
        """The ids `target` waits for by a declaration of a kind (and stage)
        `counted` accepts: its edges, and the sources of its joins, a join
        at a time."""
        found = {source for source, into in self._edges_into.get(target, ()) if counted(into.kind, into.stage)}
        for sources, join in self._joins.get(target, ()):
            if counted(join.kind, join.stage):
                found |= sources
        return found

    def __getitem__(self, pair: tuple[str, str]) -> list[DeclaredEdge]:
        source, target = pair
        found = list(self._edges.get(pair, ()))
        joins = self._joins.get(target)
        if joins:
            found += [
                DeclaredEdge(source, target, join.kind, self._spans[target], stage=join.stage)
                for sources, join in joins
                if source in sources
            ]
        return found


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
        if edge.source in index and edge.target in index and not (
            edge.source in leaving_out or edge.target in leaving_out
        ):
            preds[index[edge.target]].add(index[edge.source])
    joins: list[list[int]] = []
    for join in runbook.declared_joins:
        node = count + len(joins)
        joins.append(sorted({index[s] for s in join.sources if s in index and s not in leaving_out}))
        for target in join.targets:
            if target in index and target not in leaving_out:
                preds[index[target]].add(node)
    return [sorted(node_preds) for node_preds in preds] + joins


def declared_order(preds: list[list[int]], count: int) -> Optional[list[int]]:
    """The steps (the first `count` nodes of `preds`, joins after them) in a
    topological order, by Kahn's algorithm stable in file order, passing
    through a join as soon as it is released: the order the pairs it stands
    for would give.  None when there is a cycle."""
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


def _joined_ancestor_bitsets(preds: list[list[int]], order: list[int]) -> tuple[list[int], list[int]]:
    """`ancestor_bitsets` of the steps of O with joins: a join's ancestors
    are made once, when a step waiting for it is reached."""
    count = len(order)
    position = [0] * count
    for index, node in enumerate(order):
        position[node] = index
    ancestors = [0] * count
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
    waits: list[tuple[int, int, Optional[int]]] = []  # source, target, the join between them
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
    return OrderProblem(ids + [ids[0]], edges)


def cycle_among_unique_ids(runbook: Runbook) -> Optional[OrderProblem]:
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


def build_graphs(
    runbook: Runbook, limits: AnalysisLimits = AnalysisLimits()
) -> tuple[Optional[Graphs], Optional[OrderProblem]]:
    """Graphs of a runbook with unique step ids; or O's cycle when there is one.
    Raises TooLarge past the limits."""
    check_resource_names(runbook, limits)
    check_declared_pairs(runbook, limits)
    preds = order_predecessors(runbook)
    order = declared_order(preds, len(runbook.steps))
    if order is None:
        return None, find_cycle(runbook, preds)
    return Graphs(runbook, preds, order, limits), None


def check_declared_pairs(runbook: Runbook, limits: AnalysisLimits = AnalysisLimits()) -> None:
    """Raise TooLarge, at the widest join, when the declared order links more
    pairs of steps than the rules and the plan can look at one by one
    (counted from the joins' sizes, before anything is made of them)."""
    pairs = len(runbook.declared_edges)
    widest: Optional[DeclaredJoin] = None
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
