"""The order of each input's producers, shared by RL301 and RL302."""

from __future__ import annotations

from ..graphs import Graphs
from ..model import Ref, Step


def producer_order(graphs: Graphs) -> list[tuple[Step, Ref, list[int], list[int]]]:
    """For each (step, input) with producers, none of them before it in O: the
    step, the input, its other producers and those of them concurrent with it.
    Both rules read one list (`GraphContext.producer_order`)."""
    producers = graphs.producers
    before = graphs.before
    found = []
    for step in graphs.steps:
        node = step.index
        for ref in step.inputs:
            others = [p for p in producers.get(ref.name, ()) if p != node]
            if not others or any(before(p, node) for p in others):
                continue
            concurrent = [p for p in others if graphs.concurrent(p, node)]
            found.append((step, ref, others, concurrent))
    return found
