"""RL307: a step uses a fact on a path of the run on which no producer of it runs.

RL302 speaks when no producer comes before the step at all; this rule when
some do, but a run can skip every one of them:
- a decision (a step deciding between alternatives; in other formats also a
  branch, or a failure or cancel jump) whose branches join before the step:
  on an alternative whose branch holds none of the producers before the
  step, while every one of them lies in another branch, the fact is missing;
- failure jumps: a step the run jumps to when an earlier step fails runs
  without what only steps after the failed one produce;
- conditions: every producer before the step runs only `when` its condition
  holds (a condition the step does not share): when none holds, it is missing.
A producer that has the fact even when skipped (`outputs_when_skipped`: a
status the engine records) leaves no path without it.
Each decision is asked on its own, so producers missing only on a combination
of choices of several decisions are not reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..finding import Issue
from ..graphs import Graphs
from ..model import Step
from ..words import involved, quoted
from . import GraphContext, graph_rule


@graph_rule("RL307")
def input_maybe_unproduced(ctx: GraphContext) -> Iterator[Issue]:
    graphs = ctx.graphs
    steps = graphs.steps
    given = {ref.name for ref in ctx.runbook.given}
    decisions = [
        (decider, alternatives, graphs.mask(alternatives))
        for decider, alternatives in graphs.decisions().items()
    ]
    failing_into = _failure_jumps(graphs)
    conditional = any(step.condition is not None for step in steps)
    if not (decisions or failing_into or conditional):
        return  # every step before another runs on every path to it
    for step in steps:
        node = step.index
        for ref in step.inputs:
            if ref.name in given:
                continue
            earlier = [
                p for p in graphs.producers.get(ref.name, ()) if p != node and graphs.before(p, node)
            ]
            if not earlier:
                continue  # RL301 and RL302 speak about those
            if any(ref.name == kept.name for p in earlier for kept in steps[p].outputs_when_skipped):
                continue
            path = _failure_path_without(graphs, failing_into.get(node, ()), earlier)
            if path is None:
                path = _path_without(graphs, decisions, step, earlier, conditional)
            if path is None:
                continue
            names = [steps[p].id for p in earlier]
            yield Issue(
                ref.span,
                f"{path}, `{step.id}` runs without {quoted(names)} having run:"
                f" nothing else before it outputs `{ref.name}`",
                suggestion=f"make `{step.id}` run only on the paths that output `{ref.name}`,"
                f" or output `{ref.name}` on every path before it",
                steps=involved(names, step.id),
            )


def _path_without(
    graphs: Graphs,
    decisions: list[tuple[int, list[int], int]],
    step: Step,
    producers: list[int],
    conditional: bool,
) -> str | None:
    """Words for a path of the run on which `step` runs and none of
    `producers` (steps before it in O) does; None when there is none.
    `conditional`: some step of the runbook runs only when a condition holds."""
    steps = graphs.steps
    # Unpacked once for every decision asked about (not once per decision).
    reach = _itself_and_before(graphs, step.index)
    producers_reach: list[int] | None = None
    for decider, alternatives, chosen in decisions:
        after = reach & chosen
        if after.bit_count() < 2:
            continue  # the step lies in one branch (or none): its producers run with it
        if producers_reach is None:
            producers_reach = [_itself_and_before(graphs, p) for p in producers]
        branch_of = [mask & chosen for mask in producers_reach]
        if any(mask.bit_count() != 1 for mask in branch_of):
            continue  # a producer runs whatever the decision
        failing = {ref.name for ref in steps[decider].on_failure}
        together = _taken_together(graphs, alternatives)
        for alternative in alternatives:
            bit = 1 << graphs.position[alternative]
            if after & bit and not any(mask & together[alternative] for mask in branch_of):
                name = steps[alternative].id
                if name in failing:
                    return f"when `{steps[decider].id}` fails (and `{name}` runs)"
                return f"when `{steps[decider].id}` chooses `{name}`"
    if not conditional:
        return None
    conditions = [c for c in (steps[p].condition for p in producers) if c is not None]
    if len(conditions) == len(producers) and all(
        step.condition is None or c.name != step.condition.name for c in conditions
    ):
        if len(producers) == 1:
            return f"when `{conditions[0].name}` does not hold (the condition of `{steps[producers[0]].id}`)"
        return f"when none of the conditions of {quoted(steps[p].id for p in producers)} holds"
    return None


def _failure_jumps(graphs: Graphs) -> dict[int, list[int]]:
    """Step -> the steps whose failure (or cancellation) jumps to it."""
    sources: dict[int, list[int]] = {}
    for step in graphs.steps:
        for ref in step.on_failure:
            target = graphs.index.get(ref.name)
            if target is not None and target != step.index:
                sources.setdefault(target, []).append(step.index)
    return sources


def _failure_path_without(graphs: Graphs, failed: Iterable[int], producers: list[int]) -> str | None:
    """Words for a failure jump into the step taken before any of
    `producers` has run (each comes after the failed step, or beside it);
    None when every failure leaves one of them done.  The failed step's own
    outputs are not counted missing: what a failing step still records
    depends on how far it got, which no document says."""
    for source in failed:
        if not any(p == source or graphs.before(p, source) for p in producers):
            return f"when `{graphs.steps[source].id}` fails"
    return None


def _taken_together(graphs: Graphs, alternatives: list[int]) -> dict[int, int]:
    """Alternative -> bitset (O positions) of the alternatives of the same
    decision a run may take with it, itself included.  A decision's
    alternatives exclude each other (the native meaning of `decides`)
    unless the format says which exclude which: a workflow's transition may
    start several targets at once (Orquesta's `do: [a, b]`), and only those
    of different transitions exclude each other."""
    steps = graphs.steps
    names = {steps[node].id: node for node in alternatives}
    excluded = {
        node: {names[ref.name] for ref in steps[node].excludes if ref.name in names}
        for node in alternatives
    }
    if not any(excluded.values()):
        return {node: 1 << graphs.position[node] for node in alternatives}
    return {
        node: graphs.mask(
            other
            for other in alternatives
            if other not in excluded[node] and node not in excluded[other]
        )
        for node in alternatives
    }


def _itself_and_before(graphs: Graphs, node: int) -> int:
    """Bitset (O positions) of `node` and the steps before it in O: its
    mask with a decision's alternatives is those `node` is or comes after."""
    return graphs.ancestors[node] | 1 << graphs.position[node]
