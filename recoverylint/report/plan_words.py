"""Words and numbers shared by the plan's output formats."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from ..plan import Plan


def minutes(value: float) -> str:
    """`12 min`, `1.5 min`, `-3 min`, `1,440 min`: at most two decimals, none when whole."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text) + " min"


def money(value: Decimal) -> str:
    """`37,500` or `1,234.50`: currency units, thousands separated, the
    amount exact to the cent (plan.cost_of gives it)."""
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() + 3)
        cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) + 0  # + 0: -0.00 is 0
    return f"{cents:,.0f}" if cents == cents.to_integral_value() else f"{cents:,.2f}"


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
