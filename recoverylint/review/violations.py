"""Orders the runbook forbids, seen in what happened (docs/review.md lists each code):

- RV101: a verification started before a change it verifies had finished;
- RV102: a change started before a step approving it had finished;
- RV103: an alternative started before the step deciding between it and the others had finished;
- RV104: two steps whose writes conflict (one resource, not shared) ran at the same time;
- RV105: two alternatives that exclude each other both ran (one was not chosen).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from ..durations import SAME_MINUTES
from ..graphs import Graphs
from ..words import minutes_number
from .model import Violation

VIOLATION_CODES: Mapping[str, str] = {
    "RV101": "verification-before-change",
    "RV102": "change-before-approval",
    "RV103": "alternative-before-decision",
    "RV104": "overlapping-writes",
    "RV105": "alternative-not-chosen",
}


@dataclass(frozen=True)
class Ran:
    """A step's run on the incident's clock (minutes from its start)."""

    start: float
    end: float


def find_violations(
    graphs: Graphs, ran: Mapping[int, Ran], unfinished: frozenset[int]
) -> tuple[Violation, ...]:
    """Every violation in one incident: `ran` holds the steps that ran,
    `unfinished` those the record names that never finished (an approval or
    decision that never ended gave nothing to start after)."""
    ids = [step.id for step in graphs.steps]

    def at(minute: float) -> str:
        return f"minute {minutes_number(minute)}"

    approvers, deciders = _approvers(graphs), _deciders(graphs)
    found: list[Violation] = []
    for node in sorted(ran, key=lambda node: (ran[node].start, node)):
        step = graphs.steps[node]
        if step.is_verification:
            for change in graphs.verified_changes(step):
                if change in ran and ran[node].start < ran[change].end - SAME_MINUTES:
                    found.append(Violation(
                        "RV101", (ids[change], ids[node]),
                        f"`{ids[node]}` started at {at(ran[node].start)}, before `{ids[change]}`, the change"
                        f" it verifies, had finished ({at(ran[change].end)})",
                    ))
        if step.is_change:
            found += _started_early("RV102", node, ran, unfinished, approvers.get(node, ()), ids, at,
                                    "a step approving it")
        found += _started_early("RV103", node, ran, unfinished, deciders.get(node, ()), ids, at,
                                "the step deciding between it and its alternatives")
    found += _overlapping_writes(graphs, ran, ids, at)
    found += _both_alternatives(graphs, ran, ids, at)
    return tuple(found)


def _started_early(
    code: str,
    node: int,
    ran: Mapping[int, Ran],
    unfinished: frozenset[int],
    before: tuple[int, ...],
    ids: list[str],
    at: Callable[[float], str],
    what: str,
) -> list[Violation]:
    """`node` started before one of `before` (which must finish first) had finished, or it never did."""
    found = []
    for first in before:
        if first in ran and ran[node].start < ran[first].end - SAME_MINUTES:
            found.append(Violation(
                code, (ids[first], ids[node]),
                f"`{ids[node]}` started at {at(ran[node].start)}, before `{ids[first]}`, {what},"
                f" had finished ({at(ran[first].end)})",
            ))
        elif first in unfinished:
            found.append(Violation(
                code, (ids[first], ids[node]),
                f"`{ids[node]}` ran (from {at(ran[node].start)}) although `{ids[first]}`, {what}, never finished",
            ))
    return found


def _approvers(graphs: Graphs) -> dict[int, tuple[int, ...]]:
    """Change -> the steps whose `approves` names it."""
    found: dict[int, list[int]] = {}
    for step in graphs.steps:
        for ref in step.approves:
            if ref.name in graphs.index and graphs.index[ref.name] != step.index:
                found.setdefault(graphs.index[ref.name], []).append(step.index)
    return {node: tuple(approvers) for node, approvers in found.items()}


def _deciders(graphs: Graphs) -> dict[int, tuple[int, ...]]:
    """Alternative -> the steps whose `decides` names it."""
    found: dict[int, list[int]] = {}
    for decider, alternatives in graphs.decisions().items():
        for node in alternatives:
            if node != decider:
                found.setdefault(node, []).append(decider)
    return {node: tuple(deciders) for node, deciders in found.items()}


def _overlapping_writes(
    graphs: Graphs, ran: Mapping[int, Ran], ids: list[str], at: Callable[[float], str]
) -> Iterator[Violation]:
    """Writers whose runs overlapped an earlier writer's and whose writes
    conflict with it: a sweep in start order, each writer against, for each
    resource name it conflicts with, the writer of that name that started
    before it and ends last.  Each writer is named with at most one earlier
    writer per name, so that thousands of writers at once make as many
    violations, not millions of pairs."""
    writers = sorted((node for node in ran if graphs.steps[node].writes), key=lambda node: (ran[node].start, node))
    ending_last: dict[str, int] = {}  # resource name -> the writer of it so far that ends last
    for node in writers:
        start = ran[node].start
        partners: dict[int, tuple[str, str]] = {}  # earlier writer -> (its name, this one's)
        for ref in graphs.steps[node].writes:
            for name in graphs.uses.conflicting(ref.name):
                other = ending_last.get(name)
                if other is not None and other != node and ran[other].end - SAME_MINUTES > start:
                    partners.setdefault(other, (name, ref.name))
        for other, (theirs, mine) in sorted(partners.items(), key=lambda item: (ran[item[0]].start, item[0])):
            resource = theirs if theirs == mine else f"{theirs} and {mine}"
            yield Violation(
                "RV104", (ids[other], ids[node]),
                f"`{ids[other]}` and `{ids[node]}` both wrote {resource} at the same time:"
                f" from {at(start)} to {at(min(ran[other].end, ran[node].end))}",
            )
        for ref in graphs.steps[node].writes:
            holder = ending_last.get(ref.name)
            if holder is None or ran[node].end > ran[holder].end:
                ending_last[ref.name] = node


def _both_alternatives(
    graphs: Graphs, ran: Mapping[int, Ran], ids: list[str], at: Callable[[float], str]
) -> Iterator[Violation]:
    """Alternatives one step decides between (or steps that exclude each
    other) that both ran: the one that started second was not the one chosen.
    The steps of their branches are not named again."""
    pairs: dict[tuple[int, int], str] = {}

    def ordered(a: int, b: int) -> tuple[int, int]:
        return (a, b) if (ran[a].start, a) <= (ran[b].start, b) else (b, a)

    for decider, alternatives in graphs.decisions().items():
        # Each alternative that ran after the first is named with the first:
        # n of them make n - 1 violations, not n squared.
        chosen = sorted((node for node in alternatives if node != decider and node in ran),
                        key=lambda node: (ran[node].start, node))
        for other in chosen[1:]:
            pairs.setdefault((chosen[0], other), f"`{ids[decider]}` decides between them")
    for a, b, _ in graphs.exclusive_pairs():
        if a in ran and b in ran:
            pairs.setdefault(ordered(a, b), "they exclude each other")
    for (first, second), why in sorted(pairs.items(), key=lambda item: (ran[item[0][1]].start, item[0])):
        yield Violation(
            "RV105", (ids[first], ids[second]),
            f"`{ids[second]}` ran (from {at(ran[second].start)}) although `{ids[first]}` had already run"
            f" and only one of them may: {why}",
        )

