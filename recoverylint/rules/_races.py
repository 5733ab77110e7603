"""Wording shared by the race rules (RL401, RL402)."""

from __future__ import annotations

from ..model import Step
from ..words import needs_suggestion, quoted

RELATED = 5  # other places pointed at per finding


def named(shown: list[Step], count: int) -> str:
    """`a`, `b` and N more: the named partners and how many others."""
    return quoted((step.id for step in shown), limit=len(shown), total=count)


def needs_of(shown: list[Step], count: int, key: str | None) -> str:
    return needs_suggestion([step.id for step in shown], total=count, key=key)
