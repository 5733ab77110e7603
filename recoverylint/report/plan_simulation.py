"""`plan --simulate`'s figures and words, shared by the plan's text and
HTML formats (no numpy here: a Simulation holds plain numbers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..plan import Plan
from ..words import minutes
from .plan_words import step_ids

if TYPE_CHECKING:
    from ..simulate import Simulation

# Steps the criticality table lists, the most critical first.
LISTED = 10


def heading(simulation: Simulation) -> str:
    return (
        f"Simulation: {simulation.runs:,} runs, seed {simulation.seed}; each step's minutes drawn"
        " from beta-PERT over its {min, likely, max}"
        f" ({len(simulation.varying_steps)} of {len(simulation.steps)} steps vary)"
    )


def figure_rows(simulation: Simulation) -> list[tuple[str, ...]]:
    """(figure, declared, required, saved) of the recovery time over the runs,
    and (figure, declared, required) of how much the deterministic critical
    path understates it."""
    declared, required = simulation.declared, simulation.required
    return [
        ("P50", minutes(declared.p50), minutes(required.p50), minutes(simulation.saved_p50)),
        ("P90", minutes(declared.p90), minutes(required.p90), minutes(simulation.saved_p90)),
        ("mean", minutes(declared.mean), minutes(required.mean), minutes(simulation.saved_mean)),
        (
            "critical path (likely)",
            minutes(declared.deterministic),
            minutes(required.deterministic),
            minutes(round(declared.deterministic - required.deterministic, 9)),
        ),
        (
            "mean over that",
            signed_minutes(declared.mean - declared.deterministic),
            signed_minutes(required.mean - required.deterministic),
        ),
        (
            "of it where paths merge",
            signed_minutes(declared.merge_bias),
            signed_minutes(required.merge_bias),
        ),
    ]


def notes(plan: Plan, simulation: Simulation) -> list[str]:
    """What the figures are, and what they rest on, one sentence each."""
    found = [
        "Recovery time: each order's critical path with unlimited people, sync overhead included"
        " (Saved above compares the staffed schedules).",
        "Mean over that: what the critical path with likely minutes leaves out; of it where paths"
        " merge: the mean over the critical path with every step at its mean.",
    ]
    if not simulation.varying_steps:
        found.append("No step's minutes vary (no range with min < max): every run is the plan's critical path.")
    if simulation.unknown_steps:
        named = ", ".join(step_ids(plan, simulation.unknown_steps[:LISTED]))
        more = len(simulation.unknown_steps) - LISTED
        found.append(
            f"No duration (0 min in every run): {named}" + (f" and {more} more." if more > 0 else ".")
        )
    return found


def most_critical(simulation: Simulation) -> tuple[list[tuple[int, float, float]], int]:
    """The steps on the critical path of either order in some run, as (node,
    declared index, required index), the highest first (then file order), up
    to LISTED; and how many more there are."""
    critical = [
        (node, declared, required)
        for node, declared, required in zip(
            simulation.steps, simulation.declared.criticality, simulation.required.criticality, strict=True
        )
        if declared or required
    ]
    critical.sort(key=lambda item: (-max(item[1], item[2]), item[0]))
    return critical[:LISTED], max(0, len(critical) - LISTED)


def share(value: float) -> str:
    return f"{value:.1%}"


def signed_minutes(value: float) -> str:
    """`+5.2 min`, `-1 min`, `0 min`."""
    value = round(value, 9)
    return ("+" if value > 0 else "") + minutes(value)
