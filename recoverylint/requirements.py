"""What steps do beyond facts and resources, as edges of D (never of O).

- A **guard** (its failure stops the run) is required by every change (a step
  that writes) the declared order puts after it: that change must not happen
  unless the check passed.
- An **observation** of a scope (an alarm, a metric, a health check reads
  everything the service is, not only the ids it names) requires every
  change writing at or under the scope that the declared order puts before it
  (it observes their result), and is required by every such change the
  declared order puts after it (it is their baseline: "the alarm is green"
  before a fault injection guards it).  `*` is every resource.
- A **clock** stop (the step computing the time since a start of its clock)
  requires every step the declared order puts after the latest starts of the
  clock before it and before the stop, and those steps require the start: the
  stopwatch brackets them, and moving either end would change what it times.
  The start also requires every step the declared order puts before it:
  started earlier, beside them, it would time them too.
- A resource **parent** puts a resource's name under its parent's: `i-1`
  with parent `cluster-a` is looked up as `cluster-a/i-1`, so a use of one
  overlaps a use of the other.
- A post to a **communication surface** (`communication: true`: a status
  page, a channel, a ticket) is no change: no guard is required before it,
  and an observation neither follows it nor is its baseline, unless the
  scope observed is on the surface itself (a step watching the status page
  sees the posts to it).

Every edge follows the declared order, so none of them can make D cyclic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from .limits import AnalysisLimits
from .model import Ref, Runbook

if TYPE_CHECKING:  # graphs imports this module
    from .graphs import Graphs, ResourceIndex


def full_name(name: str, parents: Mapping[str, Ref]) -> str:
    """`name` with the chain of its declared parents before it: the closest
    name it equals or lies under that has a parent is put under that parent,
    itself spelled out the same way (a chain that loops stops where it would
    repeat)."""
    from .graphs import owner

    seen: set[str] = set()
    while True:
        closest = owner(name, parents)
        if closest is None or closest in seen:
            return name
        seen.add(closest)
        parent = parents[closest].name
        if name == parent or name.startswith(parent + "/"):
            return name  # already written under its parent
        name = f"{parent}/{name}"


class ParentedResourceIndex:
    """A ResourceIndex of names spelled out with their parents, answering for
    the names as written."""

    def __init__(
        self, names: Iterable[str], parents: Mapping[str, Ref], limits: AnalysisLimits = AnalysisLimits()
    ) -> None:
        from .graphs import ResourceIndex

        self.names = sorted(set(names))
        self._full = {name: full_name(name, parents) for name in self.names}
        self._written: dict[str, list[str]] = defaultdict(list)  # full name -> names
        for name, full in self._full.items():
            self._written[full].append(name)
        self._index = ResourceIndex(self._written, limits)
        self._overlapping: dict[str, tuple[str, ...]] = {}

    def overlapping(self, name: str) -> tuple[str, ...]:
        found = self._overlapping.get(name)
        if found is None:
            full = self._full.get(name)
            if full is None:
                return ()
            found = self._overlapping[name] = tuple(
                sorted(written for other in self._index.overlapping(full) for written in self._written[other])
            )
        return found


def resource_index(
    runbook: Runbook, names: Iterable[str], limits: AnalysisLimits = AnalysisLimits()
) -> ResourceIndex | ParentedResourceIndex:
    """The index of which resource names overlap which, parents included."""
    from .graphs import ResourceIndex

    if runbook.parents:
        return ParentedResourceIndex(names, runbook.parents, limits)
    return ResourceIndex(names, limits)


def add_behaviour_preds(
    graphs: Graphs, preds: list[set[int]], count: Callable[[int], None]
) -> None:
    """Add to D's predecessor sets the edges of guards, observations and
    clocks; `count` is told each node whose set grew, to stop past the edge limit."""
    _guard_preds(graphs, preds, count)
    _observation_preds(graphs, preds, count)
    _clock_preds(graphs, preds, count)


def _guard_preds(graphs: Graphs, preds: list[set[int]], count: Callable[[int], None]) -> None:
    from .rules._authority import changed_writes, surfaces_declared

    guards = graphs.mask(step.index for step in graphs.steps if step.guard)
    if not guards:
        return
    resources = graphs.runbook.resources if surfaces_declared(graphs.runbook.resources) else None
    for step in graphs.steps:
        if step.is_change and (resources is None or changed_writes(step, resources)):
            earlier = guards & graphs.ancestors[step.index]
            if earlier:
                preds[step.index].update(graphs.nodes_in(earlier))
                count(step.index)


def _observation_preds(graphs: Graphs, preds: list[set[int]], count: Callable[[int], None]) -> None:
    from .graphs import ResourceIndex
    from .rules._authority import on_surface, surfaces_declared

    observers = [step for step in graphs.steps if step.observes]
    if not observers:
        return
    runbook = graphs.runbook
    parents = runbook.parents
    resources = runbook.resources if surfaces_declared(runbook.resources) else None
    written_as: dict[str, list[str]] = defaultdict(list)  # full name -> the names written so
    posted: set[str] = set()  # the names written that are on a communication surface
    for name in sorted({ref.name for step in graphs.steps for ref in step.writes}):
        written_as[full_name(name, parents)].append(name)
        if resources is not None and on_surface(name, resources):
            posted.add(name)
    scopes = {ref.name for step in observers for ref in step.observes}
    full_scopes = {name: full_name(name, parents) for name in scopes}
    # One trie of the names written and observed, not every scope against
    # every name written (thousands of each made millions of comparisons).
    index = ResourceIndex(list(written_as) + list(full_scopes.values()), graphs.limits)
    writers_under: dict[str, int] = {}  # scope -> bitset of the changes writing under it
    for step in observers:
        changes = 0
        for scope in step.observes:
            mask = writers_under.get(scope.name)
            if mask is None:
                mask = 0
                # Posts are what a step watching the surface itself sees; to any
                # other scope they are no change.
                seen = posted if resources is not None and on_surface(scope.name, resources) else set()
                for full in index.overlapping(full_scopes[scope.name]):
                    for name in written_as.get(full, ()):
                        if name not in posted or name in seen:
                            mask |= graphs.writers_of(name)
                writers_under[scope.name] = mask
            changes |= mask
        node = step.index
        changes &= ~(1 << graphs.position[node])
        before = changes & graphs.ancestors[node]
        preds[node].update(graphs.nodes_in(before))
        count(node)
        for later in graphs.nodes_in(changes & ~before):
            if graphs.before(node, later):
                preds[later].add(node)
                count(later)


def _clock_preds(graphs: Graphs, preds: list[set[int]], count: Callable[[int], None]) -> None:
    starts: dict[str, int] = defaultdict(int)  # clock -> bitset of the steps starting it
    stops: dict[str, list[int]] = defaultdict(list)
    for step in graphs.steps:
        for use in step.clocks:
            if use.start:
                starts[use.name] |= 1 << graphs.position[step.index]
            else:
                stops[use.name].append(step.index)
    bracketed: set[int] = set()  # starts already after what comes before them
    for name, stop_nodes in stops.items():
        for stop in stop_nodes:
            ancestors = graphs.ancestors[stop]
            for start in graphs.latest(starts.get(name, 0) & ancestors):
                preds[stop].add(start)
                if start not in bracketed:
                    bracketed.add(start)
                    preds[start].update(graphs.nodes_in(graphs.ancestors[start]))
                    count(start)
                timed = ancestors & ~graphs.ancestors[start] & ~(1 << graphs.position[start])
                for node in graphs.nodes_in(timed):
                    if graphs.before(start, node):
                        preds[stop].add(node)
                        preds[node].add(start)
                        count(node)
            count(stop)
