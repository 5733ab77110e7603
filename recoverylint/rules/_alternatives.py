"""Alternatives and the steps deciding between them, shared by RL403 and RL404."""

from __future__ import annotations

from collections.abc import Iterator

from ..graphs import Graphs
from ..model import Ref, Runbook
from ..words import in_own_words


def alternatives_and_deciders(graphs: Graphs) -> Iterator[tuple[int, int, Ref, list[int], list[int]]]:
    """Each pair of steps that exclude each other, with the `excludes` entry that says
    so, the steps deciding between them and those of them that come before both."""
    for a, b, ref in graphs.exclusive_pairs():
        # A step cannot choose between itself and another.
        deciding = [d for d in graphs.deciders(a, b) if d not in (a, b)]
        ahead = [d for d in deciding if graphs.before(d, a) and graphs.before(d, b)]
        yield a, b, ref, deciding, ahead


def named_pair(graphs: Graphs, a: int, b: int, ref: Ref) -> tuple[str, str]:
    """(the step the `excludes` entry names, the step it is written on)."""
    first, second = graphs.steps[a].id, graphs.steps[b].id
    return (first, second) if ref.name == first else (second, first)


def decides_suggestion(runbook: Runbook, first: str, second: str) -> str:
    native = "add a step before both with `decides: [{first}, {second}]`, performed by a role holding `decide`"
    return in_own_words(runbook.wording, "decides", native, first=first, second=second)
