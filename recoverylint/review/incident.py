"""One finished run against its runbook: the time it took and the time the
required order D needed with the run's own step durations (scheduled by the
plan's own scheduler), every wait the work did not need and why, the orders it
broke, how much of it ran in parallel, and when each role was busy."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from ..durations import SAME_MINUTES
from ..graphs import Graphs, topological_order
from ..plan import Plan, required_schedule
from ..records.model import ExecutionRecord, RunStatus, StepRun
from .matching import Matched
from .model import IncidentReview, Interval, RoleBusy, Wait, WaitCause
from .violations import Ran, find_violations

# Runs that did no work: the engine skipped the step, or the run ended first.
_NOT_RUN = frozenset({RunStatus.SKIPPED, RunStatus.NOT_RUN})


def review_incident(graphs: Graphs, plan: Plan, record: ExecutionRecord, matched: Matched) -> IncidentReview:
    """The review of one record already matched to the runbook's steps."""
    runbook = graphs.runbook
    ran, unfinished = _runs(matched.runs)
    starts = [run.start for runs in matched.runs.values() for run in runs if run.start is not None]
    ends = [run.end for runs in matched.runs.values() for run in runs if run.end is not None]
    origin_start = record.start if record.start is not None else min(starts, default=0.0)
    origin_end = record.end if record.end is not None else max(ends, default=origin_start)
    # On the incident's clock: minutes from its start.
    clock = {node: Ran(run.start - origin_start, run.end - origin_start) for node, run in ran.items()}
    actual = round(max(0.0, origin_end - origin_start), 6)

    # The required order with this incident's durations: a step that did not
    # run counts 0, and so does a step the record does not name (it did not
    # run in this incident); the alternatives it did not take are left out,
    # as the plan leaves out the alternatives it does not follow.
    durations = [clock[node].end - clock[node].start if node in clock else 0.0 for node in range(len(graphs.steps))]
    apart = 0
    for node in clock:
        apart |= graphs.decided_apart_mask(node)
    planned = set(clock) | {node for node in plan.planned if not apart >> graphs.position[node] & 1}
    schedule = required_schedule(graphs, sorted(planned), durations)

    roles = [step.role.name if step.role else None for step in graphs.steps]
    statuses = {node: ran[node].status if node in ran else runs[-1].status for node, runs in matched.runs.items()}
    intervals = tuple(
        Interval(graphs.steps[node].id, run.start, run.end, statuses[node], roles[node], ran[node].who)
        for node, run in sorted(clock.items(), key=lambda item: (item[1].start, item[0]))
    )
    required_intervals = tuple(
        Interval(
            graphs.steps[node].id,
            timing.earliest_start,
            round(timing.earliest_start + durations[node], 6),
            statuses.get(node, RunStatus.NOT_RUN),  # a step the record does not name: not seen to run
            roles[node],
        )
        for node, timing in sorted(schedule.timings.items(), key=lambda item: (item[1].earliest_start, item[0]))
    )
    # A join of the required schedule may start only after the sync overhead.
    overhead = {node: runbook.sync_overhead for node in schedule.timings if len(schedule.preds[node]) >= 2}
    waits, ready = _waits(graphs, clock, roles, overhead)
    started_at = ended_at = None
    if record.origin is not None:
        started_at = record.origin + timedelta(minutes=origin_start)
        ended_at = record.origin + timedelta(minutes=origin_end)
    return IncidentReview(
        record=record,
        started_at=started_at,
        ended_at=ended_at,
        actual_minutes=actual,
        required_minutes=schedule.length,
        intervals=intervals,
        required_intervals=required_intervals,
        waits=tuple(waits),
        violations=find_violations(graphs, clock, unfinished),
        parallel_share=_parallel_share(clock.values(), actual),
        busy=_busy(clock, roles),
        unmatched=matched.unmatched,
        critical_path=tuple(graphs.steps[node].id for node in _critical_path(graphs, clock, ready)),
    )


def _critical_path(graphs: Graphs, clock: Mapping[int, Ran], ready: Mapping[int, float]) -> list[int]:
    """The chain of steps that ran which the incident's end waited on, first
    step first.  From the step that ended last, each step leads to the
    predecessor (declared or required; through steps that did not run) that
    ended last before it started, one that had ended by then before one that
    ran on into it.  A step's waits cover its D-ready minute to
    its start, so the walk goes on from its D-ready minute: a gate's step that
    ran after it is in the wait, not again on the path."""
    if not clock:
        return []
    node = max(clock, key=lambda step: (clock[step].end, step))
    path = [node]
    seen = {node}
    cursor = clock[node].start
    while True:
        start = clock[node].start
        if start - ready[node] > SAME_MINUTES:
            cursor = min(cursor, ready[node])
        candidates = [
            pred for pred in _ran_preds(graphs, clock, node)
            if pred not in seen
            and clock[pred].start < cursor - SAME_MINUTES
            and clock[pred].end <= start + SAME_MINUTES
        ]
        if not candidates:
            break
        # Of those that ended together (as the cursor cuts them), one that had
        # ended by the cursor: one that ended after it ran into the wait.
        node = max(
            candidates,
            key=lambda pred: (min(clock[pred].end, cursor), clock[pred].end <= cursor + SAME_MINUTES, pred),
        )
        seen.add(node)
        path.append(node)
        cursor = clock[node].start
    path.reverse()
    return path


def _ran_preds(graphs: Graphs, clock: Mapping[int, Ran], node: int) -> set[int]:
    """The steps that ran just before `node` in O or D: its predecessors, and
    for one that did not run, the ones that ran before it."""
    found: set[int] = set()
    stack = [node]
    visited = {node}
    while stack:
        current = stack.pop()
        for pred in (*graphs.reduction_preds(current), *graphs.required_preds[current]):
            if pred in visited:
                continue
            visited.add(pred)
            if pred in clock:
                found.add(pred)
            else:
                stack.append(pred)
    return found


@dataclass(frozen=True)
class _Merged:
    """A step's runs as one: the first start to the last end, who ran it
    first, and how the run that ended last ended."""

    start: float
    end: float
    who: str | None
    status: RunStatus


def _runs(runs: Mapping[int, list[StepRun]]) -> tuple[dict[int, _Merged], frozenset[int]]:
    """The steps that ran (some run of it has a start and an end and did
    work), merged; and the steps the record names that never finished."""
    ran: dict[int, _Merged] = {}
    unfinished = set()
    for node, step_runs in runs.items():
        timed = [
            run for run in step_runs
            if run.start is not None and run.end is not None and run.status not in _NOT_RUN
        ]
        if not timed:
            unfinished.add(node)
            continue
        last = max(timed, key=lambda run: run.end or 0.0)
        ran[node] = _Merged(
            min(run.start for run in timed if run.start is not None),
            last.end or 0.0,
            next((run.who for run in timed if run.who), None),
            last.status,
        )
    return ran, frozenset(unfinished)


def _waits(
    graphs: Graphs, clock: Mapping[int, Ran], roles: list[str | None], overhead: Mapping[int, float]
) -> tuple[list[Wait], dict[int, float]]:
    """Each step that started later than its D prerequisites had finished
(and, at a join, the sync overhead `overhead` gives it had passed).

    The part of the wait until the last step it waited for in the declared
    order finished is a GATE when that step is one D does not require (RL201's
    false gates), or when a step that did not run passed the turn on through
    such a gate; what remains is STAFF when every person of its role was on
    another step until it started, else UNEXPLAINED.  Also: when each step's
    D prerequisites had finished (its waits start there)."""
    ids = [step.id for step in graphs.steps]
    false_sources = {target: set(sources) for target, sources in graphs.unrequired_waits()}
    required_preds = graphs.required_preds
    # On a cycle of D (the declared order contradicts what the work requires)
    # O's order is taken: a prerequisite not yet reached is not waited for.
    order = topological_order(required_preds) or graphs.topological
    ready: dict[int, float] = {}  # when a step's D prerequisites had all finished
    done: dict[int, float] = {}  # when a step was done, for what requires it (a step not run: when it could have been)
    for node in order:
        ready[node] = max((done[pred] for pred in required_preds[node] if pred in done), default=0.0)
        ready[node] += overhead.get(node, 0.0)
        done[node] = clock[node].end if node in clock else ready[node]
    declared_done, passed_on = _declared_turns(graphs, clock, false_sources)
    people = {name: role.people for name, role in graphs.runbook.roles.items()}
    on_role = _RoleBusy(clock, roles)

    found: list[Wait] = []
    for node in sorted(clock, key=lambda node: (clock[node].start, node)):
        start, since = clock[node].start, ready[node]
        if start - since <= SAME_MINUTES:
            continue
        declared = [pred for pred in graphs.reduction_preds(node) if declared_done[pred] <= start + SAME_MINUTES]
        last = max((declared_done[pred] for pred in declared), default=since)
        gates = false_sources.get(node, set())
        held: set[int] = set()  # the steps that ran and held it through a gate
        for pred in declared:
            if abs(declared_done[pred] - last) > SAME_MINUTES:
                continue
            if pred in clock:
                if pred in gates:
                    held.add(pred)
            elif pred in gates or passed_on[pred][1]:
                held |= passed_on[pred][0]
        if last - since > SAME_MINUTES and held:
            # Every gate it waited for, not only the last one to finish.
            held |= {pred for pred in declared if pred in gates and pred in clock and clock[pred].end > since}
            waited_for = tuple(ids[pred] for pred in sorted(held))
            found.append(Wait(ids[node], waited_for, round(last - since, 6), WaitCause.GATE))
            since = last
        if start - since <= SAME_MINUTES:
            continue
        role = roles[node]
        busy = on_role.at(role, start) if role is not None else []
        if role is not None and len(busy) >= people.get(role, 1):
            found.append(Wait(ids[node], tuple(ids[other] for other in sorted(busy)),
                              round(start - since, 6), WaitCause.STAFF, role))
        else:
            found.append(Wait(ids[node], (), round(start - since, 6), WaitCause.UNEXPLAINED))
    return found, ready


def _declared_turns(
    graphs: Graphs, clock: Mapping[int, Ran], false_sources: Mapping[int, set[int]]
) -> tuple[dict[int, float], dict[int, tuple[frozenset[int], bool]]]:
    """When each step was done as the declared order O sees it: a step that
    ran when it ended; one that did not (skipped, or not in the record) when
    the steps O puts just before it were, as it passed the turn on.  For each
    step that did not run: the steps that ran it passed the turn on from, and
    whether a gate D does not require lay on the way."""
    done: dict[int, float] = {}
    passed_on: dict[int, tuple[frozenset[int], bool]] = {}
    for node in graphs.topological:
        if node in clock:
            done[node] = clock[node].end
            continue
        preds = graphs.reduction_preds(node)
        last = max((done[pred] for pred in preds), default=0.0)
        done[node] = last
        holding = [pred for pred in preds if abs(done[pred] - last) <= SAME_MINUTES]
        gates = false_sources.get(node, set())
        if len(holding) == 1 and holding[0] not in clock:  # a chain of steps not run shares one set
            steps, gated = passed_on[holding[0]]
            passed_on[node] = (steps, gated or holding[0] in gates)
            continue
        held: set[int] = set()
        through = False
        for pred in holding:
            ran = pred in clock
            held |= {pred} if ran else passed_on[pred][0]
            through = through or pred in gates or (not ran and passed_on[pred][1])
        passed_on[node] = (frozenset(held), through)
    return done, passed_on


class _RoleBusy:
    """Who of each role was on a step at a minute, asked in increasing
    minutes: each role's steps are taken in start order and kept in a heap by
    end while they run, so that n questions cost n log n, not n squared."""

    def __init__(self, clock: Mapping[int, Ran], roles: list[str | None]) -> None:
        self.clock = clock
        self.starts: dict[str, list[int]] = defaultdict(list)
        for node in sorted(clock, key=lambda node: (clock[node].start, node)):
            role = roles[node]
            if role is not None:
                self.starts[role].append(node)
        self.taken: dict[str, int] = defaultdict(int)  # role -> how many of its steps have started
        self.running: dict[str, list[tuple[float, int]]] = defaultdict(list)  # role -> heap of (end, step)

    def at(self, role: str, minute: float) -> list[int]:
        """The steps of `role` that started before `minute` and were still running then."""
        starts, running = self.starts[role], self.running[role]
        taken = self.taken[role]
        while taken < len(starts) and self.clock[starts[taken]].start < minute:
            heapq.heappush(running, (self.clock[starts[taken]].end, starts[taken]))
            taken += 1
        self.taken[role] = taken
        while running and running[0][0] <= minute - SAME_MINUTES:
            heapq.heappop(running)
        return [node for _, node in running]


def _parallel_share(runs: Iterable[Ran], actual: float) -> float:
    """The share of the incident during which two or more steps ran."""
    if actual <= 0:
        return 0.0
    events = sorted([(run.start, 1) for run in runs] + [(run.end, -1) for run in runs], key=lambda e: (e[0], e[1]))
    running, since, together = 0, 0.0, 0.0
    for minute, change in events:
        if running >= 2:
            together += minute - since
        running += change
        since = minute
    return round(min(1.0, together / actual), 6)


def _busy(clock: Mapping[int, Ran], roles: list[str | None]) -> tuple[RoleBusy, ...]:
    """Per role, in name order, the merged intervals during which someone of it worked."""
    by_role: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for node, run in clock.items():
        role = roles[node]
        if role is not None:
            by_role[role].append((run.start, run.end))
    found = []
    for role in sorted(by_role):
        merged: list[tuple[float, float]] = []
        for start, end in sorted(by_role[role]):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        found.append(RoleBusy(role, tuple(merged)))
    return tuple(found)
