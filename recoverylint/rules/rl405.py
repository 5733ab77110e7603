import math
from heapq import heappop, heappush

from ..analysis import critical_path
from ..finding import Issue
from ..graphs import Graphs
from ..words import involved, quoted
from . import Capability, GraphContext, Issues, graph_rule


def _ids(graphs: Graphs, nodes: list[int]) -> list[str]:
    return [graphs.steps[node].id for node in nodes]


def _people(count: int) -> str:
    return f"{count} person" if count == 1 else f"{count} people"


# Steps passed to `Graphs.widest` over all the moments looked at, per step
# asked about: past it, the steps left are judged together (as if they all
# overlapped: never a missed finding, at worst the count of the whole order).
_WORK_PER_STEP = 8


class _Windows:
    """When each step can be running in O's schedule with unlimited people:
    from its earliest start when every step takes its least (an unknown
    duration counts 0) to its earliest finish when every step takes its most
    (an unknown duration never ends). Steps whose windows share no moment
    never run at once, however the durations fall."""

    def __init__(self, graphs: Graphs) -> None:
        durations = [graphs.runbook.duration_of(step) for step in graphs.steps]
        least = [0.0 if d is None else d.minimum for d in durations]
        most = [math.inf if d is None else d.maximum for d in durations]
        soonest = critical_path(graphs, least).finish
        self.start = [soonest[node] - least[node] for node in range(len(durations))]
        self.end = critical_path(graphs, most).finish[: len(durations)]
        # Each step's place among all by start, then file order: a role's steps
        # are sorted by it without a key tuple per step.
        self._rank = [0] * len(durations)
        for rank, node in enumerate(sorted(range(len(durations)), key=lambda node: (self.start[node], node))):
            self._rank[node] = rank

    def open_ended(self, nodes: list[int]) -> bool:
        """Some of `nodes` may run on without end: its duration, or one before it, is unknown."""
        return any(math.isinf(self.end[node]) for node in nodes)

    def widest(self, graphs: Graphs, nodes: list[int], people: int) -> list[int]:
        """The most of `nodes` that O lets run at once and whose windows share
        a moment: a sweep over the starts, asking `Graphs.widest` only at the
        last moment before some step ends (no later moment holds more) and
        only of a set larger than the best found. A step of 0 minutes runs at
        its start only."""
        start, end = self.start, self.end
        best: list[int] = []
        fewest = people  # a set is asked about only when larger than this and the best
        budget = _WORK_PER_STEP * len(nodes)
        running: list[tuple[float, int]] = []  # a heap of (end, node)
        ordered = sorted(nodes, key=self._rank.__getitem__)
        count = len(ordered)
        at = 0
        while at < count:
            node = ordered[at]
            moment = start[node]
            while running and running[0][0] <= moment:
                heappop(running)
            following = moment
            while following == moment:  # every step starting at this moment
                heappush(running, (end[node], node))
                at += 1
                if at == count:
                    following = math.inf
                else:
                    node = ordered[at]
                    following = start[node]
            if len(running) <= fewest or running[0][0] > following:
                continue
            if budget < len(running):
                # Past the budget, the steps still running or yet to start are
                # judged together, as if they all met.
                found = graphs.widest(sorted([node for _, node in running] + ordered[at:]))
                return found if len(found) > len(best) else best
            budget -= len(running)
            found = graphs.widest(sorted(node for _, node in running))
            if len(found) > len(best):
                best = found
                fewest = max(people, len(best))
        return best


def _way_out(widest: list[str], unknown: bool, raise_people: str) -> str:
    """How to resolve the finding: more people, a wait that says why (a bare
    one would be a needless gate, RL201), or the durations that show the steps
    never meet."""
    first, last = widest[0], widest[-1]
    timed = ", or give them `duration`s if they never really run at once" if unknown else ""
    return (
        f"{raise_people}; or order these steps with a reason, e.g. on `{last}`:"
        f' `needs: [{{step: {first}, reason: "too few people for both at once"}}]`'
        f" (a wait without a reason is reported as needless, RL201){timed}"
    )


@graph_rule("RL405", needs=(Capability.ROLES,))
def understaffed_parallelism(ctx: GraphContext) -> Issues:
    """At most one finding per declared role (at its key in `roles:`) and one for
    the team (at `team.size`), each naming the widest point.  Steps of undeclared
    roles are RL102's business."""
    graphs, runbook = ctx.graphs, ctx.runbook
    by_role: dict[str, list[int]] = {name: [] for name in runbook.roles}
    for step in graphs.steps:
        if step.role and step.role.name in by_role:
            by_role[step.role.name].append(step.index)
    windows: _Windows | None = None
    for name, nodes in by_role.items():
        people = runbook.roles[name].people
        if len(nodes) <= people:
            continue
        windows = windows or _Windows(graphs)
        found = windows.widest(graphs, nodes, people)
        if len(found) <= people:
            continue
        widest = _ids(graphs, found)
        yield Issue(
            runbook.roles[name].span,
            f"{len(widest)} steps of `{name}` can run at once ({quoted(widest)}) but the role has"
            f" {_people(people)}: the declared parallelism cannot be staffed, so they will wait"
            " for each other",
            suggestion=_way_out(
                widest,
                windows.open_ended(found),
                f"set `people: {len(widest)}` on `{name}` if that many can fill it",
            ),
            steps=involved(widest[:-1], widest[-1]),
        )
    size = runbook.team_size
    if size is None or len(graphs.steps) <= size:
        return
    windows = windows or _Windows(graphs)
    found = windows.widest(graphs, list(range(len(graphs.steps))), size)
    if len(found) <= size:
        return
    widest = _ids(graphs, found)
    yield Issue(
        runbook.key_spans.get("team.size", runbook.span),
        f"{len(widest)} steps can run at once ({quoted(widest)}) but the team has"
        f" {_people(size)}: the declared parallelism cannot be staffed, so they will wait"
        " for each other",
        suggestion=_way_out(
            widest,
            windows.open_ended(found),
            f"set `team.size: {len(widest)}` if that many can work the incident",
        ),
        steps=involved(widest[:-1], widest[-1]),
    )
