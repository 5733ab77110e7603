"""The words for minutes that may be ranges, unknown or defaults: what a
finding claims says what it rests on, never a number the runbook does not give."""

from __future__ import annotations

from ..analysis import WaitCost
from ..graphs import Graphs
from ..model import Duration, DurationBasis
from ._words import minutes, quoted


def default_words(default: Duration) -> str:
    """What a default is: "the runbook's default_duration"..."""
    if default.basis is DurationBasis.RUNBOOK_DEFAULT:
        return "the runbook's default_duration"
    if default.basis is DurationBasis.CONFIGURED:
        return "the configured default_duration"
    return f"the format's default for {default.kind or 'its kind of step'}"


def gate_minutes(cost: WaitCost, graphs: Graphs, near: list[int], plural: bool) -> str:
    """The sentence saying what a gate (or the gates, `plural`) adds to the
    critical path: "adds 5 min", "adds 5 min (up to 20 min)", or "adds an
    unknown time (`x` has no duration)", naming the defaults it rests on.
    `near`: the steps of the gate, named first when their durations are unknown."""
    subject, verb = ("These gates", "add") if plural else ("This gate", "adds")
    if cost.unknown:
        return f"{subject} {verb} an unknown time to the critical path ({_unknown(graphs, near, cost)})."
    if cost.longest <= 0:
        hide = "hide" if plural else "hides"
        return f"{subject} {verb} nothing to the critical path (0 min), but {hide} the real order."
    amount = minutes(cost.likely)
    if cost.longest > cost.likely:
        amount += f" (up to {minutes(cost.longest)})"
    rests = ""
    if cost.defaults:
        rests = ", by " + " and ".join(default_words(default) for default in cost.defaults)
    return f"{subject} {verb} {amount} to the critical path{rests}."


def _unknown(graphs: Graphs, near: list[int], cost: WaitCost) -> str:
    """`a` has no duration / `a` and `b` have no duration: the gate's own
    steps when some are unknown, else every unknown step (the first few);
    and what it adds when they take no time, when that is some."""
    runbook = graphs.runbook
    unknown = [node for node in near if runbook.duration_of(graphs.steps[node]) is None]
    if not unknown:
        unknown = [node for node, step in enumerate(graphs.steps) if runbook.duration_of(step) is None]
    names = [graphs.steps[node].id for node in unknown]
    one = len(names) == 1
    said = f"{quoted(names)} {'has' if one else 'have'} no duration"
    if cost.longest > 0:
        said += f"; {minutes(cost.longest)} if {'it takes' if one else 'they take'} 0 min"
    return said
