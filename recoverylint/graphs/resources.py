"""Resource names: which overlap which, who uses each, and when two uses conflict."""

from __future__ import annotations

import fnmatch
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Container, Iterable

from ..limits import AnalysisLimits, TooLarge
from ..model import Ref, Runbook
from ..requirements import resource_index
from .bits import PackedMasks


def overlaps(a: str, b: str) -> bool:
    """Resource names overlap when one is a prefix path of the other, glob segments matching."""
    return all(_segments_match(left, right) for left, right in zip(a.split("/"), b.split("/"), strict=False))


def _segments_match(left: str, right: str) -> bool:
    return left == right or fnmatch.fnmatchcase(left, right) or fnmatch.fnmatchcase(right, left)


def owner(name: str, declared: Container[str]) -> str | None:
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
        self.name: str | None = None  # the name that ends here


class ResourceIndex:
    """Which distinct resource names overlap which, found without comparing
    all pairs: the names are a trie of their segments, and a name's
    overlapping names are found by walking it down the trie, following at
    each level the segment itself and the glob segments that match it (every
    segment, for a glob segment): the names met on the way lie above it, those
    under where it ends lie under it.  The walks' work and the names they
    find are counted against `max_resource_work`.

    Without globs the trie is not made: a name's overlapping names are the
    prefixes of it that are names and the names under it, a run of the sorted
    names, and the work counted is the trie's all the same (making the trie
    was most of the cost of a runbook's index, made for each file checked)."""

    def __init__(self, names: Iterable[str], limits: AnalysisLimits = AnalysisLimits()) -> None:
        self.names = sorted(set(names))
        self._known = set(self.names)
        self._budget = limits.max_resource_work
        # Some name has a glob segment: a glob character in any name (a
        # substring search each, quicker than a set test per character).
        every_name = "".join(self.names)
        self._globs = any(character in every_name for character in _GLOB_CHARACTERS)
        self._root = _Segment()
        if self._globs:
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
            found = self._overlapping[name] = (
                () if name not in self._known else self._walk(name) if self._globs else self._walk_exact(name)
            )
        return found

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

    def _walk_exact(self, name: str) -> tuple[str, ...]:
        """`_walk` without globs, without the trie: the names on its path
        down (its prefixes ending before a "/", each sorting before the
        next), itself, and the names under it (those starting with it and a
        "/", which sort together); the trie walk's work counted: a segment
        each down, then a node each under its end (each name under it and
        each prefix of one ending before a "/")."""
        names = self.names
        low = bisect_left(names, name + "/")
        high = bisect_left(names, name + "0", low)  # "0" follows "/"
        under = names[low:high]
        work = name.count("/") + 2  # its segments, and the node where it ends
        if under:
            nodes = set(under)
            for other in under:
                end = other.find("/", len(name) + 1)
                while end != -1:
                    nodes.add(other[:end])
                    end = other.find("/", end + 1)
            work += len(nodes)
        self._spend(work)
        found = []
        end = name.find("/")
        while end != -1:
            if name[:end] in self._known:
                found.append(name[:end])
            end = name.find("/", end + 1)
        found.append(name)
        found += under
        return tuple(found)

    def _under(self, top: _Segment, found: list[str]) -> None:
        """Every name ending at `top` or under it, into `found`."""
        pending = [top]
        while pending:
            node = pending.pop()
            self._spend(1)
            if node.name is not None:
                found.append(node.name)
            pending.extend(node.children.values())


_GLOB_CHARACTERS = frozenset("*?[")


def _is_glob(name: str) -> bool:
    return not _GLOB_CHARACTERS.isdisjoint(name)


class ResourceUses:
    """Who writes and who reads each resource name (bitsets of O positions),
    and the one answer to "do these two uses conflict": their names overlap
    and they are not both shared (`concurrency: shared`)."""

    def __init__(
        self, runbook: Runbook, position: list[int], order: list[int], limits: AnalysisLimits = AnalysisLimits()
    ) -> None:
        """`order` is O's topological order and `position` its inverse."""
        steps = runbook.steps
        writing: dict[str, list[int]] = defaultdict(list)  # name -> positions, ascending
        reading: dict[str, list[int]] = defaultdict(list)
        for node in order:
            step = steps[node]
            if step.writes:
                for ref in step.writes:
                    writing[ref.name].append(position[node])
            if step.reads:
                for ref in step.reads:
                    reading[ref.name].append(position[node])
        self.index = resource_index(runbook, writing.keys() | reading.keys(), limits)
        declared = runbook.resources or {}
        self._shared = set()
        shared_declared = {name for name, resource in declared.items() if resource.shared}
        if shared_declared:
            under_shared = tuple(name + "/" for name in shared_declared)
            for name in self.index.names:
                # Only a name at or under a shared resource can be shared (as
                # its closest declared owner says): the others need no lookup.
                if name in shared_declared or name.startswith(under_shared):
                    closest = owner(name, declared)
                    if closest is not None and declared[closest].shared:
                        self._shared.add(name)
        self._writers: PackedMasks[str] = PackedMasks()
        self._readers: PackedMasks[str] = PackedMasks()
        for name, positions in writing.items():
            self._writers.add_positions(name, positions)
        for name, positions in reading.items():
            self._readers.add_positions(name, positions)
        self._conflicting_writers: PackedMasks[str] = PackedMasks()
        self._implicit_by_name: PackedMasks[tuple[str, bool]] = PackedMasks()  # (name read, shared only) -> writers
        self._unions: PackedMasks[tuple[str, bool]] = PackedMasks()

    def shared(self, name: str) -> bool:
        """Uses of this resource name are safe together (`concurrency: shared`)."""
        return name in self._shared

    def conflict(self, name: str, other: str) -> bool:
        """Uses of two overlapping names conflict unless both are shared."""
        return not (name in self._shared and other in self._shared)

    def conflicting(self, name: str) -> tuple[str, ...]:
        """The names overlapping `name` whose uses conflict with a use of it:
        all of them unless `name` is shared."""
        overlapping = self.index.overlapping(name)
        if name not in self._shared:
            return overlapping
        return tuple(other for other in overlapping if other not in self._shared)

    def first_conflict(self, refs: tuple[Ref, ...], other_refs: tuple[Ref, ...]) -> tuple[Ref, Ref] | None:
        """The first entry of `refs` (and the entry of `other_refs`) that conflict."""
        for mine in refs:
            overlapping = self.index.overlapping(mine.name)
            for theirs in other_refs:
                if theirs.name in overlapping and self.conflict(mine.name, theirs.name):
                    return mine, theirs
        return None

    def partner_entry(self, partner_refs: tuple[Ref, ...], ref: Ref) -> Ref:
        """The entry of a race partner's `partner_refs` that conflicts with `ref`."""
        found = self.first_conflict(partner_refs, (ref,))
        assert found is not None  # partners are found by their conflicting entries
        return found[0]

    def writers_of(self, name: str) -> int:
        """Bitset (O positions) of the steps that write exactly this resource name."""
        return self._writers.get(name)

    def readers_of(self, name: str) -> int:
        return self._readers.get(name)

    def conflicting_writers(self, name: str) -> int:
        """Bitset (O positions) of the steps writing a resource name that
        conflicts with a use of `name`: who changes what a use of `name`
        touches.  Cached, since thousands of steps often use one name."""
        mask = self._conflicting_writers.cached(name)
        if mask is None:
            mask = 0
            for other in self.conflicting(name):
                mask |= self._writers.get(other)
            self._conflicting_writers.put(name, mask)
        return mask

    def overlap_union(self, name: str, writers: bool) -> int:
        """The bitset of the writers (or readers) of every name overlapping
        `name`, shared or not, cached: a quick test before looking name by name."""
        key = (name, writers)
        found = self._unions.cached(key)
        if found is None:
            holders = self._writers if writers else self._readers
            found = 0
            for other in self.index.overlapping(name):
                found |= holders.get(other)
            self._unions.put(key, found)
        return found

    def implicit_writers(self, reads: tuple[Ref, ...]) -> tuple[int, int]:
        """Bitsets of the changes a verify-phase step without `verifies` checks
        (every change writing what it reads), and of those among them whose use
        of the resource is shared on both sides (no conflict orders them).
        Cached per name read: many checks often read one busy resource."""
        writers = shared = 0
        for ref in reads:
            name_writers = self._implicit_by_name.cached((ref.name, False))
            if name_writers is None:
                name_writers = name_shared = 0
                for name in self.index.overlapping(ref.name):
                    mask = self._writers.get(name)
                    name_writers |= mask
                    if not self.conflict(ref.name, name):
                        name_shared |= mask
                self._implicit_by_name.put((ref.name, False), name_writers)
                self._implicit_by_name.put((ref.name, True), name_shared)
            else:
                name_shared = self._implicit_by_name.get((ref.name, True))
            writers |= name_writers
            shared |= name_shared
        return writers, shared
