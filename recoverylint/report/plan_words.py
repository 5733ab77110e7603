"""Words and numbers shared by the plan's output formats."""

from __future__ import annotations

from ..plan import Plan


def minutes(value: float) -> str:
    """`12 min`, `1.5 min`, `-3 min`, `1,440 min`: at most two decimals, none when whole."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text) + " min"


def money(value: float) -> str:
    """`37,500` or `1,234.50`: currency units, thousands separated."""
    whole = round(value, 2)
    return f"{whole:,.0f}" if whole == int(whole) else f"{whole:,.2f}"


def step_ids(plan: Plan, nodes) -> list[str]:
    steps = plan.runbook.steps
    return [steps[node].id for node in nodes]


_LOSS_WORDS = {
    "unsafe": "the declared order is faster only because it runs steps together, or in an"
    " order, that the work does not allow; the required order is the time the work really takes",
    "sync-overhead": "the required order's joins cost more sync overhead than its parallel"
    " work saves: keep the declared order",
    "list-schedule": "with these people, the list schedule of the required order (a heuristic)"
    " comes out longer than the declared one: keep the declared order",
}


def loss_words(plan: Plan) -> str:
    """Why the required order takes longer (when `plan.saved_minutes` < 0)."""
    return _LOSS_WORDS[plan.loss_cause or "list-schedule"]
