"""The shared numbering of the graphs: nodes as bits of Python ints.

Reachability is kept as bitsets of ancestors, with bits numbered by
topological position: one pass over a graph, then any "does A come before B"
question is a bit test, and questions about many steps at once (who writes
this resource before me?) are a mask operation instead of a loop of path
searches.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)


class PackedBitsets:
    """Bitsets by node, each kept without its trailing one bits (a step after
    a gate has every step before the gate among its ancestors), and the rest
    as the positions of its bits when it has few of them spread wide (D's
    steps wait for a few steps each).  On 50,000 steps O's ancestors take
    44 MB instead of 149, D's a few MB instead of 136.  Unpacked when asked
    for; `has` tests one bit without unpacking."""

    __slots__ = ("_ones", "_recent", "_rest")

    RECENT = 256  # unpacked bitsets kept: passes over a graph ask about the same nodes again and again

    def __init__(self, count: int) -> None:
        self._ones = array("i", bytes(count * array("i").itemsize))  # node -> trailing one bits
        self._rest: list[int | array[int]] = [0] * count  # the bits above them: an int, or their positions
        self._recent: dict[int, int] = {}  # node -> its bitset, the oldest first

    def __len__(self) -> int:
        return len(self._rest)

    def __iter__(self) -> Iterator[int]:
        return (self[node] for node in range(len(self._rest)))

    def __getitem__(self, node: int) -> int:
        found = self._recent.get(node)
        if found is not None:
            return found
        ones, rest = self._ones[node], self._rest[node]
        if not isinstance(rest, int):
            rest = mask_of_positions(rest)
        found = rest << ones | ((1 << ones) - 1)
        if len(self._recent) >= self.RECENT:
            del self._recent[next(iter(self._recent))]
        self._recent[node] = found
        return found

    def __setitem__(self, node: int, mask: int) -> None:
        ones = (~mask & (mask + 1)).bit_length() - 1
        rest = mask >> ones
        count = rest.bit_count()
        self._recent.pop(node, None)
        self._ones[node] = ones
        self._rest[node] = array("i", bit_positions(rest)) if _kept_as_positions(count, rest.bit_length()) else rest

    def sparse(self, node: int) -> list[int] | None:
        """The positions of `node`'s bits when it is kept as positions above a
        few set ones (None otherwise)."""
        ones, rest = self._ones[node], self._rest[node]
        if isinstance(rest, int) or ones > 64:
            return None
        return [*range(ones), *(bit + ones for bit in rest)] if ones else list(rest)

    def put_positions(self, node: int, positions: set[int]) -> None:
        """Store the bitset of `positions` under `node`, without making it an int when few."""
        if _kept_as_positions(len(positions), max(positions, default=0)):
            self._recent.pop(node, None)
            self._ones[node] = 0
            self._rest[node] = array("i", sorted(positions))
        else:
            mask = 0
            for bit in positions:
                mask |= 1 << bit
            self[node] = mask

    def has(self, node: int, bit: int) -> bool:
        """Whether bit `bit` of `node`'s bitset is set."""
        ones, rest = self._ones[node], self._rest[node]
        if bit < ones:
            return True
        if isinstance(rest, int):
            return bool(rest >> (bit - ones) & 1)
        at = bisect_left(rest, bit - ones)
        return at < len(rest) and rest[at] == bit - ones

    def bit_count(self, node: int) -> int:
        rest = self._rest[node]
        return self._ones[node] + (rest.bit_count() if isinstance(rest, int) else len(rest))


def _kept_as_positions(count: int, width: int) -> bool:
    """Whether `count` bits spread over `width` are kept as their positions:
    4 bytes each in an array, where an int costs an eighth of a byte per bit
    of its width; only when far fewer, as an int is quicker to use."""
    return count * 64 < width


def mask_of_positions(positions: array[int]) -> int:
    """The bitset of `positions` (ascending, kept by PackedBitsets or PackedMasks)."""
    packed = bytearray((positions[-1] >> 3) + 1)
    for bit in positions:
        packed[bit >> 3] |= 1 << (bit & 7)
    return int.from_bytes(packed, "little")


class PlainBitsets(list[int]):
    """Bitsets by node as plain ints, with PackedBitsets' questions: for a
    graph small enough that packing saves little, each bitset is a list
    index (C code) instead of a Python call unpacking it.  Most runbooks
    have tens of steps; a check asks for hundreds of bitsets per step."""

    __slots__ = ()

    def sparse(self, node: int) -> None:
        """Never kept as positions (PackedBitsets.sparse)."""
        return None

    def put_positions(self, node: int, positions: set[int]) -> None:
        mask = 0
        for bit in positions:
            mask |= 1 << bit
        self[node] = mask

    def has(self, node: int, bit: int) -> bool:
        return bool(self[node] >> bit & 1)

    def bit_count(self, node: int) -> int:
        return self[node].bit_count()


# Graphs up to this many nodes keep plain ints (at most 2,048 x 256 bytes,
# about half a megabyte); larger ones pack them.
PLAIN_BITSETS_UP_TO = 2_048

Bitsets = PlainBitsets | PackedBitsets


def new_bitsets(count: int) -> Bitsets:
    """Empty bitsets for `count` nodes: plain ints for a small graph, packed for a large one."""
    return PlainBitsets([0] * count) if count <= PLAIN_BITSETS_UP_TO else PackedBitsets(count)


@dataclass(frozen=True)
class Reachability:
    """Ancestor bitsets of a graph that may have cycles (D can)."""

    position: list[int]  # node -> position of its component in topological order
    ancestors: list[int] | Bitsets  # node -> bitset of positions of components that reach it
    cyclic: list[bool]  # node -> lies on a cycle (reaches itself)

    def reaches(self, a: int, b: int) -> bool:
        if self.position[a] == self.position[b]:
            return a != b or self.cyclic[a]
        return self.has_ancestor(b, a)

    def has_ancestor(self, node: int, other: int) -> bool:
        """`other`'s component is among those reaching `node`'s (not its own)."""
        if isinstance(self.ancestors, PackedBitsets):
            return self.ancestors.has(node, self.position[other])
        return bool(self.ancestors[node] >> self.position[other] & 1)


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
        # Released in reverse, so that the first of them is taken next (a
        # successor is released at its last entry either way).
        for succ in reversed(succs[node]):
            indegree[succ] -= 1
            if not indegree[succ]:
                ready.append(succ)
    return order if len(order) == count else None


def ancestor_bitsets(preds: list[list[int]], order: list[int]) -> tuple[list[int], list[int]]:
    """Topological positions, and each node's ancestors as a bitset of positions."""
    position = positions_of(order)
    ancestors = [0] * len(preds)
    _fill_ancestors(preds, order, position, ancestors)
    return position, ancestors


def packed_ancestor_bitsets(preds: list[list[int]], order: list[int]) -> tuple[list[int], Bitsets]:
    """`ancestor_bitsets` kept as `new_bitsets`, packed when the graph is large:
    a node after a gate has every node before it as ancestors, which costs a
    few bytes packed instead of the width of the graph (50,000 steps: 149 MB
    as ints)."""
    position = positions_of(order)
    ancestors = new_bitsets(len(preds))
    _fill_ancestors(preds, order, position, ancestors)
    return position, ancestors


def positions_of(order: list[int]) -> list[int]:
    """node -> its place in `order`."""
    position = [0] * len(order)
    for index, node in enumerate(order):
        position[node] = index
    return position


def _fill_ancestors(
    preds: list[list[int]], order: list[int], position: list[int], ancestors: list[int] | Bitsets
) -> None:
    if isinstance(ancestors, PackedBitsets):
        _fill_packed(preds, order, position, ancestors)
        return
    for node in order:
        mask = 0
        for pred in preds[node]:
            mask |= ancestors[pred] | (1 << position[pred])
        ancestors[node] = mask


def _fill_packed(preds: list[list[int]], order: list[int], position: list[int], ancestors: PackedBitsets) -> None:
    """`_fill_ancestors` into packed bitsets: a node whose predecessors are
    all kept as positions gets the union of their positions, never an int
    as wide as the graph (D's steps each wait for a few, spread wide)."""
    for node in order:
        positions: set[int] = set()
        mask = 0
        for pred in preds[node]:
            found = ancestors.sparse(pred)
            if found is None:
                mask |= ancestors[pred]
            else:
                positions.update(found)
            positions.add(position[pred])
        if mask:
            for bit in positions:
                mask |= 1 << bit
            ancestors[node] = mask
        else:
            ancestors.put_positions(node, positions)


def reachability(preds: list[list[int]], packed: bool = False) -> Reachability:
    """Ancestor bitsets (`packed`: as `new_bitsets`, for a graph kept long);
    a graph with cycles is condensed first."""
    order = topological_order(preds)
    if order is None:
        return _condensed_reachability(preds, packed)
    position = positions_of(order)
    ancestors: list[int] | Bitsets = new_bitsets(len(preds)) if packed else [0] * len(preds)
    _fill_ancestors(preds, order, position, ancestors)
    return Reachability(position, ancestors, [False] * len(preds))


def _condensed_reachability(preds: list[list[int]], packed: bool) -> Reachability:
    """Reachability of a graph with cycles, through its strongly connected components."""
    component, count = strong_components(preds)
    component_preds: list[set[int]] = [set() for _ in range(count)]
    # A node with a predecessor in its own component lies on a cycle (with
    # others, or alone through an edge to itself), and every node of a
    # component of several has one.
    cyclic = [False] * len(preds)
    for node, node_preds in enumerate(preds):
        own = component[node]
        for pred in node_preds:
            other = component[pred]
            if other != own:
                component_preds[own].add(other)
            else:
                cyclic[node] = True
    inner = reachability([sorted(c) for c in component_preds])
    inner_ancestors, inner_position = inner.ancestors, inner.position
    ancestors: list[int] | Bitsets = new_bitsets(len(preds)) if packed else [0] * len(preds)
    for node, own in enumerate(component):
        ancestors[node] = inner_ancestors[own]
    return Reachability([inner_position[own] for own in component], ancestors, cyclic)


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
                    for element, chosen in zip(stack, [*via, target], strict=False):
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
    """Bitsets by key, each kept without its trailing zero bits, and as the
    positions of its bits when they are few and spread wide: a set of a few
    steps far down the order costs a few bytes instead of the width of the
    graph (the writers and readers of 32,000 resource names on 50,000 steps
    were 116 MB as plain ints, and readers far apart were still 17 MB
    without their trailing zeros).  Unpacked when asked for."""

    def __init__(self) -> None:
        # key -> (trailing zeros, the rest as an int or as the positions of its bits)
        self._packed: dict[Key, tuple[int, int | array[int]]] = {}

    def get(self, key: Key) -> int:
        """The bitset of `key`, 0 when it has none."""
        found = self._packed.get(key)
        return 0 if found is None else _unpacked(found)

    def cached(self, key: Key) -> int | None:
        """The bitset of `key`, None when none was stored."""
        found = self._packed.get(key)
        return None if found is None else _unpacked(found)

    def put(self, key: Key, mask: int) -> None:
        shift = (mask & -mask).bit_length() - 1 if mask else 0
        rest = mask >> shift
        count = rest.bit_count()
        self._packed[key] = (
            shift,
            array("i", bit_positions(rest)) if _kept_as_positions(count, rest.bit_length()) else rest,
        )

    def add_positions(self, key: Key, positions: list[int]) -> None:
        """Store the bitset of `positions` (ascending) under `key`."""
        low = positions[0]
        if len(positions) == 1:  # the common case (one step writes the name): no loop
            self._packed[key] = (low, 1)
            return
        if _kept_as_positions(len(positions), positions[-1] - low):
            self._packed[key] = (low, array("i", [position - low for position in positions]))
            return
        mask = 0
        for position in positions:
            mask |= 1 << (position - low)
        self._packed[key] = (low, mask)


def _unpacked(found: tuple[int, int | array[int]]) -> int:
    shift, rest = found
    return (rest if isinstance(rest, int) else mask_of_positions(rest)) << shift
