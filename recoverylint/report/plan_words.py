"""Words and numbers shared by the plan's output formats."""

from __future__ import annotations

from ..plan import Plan


def minutes(value: float) -> str:
    """`12 min`, `1.5 min`, `-3 min`: at most two decimals, none when whole."""
    return f"{round(value, 2):g} min"


def money(value: float) -> str:
    """`37,500` or `1,234.5`: currency units, thousands separated."""
    whole = round(value, 2)
    return f"{whole:,.0f}" if whole == int(whole) else f"{whole:,.2f}"


def step_ids(plan: Plan, nodes) -> list[str]:
    steps = plan.runbook.steps
    return [steps[node].id for node in nodes]
