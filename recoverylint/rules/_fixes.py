"""Fixes the rules attach to their findings: data for recoverylint.fix to apply."""

from __future__ import annotations

import itertools

from ..finding import Fix, MakeFlowParallel, RemoveNeed, RemoveNeeds
from ..graphs import Graphs
from ..model import EdgeKind, Step
from ..words import LISTED, quoted


def remove_need(step: Step, position: int, why: str) -> Fix:
    """Delete `step.needs[position]`: a wait the runbook does not need."""
    need = step.needs[position]
    occurrence = sum(1 for earlier in step.needs[:position] if earlier.step == need.step)
    return Fix(
        f"remove `{need.step}` from the `needs` of `{step.id}` ({why})",
        safe=True,
        edit=RemoveNeed(step.id, need.step, occurrence),
    )


def remove_needs(step: Step, names: list[str], why: str) -> Fix | None:
    """Delete the `needs` entries of `step` naming these steps (each named
    there once): every needless wait of the step in one fix."""
    if not names:
        return None
    if len(names) == 1:
        return remove_need(step, [need.step for need in step.needs].index(names[0]), why)
    return Fix(
        f"remove {quoted(names, limit=LISTED)} from the `needs` of `{step.id}` ({why})",
        safe=True,
        edit=RemoveNeeds(step.id, tuple(names)),
    )


def is_checklist(graphs: Graphs) -> bool:
    """Top-level steps worked one after another, as the restructure rewrites
    them: every step waits for the one written before it (and, through
    `needs`, maybe for earlier ones), with no stages, no blocks and no merge
    key (the native reader says so: `Runbook.plain_checklist`)."""
    runbook = graphs.runbook
    if not runbook.plain_checklist or len(runbook.steps) < 2:
        return False
    # A model made from one (a restructure judged on the model) may have
    # been rewritten since: the order must still be the checklist's.
    chain = {
        (edge.source, edge.target)
        for edge in runbook.declared_edges
        if edge.kind is EdgeKind.SEQUENCE
    }
    return chain == {(a.id, b.id) for a, b in itertools.pairwise(runbook.steps)}


def restructure_checklist(graphs: Graphs) -> Fix | None:
    """`flow: parallel`, each step waiting only for what it really requires
    (its immediate predecessors in D) and for every step its `needs` name
    with a reason (the author's word, which stays).  Unsafe: steps the
    checklist kept apart may now run at once, which a person must review."""
    if not is_checklist(graphs):
        return None
    steps = graphs.steps
    needs = []
    for step in steps:
        reasoned = [need.step for need in step.needs if need.reason and need.step in graphs.index]
        required = [steps[pred].id for pred in sorted(graphs.real_prerequisites(step.index))]
        needs.append((step.id, tuple(dict.fromkeys(reasoned + required))))
    return Fix(
        "restructure the checklist as `flow: parallel`, each step needing only what it requires",
        safe=False,
        edit=MakeFlowParallel(tuple(needs)),
    )
