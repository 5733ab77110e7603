"""Schedule arithmetic on O: critical path, and what removing one gate would save."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from .graphs import Graphs


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
