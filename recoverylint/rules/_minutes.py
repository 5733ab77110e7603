"""The words for minutes that may be ranges, unknown or defaults: what a
finding claims says what it rests on, never a number the runbook does not give."""

from __future__ import annotations

from ..analysis import WaitCost
from ..graphs import Graphs
from ..words import default_words, minutes, quoted


def gate_minutes(cost: WaitCost, graphs: Graphs, plural: bool) -> str:
    """The sentence saying what a gate (or the gates, `plural`) adds to the
    critical path: "adds 5 min", "adds 5 min (up to 20 min)", "adds an
    unknown time (`x` has no duration)" or "adds up to 5 min (less if `x`,
    which has no duration, takes long)", naming the defaults it rests on."""
    subject, verb = ("These gates", "add") if plural else ("This gate", "adds")
    # Most gates rest on no unknown duration: no names to put in words.
    names = quoted(graphs.steps[node].id for node in cost.unknown) if cost.unknown else ""
    one = len(cost.unknown) == 1
    if cost.unknown and not cost.at_most:
        said = f"{names} {'has' if one else 'have'} no duration"
        if cost.longest > 0:
            said += f"; {minutes(cost.longest)} if {'it takes' if one else 'they take'} 0 min"
        return f"{subject} {verb} an unknown time to the critical path ({said})."
    if cost.longest <= 0:
        hide = "hide" if plural else "hides"
        return f"{subject} {verb} nothing to the critical path (0 min), but {hide} the real order."
    amount = minutes(cost.likely)
    if cost.longest > cost.likely:
        amount += f" (up to {minutes(cost.longest)})"
    rests = ""
    if cost.defaults:
        rests = ", by " + " and ".join(default_words(default.basis, default.kind) for default in cost.defaults)
    if cost.at_most:
        which = "which has" if one else "which have"
        take = "takes" if one else "take"
        return (
            f"{subject} {verb} up to {minutes(cost.longest)} to the critical path{rests}"
            f" (less if {names}, {which} no duration, {take} long)."
        )
    return f"{subject} {verb} {amount} to the critical path{rests}."
