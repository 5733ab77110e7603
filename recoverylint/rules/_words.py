"""Small helpers for the words of messages, shared by the rules."""

from __future__ import annotations

import difflib
from typing import Iterable, Optional


def quoted(names: Iterable[str], limit: int = 5) -> str:
    """`a`, `b` and `c` (with "and N more" past the limit)."""
    items = [f"`{name}`" for name in names]
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
