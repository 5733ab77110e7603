"""Small helpers for the words of messages, shared by the rules."""

from __future__ import annotations

import difflib
from typing import Iterable, Optional


def quoted(names: Iterable[str], limit: int = 5) -> str:
    """`a`, `b` and `c` (with "and N more" past the limit)."""
    return listed((f"`{name}`" for name in names), limit)


def listed(words: Iterable[str], limit: int = 5) -> str:
    """a, b and c (with "and N more" past the limit)."""
    items = list(words)
    if len(items) > limit:
        items = items[:limit] + [f"{len(items) - limit} more"]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def closest(name: str, candidates: Iterable[str]) -> Optional[str]:
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def minutes(value: float) -> str:
    return f"{value:g} min"


# Suggestions and step lists stay short when a step races with thousands of
# others: a report must not grow with the square of the runbook.
_LISTED = 10


def needs_suggestion(step_ids: list[str]) -> str:
    """The `needs` to write: `needs: [a, b]`, cut short past ten steps."""
    if len(step_ids) <= _LISTED:
        return f"needs: [{', '.join(step_ids)}]"
    return f"needs: [{', '.join(step_ids[:_LISTED])}, …] ({len(step_ids)} steps)"


def involved(others: list[str], step_id: str) -> tuple[str, ...]:
    """The step ids a finding is about: the others (at most ten), then the step itself."""
    return tuple(others[:_LISTED]) + (step_id,)
