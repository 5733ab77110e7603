"""Words and numbers shared by the plan's output formats."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from ..model import Duration
from ..plan import Plan
from ..settings import DEFAULT_CURRENCY
from ..words import default_words, minutes  # the plan writes minutes as the rules do


def money(value: Decimal, currency: str) -> str:
    """`37,500 USD` or `1,234.50 EUR`: thousands separated, the amount exact
    to the cent (plan.cost_of gives it), and its currency."""
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() + 3)
        cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) + 0  # + 0: -0.00 is 0
    amount = f"{cents:,.0f}" if cents == cents.to_integral_value() else f"{cents:,.2f}"
    return f"{amount} {currency}"


def currency(plan: Plan) -> str:
    """The currency of the plan's money: the runbook's, else the configuration's
    (filled in when checked), else the default for a runbook built in code."""
    return plan.runbook.cost_currency or DEFAULT_CURRENCY


def duration_words(duration: Duration | None) -> str:
    """A step's minutes: `5 min`, `5 min, 2 to 20 min` for a range, `unknown`."""
    if duration is None:
        return "unknown"
    if duration.exact:
        return minutes(duration.likely)
    low, high = minutes(duration.minimum)[: -len(" min")], minutes(duration.maximum)
    return f"{minutes(duration.likely)}, {low} to {high}"


def saved_range_words(plan: Plan) -> str | None:
    """`5 to 20 min` when the saving depends on which end of the steps' ranges
    they take; None when it does not."""
    low, high = plan.saved_range
    if low == high:
        return None
    return f"{minutes(low)[: -len(' min')]} to {minutes(high)}"


def duration_notes(plan: Plan) -> list[str]:
    """What the plan's minutes rest on, one sentence each: the steps with no
    duration (counted as 0 min) and those whose minutes are a default."""
    notes = []
    if plan.unknown_steps:
        named = ", ".join(step_ids(plan, plan.unknown_steps[:_NAMED]))
        more = len(plan.unknown_steps) - _NAMED
        named += f" and {more} more" if more > 0 else ""
        notes.append(f"No duration (counted as 0 min): {named}.")
    by_default: dict[str, list[str]] = {}
    for node in plan.defaulted_steps:
        step = plan.runbook.steps[node]
        duration = plan.runbook.duration_of(step)
        if duration is not None:
            by_default.setdefault(default_words(duration.basis, duration.kind), []).append(step.id)
    for words, ids in by_default.items():
        more = len(ids) - _NAMED
        named = ", ".join(ids[:_NAMED]) + (f" and {more} more" if more > 0 else "")
        notes.append(f"Minutes by {words}: {named}.")
    return notes


# Steps a note names before "and N more": a note stays one line on big runbooks.
_NAMED = 8


def step_ids(plan: Plan, nodes: Iterable[int]) -> list[str]:
    """The ids of the runbook's steps at these nodes."""
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
