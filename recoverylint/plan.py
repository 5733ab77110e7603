"""The plan: both orders of a runbook scheduled and compared.

For the declared order O and for the required order D, the critical path
method (earliest and latest starts, slack, the critical path), a list schedule
that respects each role's `people` and `team.size`, the waves of steps that
start together in it, and the sync overhead paid at every join.  The
difference between the two staffed schedules is the time the better order
saves.

What D leaves open and a plan cannot: two steps that race on a resource (O
leaves them concurrent) run one after the other in the plan, in the order the
file writes them; where D has a cycle (the declared order contradicts what
the work requires, which the rules report), the steps of the cycle keep O's
order among themselves.  At each decision the plan follows the alternative
whose branch is the most work (the worst case) and leaves the others out.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from .analysis import Checklist, decision_checklist
from .durations import step_minutes
from .graphs import Graphs, strong_components, successor_lists, topological_order
from .graphs.bits import packed_ancestor_bitsets
from .limits import TooLarge
from .model import NATIVE, Runbook

# Times are sums of durations: rounding each keeps steps that start together
# in one wave despite floating-point error (1/3 min + 2/3 min).
_DIGITS = 9


@dataclass(frozen=True, slots=True)
class Timing:
    """One step in one order: the critical path method's window, and where the
    staffed schedule put it."""

    earliest_start: float
    latest_start: float
    start: float  # in the staffed schedule
    finish: float
    wave: int  # index into Schedule.waves

    @property
    def slack(self) -> float:
        return round(self.latest_start - self.earliest_start, _DIGITS)


@dataclass(frozen=True, slots=True)
class Wave:
    """Steps the staffed schedule starts at the same minute."""

    start: float
    steps: tuple[int, ...]  # file order
    people: tuple[tuple[str, int], ...]  # role ("" for steps with no role) -> its steps here


@dataclass(frozen=True)
class Schedule:
    """One order of the runbook's planned steps, scheduled."""

    preds: tuple[tuple[int, ...], ...]  # node -> immediate predecessors (none when not planned)
    length: float  # the critical path, sync overhead included, with unlimited people
    critical_path: tuple[int, ...]
    staffed_makespan: float  # the list schedule's, with the people the runbook has
    joins: int  # steps waiting for two or more immediate predecessors
    sync_minutes: float  # sync_overhead paid at those joins
    timings: Mapping[int, Timing]  # planned node -> timing
    waves: tuple[Wave, ...]


@dataclass(frozen=True)
class LeftOut:
    """A step the plan leaves out: it belongs to an alternative not followed."""

    node: int
    decider: int
    followed: int  # the alternative the plan follows instead


@dataclass(frozen=True)
class Race:
    """Two steps O lets run together although their uses of a resource
    conflict; the plan runs `first` before `second`: the one written first,
    unless what D requires puts it after the other."""

    first: int
    second: int
    resource: str


@dataclass(frozen=True)
class Plan:
    """Both orders of a runbook, scheduled, and what the better one saves."""

    runbook: Runbook
    planned: tuple[int, ...]  # file order
    left_out: tuple[LeftOut, ...]
    sequential: float  # every planned step one after the other
    declared: Schedule
    required: Schedule
    declared_order: tuple[tuple[int, ...], ...]  # O's reduction, every step, left-out ones too
    # Each step that waits needlessly (O edges after reduction that D does
    # not imply), with the steps it waits for so: one entry per step.
    false_waits: tuple[tuple[int, tuple[int, ...]], ...]
    races: tuple[Race, ...]
    cycle_steps: tuple[int, ...]  # on a cycle of D: kept in declared order
    # The decision checklist weighs a team's situation: None for a workflow
    # of another format, which an engine runs.
    checklist: Checklist | None
    declared_is_safe: bool  # O puts every pair D orders in that order
    # Minutes are likely ones, an unknown duration counted as 0: the planned
    # steps with no duration, and those whose minutes rest on a default.
    unknown_steps: tuple[int, ...] = ()
    defaulted_steps: tuple[int, ...] = ()
    # The saving with every step at its longest (None: no step has a range),
    # and whether it changes with the length of an unknown duration.
    saved_longest: float | None = None
    saving_unknown: bool = False

    @property
    def false_gates(self) -> tuple[tuple[int, int], ...]:
        """The needless waits one by one, as (step waited for, waiting step)."""
        return tuple((source, step) for step, sources in self.false_waits for source in sources)

    @property
    def loss_cause(self) -> str | None:
        """Why the required order takes longer, when it does: "unsafe" (the
        declared order runs steps together, or in an order, that D forbids),
        "sync-overhead" (the required order's joins cost more than its
        parallel work saves), else "list-schedule" (with these people, the
        list schedule, a heuristic, comes out longer for the order with fewer
        constraints)."""
        if self.saved_minutes >= 0:
            return None
        if not self.declared_is_safe:
            return "unsafe"
        if self.required.sync_minutes > self.declared.sync_minutes:
            return "sync-overhead"
        return "list-schedule"

    @property
    def saved_minutes(self) -> float:
        """Declared staffed makespan minus required staffed makespan: negative
        when the declared order is faster only by running steps together that
        must not."""
        return round(self.declared.staffed_makespan - self.required.staffed_makespan, _DIGITS)

    @property
    def saved_range(self) -> tuple[float, float]:
        """The least and the most minutes saved, with likely and with longest
        durations (the same twice when no step has a range)."""
        other = self.saved_minutes if self.saved_longest is None else self.saved_longest
        return min(self.saved_minutes, other), max(self.saved_minutes, other)

    @property
    def saved_cost(self) -> Decimal | None:
        """What the minutes saved are worth at the runbook's cost per minute (None: no cost)."""
        cost = self.runbook.cost_per_minute
        return None if cost is None else cost_of(self.saved_minutes, cost)


# A float's shortest text has at most 17 significant digits: the product of
# two has at most 34, exact with this many.
_MONEY_DIGITS = 40


def cost_of(minutes: float, cost_per_minute: float) -> Decimal:
    """What `minutes` of downtime cost, exactly: decimal arithmetic on each
    number as written (a float's shortest text, which reads back as it), so
    that no binary rounding shows in money (525,600,000,000,100,032)."""
    with localcontext() as context:
        context.prec = _MONEY_DIGITS
        return Decimal(repr(minutes)) * Decimal(repr(cost_per_minute))


def build_plan(graphs: Graphs) -> Plan:
    """The plan of a runbook whose graphs could be built.  Raises TooLarge
    when ordering racing steps would add more edges than the limits allow."""
    runbook = graphs.runbook
    minutes = step_minutes(runbook, graphs.steps)
    durations = minutes.likely
    planned, left_out = _follow_worst_alternatives(graphs, durations)
    required_preds, races, cycle_steps = _required_with_races(graphs, planned)
    staffing = _Staffing(runbook)
    overhead = runbook.sync_overhead
    declared = _schedule(graphs.order_preds, planned, durations, staffing, overhead)
    required = _schedule(required_preds, planned, durations, staffing, overhead)
    in_plan = set(planned)
    saved_longest = None
    if minutes.ranged:
        saved_longest = _saving(graphs.order_preds, required_preds, planned, minutes.longest, staffing, overhead)
    # Any planned step of unknown length can change the saving (when it is
    # long, both orders are as long as the paths through it), unless both
    # orders are the same: then it saves nothing, whatever the lengths.
    saving_unknown = any(node in in_plan for node in minutes.unknown) and declared.preds != required.preds
    return Plan(
        runbook=runbook,
        planned=tuple(planned),
        left_out=tuple(left_out),
        sequential=round(sum(durations[node] for node in planned), _DIGITS),
        declared=declared,
        required=required,
        declared_order=tuple(tuple(graphs.reduction_preds(node)) for node in range(len(graphs.steps))),
        false_waits=_planned_waits(graphs.unrequired_waits(), in_plan, len(planned) == len(graphs.steps)),
        races=tuple(races),
        cycle_steps=tuple(cycle_steps),
        checklist=decision_checklist(runbook, graphs) if runbook.format == NATIVE else None,
        declared_is_safe=all(
            graphs.before(pred, node)
            for node in planned
            for pred in required.preds[node]
        ),
        unknown_steps=tuple(node for node in minutes.unknown if node in in_plan),
        defaulted_steps=tuple(node for node in minutes.defaulted if node in in_plan),
        saved_longest=saved_longest,
        saving_unknown=saving_unknown,
    )


def required_schedule(graphs: Graphs, planned: Sequence[int], durations: Sequence[float]) -> Schedule:
    """The required order of `planned` scheduled as `build_plan` schedules it
    (races ordered, the runbook's people and sync overhead), with other
    minutes per step: a finished run's own, for `review`."""
    steps = sorted(planned)
    required_preds, _, _ = _required_with_races(graphs, steps)
    return _schedule(required_preds, steps, list(durations), _Staffing(graphs.runbook), graphs.runbook.sync_overhead)


def _saving(
    declared_preds: list[list[int]],
    required_preds: list[list[int]],
    planned: list[int],
    durations: list[float],
    staffing: _Staffing,
    overhead: float,
) -> float:
    """Minutes the required order saves with these durations."""
    declared = _schedule(declared_preds, planned, durations, staffing, overhead)
    required = _schedule(required_preds, planned, durations, staffing, overhead)
    return round(declared.staffed_makespan - required.staffed_makespan, _DIGITS)


def _follow_worst_alternatives(
    graphs: Graphs, durations: list[float]
) -> tuple[list[int], list[LeftOut]]:
    """The steps the plan schedules, and those it leaves out.

    An alternative's branch is the alternative and the steps that come after it
    in O but after no other alternative of the same decision (a step after
    several is where branches join); the plan follows the branch with the most
    work, and leaves out every step that comes after another alternative but
    not after the one followed.  Decisions are taken in O's order, so that a
    decision inside a branch left out is never taken.

    Each decision walks O forward from its alternatives, not past a join (what
    comes after a join is after both), and from the joins the followed
    alternative is not in, not past a step after the followed one: the work is
    in the branches, not in the whole runbook for each decision.  The steps
    walked are counted against `max_edges`."""
    position, ancestors = graphs.position, graphs.ancestors
    successors = _successors(graphs.order_preds)
    count = len(graphs.steps)
    walked = 0

    def walk(starts: Iterable[int], stop: Callable[[int], bool], visited: set[int]) -> Iterator[int]:
        """The steps after `starts` in O not in `visited`, not walking on past
        a step `stop` holds (that step is still yielded)."""
        nonlocal walked
        pending = list(starts)
        while pending:
            for node in successors[pending.pop()]:
                if node in visited:
                    continue
                visited.add(node)
                walked += 1
                if walked > graphs.limits.max_edges:
                    raise TooLarge(
                        f"following the branches of its decisions visits over {graphs.limits.max_edges:,} steps"
                    )
                if node >= count or not stop(node):  # a join node of O is walked through
                    pending.append(node)
                if node < count:
                    yield node

    dropped = 0  # bitset of O positions
    followed_before: set[int] = set()  # alternatives an earlier decision follows
    left_out: list[LeftOut] = []
    decisions = graphs.decisions()
    for decider in sorted(decisions, key=position.__getitem__):
        if dropped >> position[decider] & 1:
            continue
        alive = [
            node
            for node in decisions[decider]
            if node != decider and not dropped >> position[node] & 1
        ]
        if len(alive) < 2:
            continue
        alive_mask = graphs.mask(alive)

        # The helpers bind this decision's values: B023 would flag a late-bound loop variable.
        def kept(node: int, dropped: int = dropped) -> bool:
            return not dropped >> position[node] & 1

        def alternative(node: int, alive_mask: int = alive_mask) -> bool:
            return alive_mask >> position[node] & 1 == 1

        def after_several(node: int, alive_mask: int = alive_mask) -> int:
            """The alternatives `node` is after, when they are two or more; else 0."""
            after = ancestors[node] & alive_mask
            return after if after & (after - 1) else 0

        # Each alternative's branch, and the steps after several (the joins).
        branch: dict[int, list[int]] = {}
        joins: dict[int, int] = {}  # step -> the alternatives it is after
        visited = set(alive)
        for start in alive:
            branch[start] = []
            for node in walk([start], lambda node: alternative(node) or bool(after_several(node)), visited):
                after = after_several(node)
                if after:
                    joins[node] = after
                elif not alternative(node) and kept(node):
                    branch[start].append(node)
        work = {
            start: sum((durations[node] for node in sorted(nodes, key=position.__getitem__)), durations[start])
            for start, nodes in branch.items()
        }
        # An alternative an earlier decision follows is followed here too:
        # leaving it out would undo that decision.
        committed = [node for node in alive if node in followed_before]
        followed = committed[0] if committed else max(alive, key=lambda node: (work[node], -node))
        followed_before.add(followed)
        # Left out: the other alternatives, and every step after one of them
        # but not after the one followed (it could only run in another branch).
        followed_bit = 1 << position[followed]

        def after_followed(node: int, followed_bit: int = followed_bit) -> bool:
            return bool(ancestors[node] & followed_bit)

        apart = [node for node, after in joins.items() if not after & followed_bit]
        leaving = [node for node in alive if node != followed]
        leaving += [node for start in leaving[:] for node in branch[start]]
        leaving += [node for node in apart if kept(node)]
        leaving += [
            node
            for node in walk(apart, lambda node: after_followed(node) or alternative(node), set(apart))
            if not after_followed(node) and not alternative(node) and kept(node)
        ]
        for node in leaving:
            dropped |= 1 << position[node]
            left_out.append(LeftOut(node, decider, followed))
    planned = [node for node in range(count) if not dropped >> position[node] & 1]
    return planned, sorted(left_out, key=lambda item: item.node)


def _successors(preds: list[list[int]]) -> list[list[int]]:
    """O forward: each step's successors.  The steps that share one list of
    predecessors (the targets of a join) are reached through one node after
    the steps, numbered from the step count, so that a join of m sources and
    n targets costs m + n, not m × n."""
    sharing: dict[int, list[int]] = defaultdict(list)  # id of a predecessor list -> its steps
    for node, node_preds in enumerate(preds):
        sharing[id(node_preds)].append(node)
    successors: list[list[int]] = [[] for _ in preds]
    for nodes in sharing.values():
        target = nodes[0]
        if len(nodes) > 1:
            target = len(successors)
            successors.append(nodes)
        for pred in preds[nodes[0]]:
            successors[pred].append(target)
    return successors


def _required_with_races(
    graphs: Graphs, planned: list[int]
) -> tuple[list[list[int]], list[Race], list[int]]:
    """D's predecessors, acyclic, with every conflicting pair ordered, and the
    steps on D's own cycles.

    D orders the conflicting pairs O orders.  Pairs O leaves concurrent (races)
    are ordered by a topological order of D that follows the file wherever D
    leaves the choice open, so that no race is ever ordered against what D
    requires, and no cycle can arise.  Each use waits for the latest
    conflicting write before it and each write for the reads since, so that a
    thousand racing writers make a chain, not a million edges.  Steps that
    exclude each other are ordered the same way.  Only `planned` steps race:
    a step left out never runs.  The waits are counted as they are made, in
    one walk: past `max_edges`, TooLarge, having made no more waits than a
    plan within the limit has (and no Race)."""
    acyclic: list[list[int]] = graphs.required_preds
    cycle_steps: list[int] = []
    if any(graphs.required.cyclic):
        acyclic, cycle_steps = _break_cycles(graphs.required_preds, graphs.position)
    order = _file_first_order(acyclic)
    rank = [0] * len(order)
    for place, node in enumerate(order):
        rank[node] = place
    preds = [set(node_preds) for node_preds in acyclic]
    # A wait already made is in its step's predecessors: each pair is made,
    # counted and (when O lets the two run together) a race once.
    made = 0
    racing: list[tuple[int, int, str]] = []
    for first, second, resource in _race_waits(graphs, order, planned, rank):
        if first == second or first in preds[second] or graphs.decided_apart(first, second):
            continue
        made += 1
        if made > graphs.limits.max_edges:
            raise TooLarge(f"ordering the steps that race for resources takes over {graphs.limits.max_edges:,} edges")
        preds[second].add(first)
        if resource is not None and graphs.concurrent(first, second):
            racing.append((first, second, resource))
    racing.sort(key=lambda pair: (rank[pair[1]], rank[pair[0]]))
    return [sorted(node_preds) for node_preds in preds], [Race(*pair) for pair in racing], cycle_steps


def _race_waits(
    graphs: Graphs, order: list[int], planned: list[int], rank: list[int]
) -> Iterator[tuple[int, int, str | None]]:
    """The waits that order racing steps, (first, second, resource name; None
    for steps that exclude each other), each a wait of the step being
    ordered, in `order`, then the exclusive pairs.  The overlapping names
    visited are counted against `max_resource_work`."""
    steps = graphs.steps
    last_writer: dict[str, int] = {}
    readers_since: dict[str, list[int]] = defaultdict(list)
    names_visited = 0
    in_plan = set(planned)
    for node in order:
        if node not in in_plan:
            continue
        step = steps[node]
        uses = [(ref.name, True) for ref in step.writes] + [(ref.name, False) for ref in step.reads]
        for name, writes in uses:
            overlapping = graphs.resources.overlapping(name)
            names_visited += len(overlapping)
            if names_visited > graphs.limits.max_resource_work:
                raise TooLarge(
                    f"ordering the steps that race for resources visits over"
                    f" {graphs.limits.max_resource_work:,} overlapping names (globs matching many names?)"
                )
            for other in graphs.uses.conflicting(name):
                writer = last_writer.get(other)
                if writer is not None:
                    yield writer, node, name
                if writes:
                    for reader in readers_since.get(other, ()):
                        yield reader, node, name
        for name, writes in uses:
            if writes:
                last_writer[name] = node
                # Every reader of an overlapping name waited for this write:
                # later writes wait for it, not for those readers again.
                for other in graphs.uses.conflicting(name):
                    readers_since[other] = []
            else:
                readers_since[name].append(node)
    for a, b, _ in graphs.exclusive_pairs():
        if a in in_plan and b in in_plan:
            first, second = sorted((a, b), key=rank.__getitem__)
            yield first, second, None


def _file_first_order(preds: list[list[int]]) -> list[int]:
    """The topological order of an acyclic graph that takes, at each point,
    the ready step written first in the file."""
    succs = successor_lists(preds)
    waiting = [len(node_preds) for node_preds in preds]
    ready = [node for node in range(len(preds)) if not waiting[node]]
    heapq.heapify(ready)
    order = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for succ in succs[node]:
            waiting[succ] -= 1
            if not waiting[succ]:
                heapq.heappush(ready, succ)
    return order


def _break_cycles(preds: list[list[int]], position: list[int]) -> tuple[list[list[int]], list[int]]:
    """An acyclic version of `preds` (which has cycles), and the steps on its
    cycles: inside each strongly connected component, only the edges that
    follow O's topological `position` are kept."""
    component, _ = strong_components(preds)
    sizes = Counter(component)
    kept = [
        [pred for pred in node_preds if component[pred] != component[node] or position[pred] < position[node]]
        for node, node_preds in enumerate(preds)
    ]
    return kept, [node for node in range(len(preds)) if sizes[component[node]] > 1]


class _Staffing:
    """Who can work at once: each role's `people` (1 for a role not declared)
    and `team.size` across roles (no limit when not set)."""

    def __init__(self, runbook: Runbook) -> None:
        self.team = runbook.team_size if runbook.team_size is not None else math.inf
        self.role_of = [step.role.name if step.role else None for step in runbook.steps]
        self.people = {
            name: (runbook.roles[name].people if name in runbook.roles else 1)
            for name in set(self.role_of)
            if name is not None
        }


def _restricted(preds: list[list[int]], planned: list[int]) -> list[list[int]]:
    """`preds` among the planned steps only, with orders through left-out
    steps kept (a step after a left-out one still waits for what it waited for)."""
    if len(planned) == len(preds):
        return preds
    order = topological_order(preds)
    assert order is not None  # callers pass acyclic graphs
    in_plan = [False] * len(preds)
    for node in planned:
        in_plan[node] = True
    through: dict[int, set[int]] = {}  # left-out node -> planned steps it waits for
    result: list[list[int]] = [[] for _ in preds]
    for node in order:
        found: set[int] = set()
        for pred in preds[node]:
            if in_plan[pred]:
                found.add(pred)
            else:
                found |= through[pred]
        if in_plan[node]:
            result[node] = sorted(found)
        else:
            through[node] = found
    return result


def _planned_waits(
    waits: list[tuple[int, tuple[int, ...]]], in_plan: set[int], everything: bool
) -> tuple[tuple[int, tuple[int, ...]], ...]:
    """The needless waits between planned steps (all of them when every step
    is planned: the sources a join's targets share are never copied)."""
    if everything:
        return tuple(waits)
    found = []
    for target, sources in waits:
        if target in in_plan:
            kept = tuple(source for source in sources if source in in_plan)
            if kept:
                found.append((target, kept))
    return tuple(found)


def _reduced(preds: list[list[int]]) -> tuple[list[tuple[int, ...]], list[int]]:
    """The transitive reduction of an acyclic graph, as immediate predecessors,
    and a topological order of it (which is one of the reduction too)."""
    order = topological_order(preds)
    assert order is not None
    position, ancestors = packed_ancestor_bitsets(preds, order)
    result = []
    for node_preds in preds:
        if len(node_preds) < 2:
            result.append(tuple(node_preds))
            continue
        implied = 0
        for pred in node_preds:
            implied |= ancestors[pred]
        result.append(tuple(pred for pred in node_preds if not implied >> position[pred] & 1))
    return result, order


def _schedule(
    all_preds: list[list[int]],
    planned: list[int],
    durations: list[float],
    staffing: _Staffing,
    overhead: float,
) -> Schedule:
    preds, full_order = _reduced(_restricted(all_preds, planned))
    in_plan = set(planned)
    order = [node for node in full_order if node in in_plan]
    wait = [overhead if len(node_preds) >= 2 else 0.0 for node_preds in preds]
    succs: list[list[int]] = [[] for _ in preds]
    for node in order:
        for pred in preds[node]:
            succs[pred].append(node)

    # Critical path method, unlimited people.
    earliest = [0.0] * len(preds)
    finish = [0.0] * len(preds)
    # node -> the predecessor it waits for last: of those finishing last, the
    # one at the end of the most steps (steps with no duration count 0 min
    # and still come one after another), then the first in file order.
    binding: dict[int, int] = {}
    chain = [1] * len(preds)  # steps in the chain of bindings ending at a node
    for node in order:
        start = max((finish[pred] for pred in preds[node]), default=0.0)
        if preds[node]:
            binding[node] = min(
                (pred for pred in preds[node] if finish[pred] == start), key=lambda pred: (-chain[pred], pred)
            )
            chain[node] = chain[binding[node]] + 1
        earliest[node] = round(start + wait[node], _DIGITS)
        finish[node] = round(earliest[node] + durations[node], _DIGITS)
    length = max((finish[node] for node in order), default=0.0)
    latest = [0.0] * len(preds)
    for node in reversed(order):
        latest_finish = min((latest[succ] - wait[succ] for succ in succs[node]), default=length)
        latest[node] = round(latest_finish - durations[node], _DIGITS)
    critical = _critical_path(order, binding, finish, length, chain)

    priority = {node: (latest[node] + durations[node], latest[node] - earliest[node], node) for node in order}
    starts = _list_schedule(order, preds, succs, durations, wait, priority, staffing)
    waves, wave_of = _waves(order, preds, starts, staffing)
    joins = sum(1 for node in order if len(preds[node]) >= 2)
    return Schedule(
        preds=tuple(preds),
        length=length,
        critical_path=tuple(critical),
        staffed_makespan=max((round(starts[n] + durations[n], _DIGITS) for n in order), default=0.0),
        joins=joins,
        sync_minutes=round(joins * overhead, _DIGITS),
        timings={
            node: Timing(
                earliest_start=earliest[node],
                latest_start=latest[node],
                start=starts[node],
                finish=round(starts[node] + durations[node], _DIGITS),
                wave=wave_of[node],
            )
            for node in sorted(order)
        },
        waves=tuple(waves),
    )


def _critical_path(
    order: list[int], binding: dict[int, int], finish: list[float], length: float, chain: list[int]
) -> list[int]:
    """The chain of steps that sets the length: from the step finishing last
    (the one ending the most steps, then the first in file order), back
    through the predecessor each waited for last."""
    if not order:
        return []
    node = min((node for node in order if finish[node] == length), key=lambda node: (-chain[node], node))
    path = [node]
    while node in binding:
        node = binding[node]
        path.append(node)
    path.reverse()
    return path


_FINISH, _READY = 0, 1  # at the same minute, finishing steps free people first


def _list_schedule(
    order: list[int],
    preds: list[tuple[int, ...]],
    succs: list[list[int]],
    durations: list[float],
    wait: list[float],
    priority: dict[int, tuple[float, float, int]],
    staffing: _Staffing,
) -> dict[int, float]:
    """Start minutes of a list schedule: whenever people are free, start the
    ready step of highest priority (latest finish first, then least slack,
    then file order) whose role has someone free.  Each role keeps its own
    queue of ready steps; `offers` holds the head of each queue whose role has
    someone free, so that choosing costs a heap operation, not a scan."""
    role_of = staffing.role_of
    free_in_role = dict(staffing.people)
    free_in_team = staffing.team
    queues: dict[str | None, list[tuple[tuple[float, float, int], int]]] = defaultdict(list)
    offers: list[tuple[tuple[tuple[float, float, int], int], str | None]] = []
    events: list[tuple[float, int, int]] = [(0.0, _READY, node) for node in order if not preds[node]]
    heapq.heapify(events)
    waiting = {node: len(preds[node]) for node in order}
    released_at = dict.fromkeys(order, 0.0)
    starts: dict[int, float] = {}

    def offer(role: str | None) -> None:
        queue = queues[role]
        if queue and (role is None or free_in_role[role] > 0):
            heapq.heappush(offers, (queue[0], role))

    while events:
        now = events[0][0]
        while events and events[0][0] <= now:
            time, kind, node = heapq.heappop(events)
            role = role_of[node]
            if kind == _FINISH:
                free_in_team += 1
                if role is not None:
                    free_in_role[role] += 1
                for succ in succs[node]:
                    waiting[succ] -= 1
                    released_at[succ] = max(released_at[succ], time)
                    if not waiting[succ]:
                        ready = round(released_at[succ] + wait[succ], _DIGITS)
                        heapq.heappush(events, (ready, _READY, succ))
            else:
                heapq.heappush(queues[role], (priority[node], node))
            offer(role)
        while free_in_team > 0 and offers:
            head, role = heapq.heappop(offers)
            queue = queues[role]
            if not queue or queue[0] != head or (role is not None and free_in_role[role] <= 0):
                continue  # stale: the queue moved on or the role filled up
            _, node = heapq.heappop(queue)
            starts[node] = now
            free_in_team -= 1
            if role is not None:
                free_in_role[role] -= 1
            heapq.heappush(events, (round(now + durations[node], _DIGITS), _FINISH, node))
            offer(role)
    return starts


def _waves(
    order: list[int], preds: Sequence[Sequence[int]], starts: dict[int, float], staffing: _Staffing
) -> tuple[list[Wave], dict[int, int]]:
    """Steps starting at the same minute, split where one waits for another
    of them (a step of no duration finishes the minute it starts: what
    waits for it starts then too, but after it)."""
    rank: dict[int, int] = {}  # how many steps of its minute it comes after
    for node in order:
        rank[node] = max((rank[pred] + 1 for pred in preds[node] if starts[pred] == starts[node]), default=0)
    by_start: dict[tuple[float, int], list[int]] = defaultdict(list)
    for node, start in starts.items():
        by_start[(start, rank[node])].append(node)
    waves = []
    wave_of = {}
    # Most waves of a big runbook are staffed alike (one step of one role):
    # they share one tuple saying so, not a copy each.
    staffed: dict[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]] = {}
    for index, key in enumerate(sorted(by_start)):
        nodes = sorted(by_start[key])
        for node in nodes:
            wave_of[node] = index
        people = tuple(sorted(Counter(staffing.role_of[node] or "" for node in nodes).items()))
        waves.append(Wave(key[0], tuple(nodes), staffed.setdefault(people, people)))
    return waves, wave_of
