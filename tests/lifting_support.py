"""The oracle the tests of RL201's minutes share: what lifting a step's
needless waits saves, worked out by rebuilding the runbook's order without
them and measuring its longest path, a step at a time (nothing of
analysis.py's own sweeps)."""

from __future__ import annotations

from functools import cache

from recoverylint.graphs import Graphs


def longest_path(preds: list[set[int]], durations: list[float]) -> float:
    @cache
    def finish(node: int) -> float:
        return durations[node] + max((finish(pred) for pred in preds[node]), default=0.0)

    return max(finish(node) for node in range(len(preds)))


def lifted_saving(graphs: Graphs, step: int, lifted: tuple[int, ...], durations: list[float]) -> float:
    """The critical path's minutes less those of the runbook rebuilt with
    the step's waits lifted: it waits for its other waits and its real
    prerequisites; the steps after it still wait for those lifted, as they
    did through it."""
    preds = [set(p) for p in graphs.order_preds]
    changed = [set(p) for p in preds]
    changed[step] = (preds[step] - set(lifted)) | {
        pred for pred in graphs.real_prerequisites(step) if not graphs.before(step, pred)
    }
    for node, node_preds in enumerate(preds):
        if step in node_preds:
            changed[node] |= set(lifted)
    return max(0.0, longest_path(preds, durations) - longest_path(changed, durations))
