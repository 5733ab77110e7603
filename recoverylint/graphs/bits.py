"""The shared numbering of the graphs: nodes as bits of Python ints.

Reachability is kept as bitsets of ancestors, with bits numbered by
topological position: one pass over a graph, then any "does A come before B"
question is a bit test, and questions about many steps at once (who writes
this resource before me?) are a mask operation instead of a loop of path
searches.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)


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


def topological_order(preds: list[list[int]]) -> list[int] | None:
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


def union(masks: Iterable[int]) -> int:
    found = 0
    for mask in masks:
        found |= mask
    return found


def bit_positions(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def widest_antichain(elements: list[int], earlier: Callable[[int], int]) -> int:
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
            stack, options = [root], [earlier(root) & ~visited]
            via: list[int] = []
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
        for target in bit_positions(new):
            holder = follower[target]
            if not reached_later >> holder & 1:
                reached_later |= 1 << holder
                frontier.append(holder)
    return reached_later & ~reached_earlier



class PackedMasks(Generic[Key]):
    """Bitsets by key, each kept without its trailing zero bits: a set of a
    few steps far down the order costs a few bytes instead of the width of
    the graph (the writers and readers of 32,000 resource names on 50,000
    steps were 116 MB as plain ints).  Unpacked when asked for."""

    def __init__(self) -> None:
        self._packed: dict[Key, tuple[int, int]] = {}  # key -> (trailing zeros, the rest)

    def get(self, key: Key) -> int:
        """The bitset of `key`, 0 when it has none."""
        found = self._packed.get(key)
        return 0 if found is None else found[1] << found[0]

    def cached(self, key: Key) -> int | None:
        """The bitset of `key`, None when none was stored."""
        found = self._packed.get(key)
        return None if found is None else found[1] << found[0]

    def put(self, key: Key, mask: int) -> None:
        shift = (mask & -mask).bit_length() - 1 if mask else 0
        self._packed[key] = (shift, mask >> shift)

    def add_positions(self, key: Key, positions: list[int]) -> None:
        """Store the bitset of `positions` (ascending) under `key`."""
        low = positions[0]
        mask = 0
        for position in positions:
            mask |= 1 << (position - low)
        self._packed[key] = (low, mask)
