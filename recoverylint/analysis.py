"""Schedule arithmetic on O: critical path, and what removing one gate would save;
and the decision checklist that says which workflow mode suits a runbook."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Optional

from .graphs import Graphs
from .model import Runbook, Span


@dataclass(frozen=True)
class CriticalPath:
    length: float  # minutes
    finish: list[float]  # node -> earliest finish (longest path ending there)
    tail: list[float]  # node -> longest path starting there, itself included


def critical_path(graphs: Graphs) -> CriticalPath:
    runbook = graphs.runbook
    durations = [runbook.duration_of(step) for step in graphs.steps]
    preds = graphs.order_preds
    finish = [0.0] * len(durations)
    for node in graphs.topological:
        start = max((finish[pred] for pred in preds[node]), default=0.0)
        finish[node] = start + durations[node]
    tail = list(durations)
    for node in reversed(graphs.topological):
        for pred in preds[node]:
            if durations[pred] + tail[node] > tail[pred]:
                tail[pred] = durations[pred] + tail[node]
    return CriticalPath(max(finish, default=0.0), finish, tail)


def _longest_avoiding(graphs: Graphs, path: CriticalPath) -> list[float]:
    """For each node, the longest path of O that does not pass through it.

    Such a path lies wholly before the node in topological order, wholly
    after it, or jumps over it by an edge; the jumps are swept with a heap.
    """
    order = graphs.topological
    count = len(order)
    before = [0.0] * (count + 1)  # best path ending at positions < i
    for position, node in enumerate(order):
        before[position + 1] = max(before[position], path.finish[node])
    after = [0.0] * (count + 1)  # best path starting at positions >= i
    for position in range(count - 1, -1, -1):
        after[position] = max(after[position + 1], path.tail[order[position]])
    jumps_from: list[list[tuple[float, int]]] = [[] for _ in range(count)]
    for node, preds in enumerate(graphs.order_preds):
        end = graphs.position[node]
        for pred in preds:
            start = graphs.position[pred]
            if end - start > 1:
                jumps_from[start].append((path.finish[pred] + path.tail[node], end))
    heap: list[tuple[float, int]] = []
    avoiding = [0.0] * count
    for position, node in enumerate(order):
        if position:
            for value, end in jumps_from[position - 1]:
                heapq.heappush(heap, (-value, end))
        while heap and heap[0][1] <= position:
            heapq.heappop(heap)
        jump = -heap[0][0] if heap else 0.0
        avoiding[node] = max(before[position], after[position + 1], jump)
    return avoiding


def gate_costs(graphs: Graphs, gates: list[tuple[int, int]]) -> dict[tuple[int, int], float]:
    """Minutes O's critical path shrinks when one gate A→B is lifted, each gate on its own.

    Lifting it, B waits for its real prerequisites instead of A, while the
    steps after B still wait for A as they did through B: only B moves.
    """
    if not gates:
        return {}
    path = critical_path(graphs)
    avoiding = _longest_avoiding(graphs, path)
    successors: dict[int, list[int]] = {target: [] for _, target in gates}
    for node, preds in enumerate(graphs.order_preds):
        for pred in preds:
            if pred in successors:
                successors[pred].append(node)
    # The two latest-finishing O predecessors of each gated step: lifting one
    # gate, the step still waits for the best of the others.
    latest_two: dict[int, list[tuple[float, int]]] = {}
    prerequisites_finish: dict[int, float] = {}
    for target in successors:
        finishes = [(path.finish[pred], pred) for pred in graphs.order_preds[target]]
        latest_two[target] = heapq.nlargest(2, finishes)
        prerequisites_finish[target] = max(
            (
                path.finish[pred]
                for pred in graphs.real_prerequisites(target)
                if not graphs.before(target, pred)
            ),
            default=0.0,
        )
    costs = {}
    for source, target in gates:
        others = [finish for finish, pred in latest_two[target] if pred != source]
        start = max(others[:1] + [prerequisites_finish[target]])
        after_source = max((path.tail[succ] for succ in successors[target]), default=0.0)
        longest = max(
            avoiding[target],
            start + path.tail[target],
            path.finish[source] + after_source,
        )
        costs[(source, target)] = max(0.0, path.length - longest)
    return costs


# -- Decision checklist ---------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One question of the decision checklist, answered from the runbook."""

    question: str
    value: str  # what the runbook says: "team.size 4", "not set"
    favours_parallel: bool
    source: str  # the value and where it came from: "team.size 4 at line 6"
    span: Optional[Span]  # the key it came from, when written


@dataclass(frozen=True)
class Checklist:
    answers: tuple[Answer, ...]

    @property
    def score(self) -> int:
        """How many answers favour parallel recovery (0 to 6)."""
        return sum(answer.favours_parallel for answer in self.answers)

    @property
    def mode(self) -> str:
        """"parallel" for 4 or more, "hybrid" (parallel investigation,
        sequential remediation) for 2-3, "sequential" for 0-1."""
        if self.score >= 4:
            return "parallel"
        return "hybrid" if self.score >= 2 else "sequential"


def decision_checklist(runbook: Runbook, graphs: Graphs) -> Checklist:
    """The six questions that decide between sequential, hybrid and parallel
    recovery.  A setting the runbook leaves out counts against parallel work,
    except `regulated`, whose default (false) counts for it."""
    spans = runbook.key_spans

    def setting(question: str, key: str, written: str, favours: bool, unset_source: str) -> Answer:
        span = spans.get(key)
        if span is None:
            return Answer(question, "not set", favours, unset_source, None)
        value = f"{key} {written}"
        return Answer(question, value, favours, f"{value} at line {span.line}", span)

    size = runbook.team_size
    count = len(runbook.steps)
    pairs = count * (count - 1) // 2
    independent = graphs.independent_required_pairs()
    return Checklist(
        (
            setting(
                "team.size >= 3", "team.size", str(size), size is not None and size >= 3,
                "team.size not set, which counts against parallel",
            ),
            Answer(
                "most step pairs independent",
                f"{independent:,} of {pairs:,} step pairs",
                independent * 2 > pairs,
                f"{independent:,} of {pairs:,} step pairs independent in the required order",
                None,
            ),
            setting(
                "tooling.automation", "tooling.automation", _yaml_bool(runbook.automation),
                runbook.automation, "tooling.automation not set, which counts against parallel",
            ),
            setting(
                "criticality critical or high", "criticality", str(runbook.criticality),
                runbook.criticality in ("critical", "high"),
                "criticality not set, which counts against parallel",
            ),
            setting(
                "team.drilled", "team.drilled", _yaml_bool(runbook.team_drilled),
                runbook.team_drilled, "team.drilled not set, which counts against parallel",
            ),
            setting(
                "not regulated", "regulated", _yaml_bool(runbook.regulated),
                not runbook.regulated, "regulated not set, which means false",
            ),
        )
    )


def _yaml_bool(value: bool) -> str:
    return "true" if value else "false"
