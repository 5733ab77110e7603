"""The order of each input's producers, shared by RL301 and RL302."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Ref, Step
from . import GraphContext


def producer_order(ctx: GraphContext) -> Iterator[tuple[Step, Ref, list[int], list[int]]]:
    """For each (step, input) with producers, none of them before it in O: the
    step, the input, its other producers and those of them concurrent with it."""
    graphs = ctx.graphs
    producers = graphs.producers
    for step in graphs.steps:
        node = step.index
        for ref in step.inputs:
            others = [p for p in producers.get(ref.name, ()) if p != node]
            if not others or any(graphs.before(p, node) for p in others):
                continue
            concurrent = [p for p in others if graphs.concurrent(p, node)]
            yield step, ref, others, concurrent
