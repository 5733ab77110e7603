"""The order of each input's producers, shared by RL301 and RL302."""

from __future__ import annotations

from ..graphs import Graphs
from ..model import Ref, Step


def producer_order(graphs: Graphs) -> list[tuple[Step, Ref, list[int], list[int]]]:
    """For each (step, input) with producers, none of them before it in O: the
    step, the input, its other producers and those of them concurrent with it.
    Both rules read one list (`GraphContext.producer_order`)."""
    producers = graphs.producers
    # Each fact's producers as a bitset (O positions), made when first used:
    # one test says whether any comes before a step (most inputs' do).
    masks: dict[str, int] = {}
    found = []
    for step in graphs.steps:
        if not step.inputs:
            continue
        node = step.index
        earlier = graphs.ancestors[node]  # never the step itself
        for ref in step.inputs:
            producing = producers.get(ref.name)
            if not producing:
                continue
            mask = masks.get(ref.name)
            if mask is None:
                mask = masks[ref.name] = graphs.mask(producing)
            if earlier & mask:
                continue
            others = [p for p in producing if p != node]
            if others:
                concurrent = [p for p in others if graphs.concurrent(p, node)]
                found.append((step, ref, others, concurrent))
    return found
