"""Small helpers for the words of messages, shared by the rules."""

from __future__ import annotations

import difflib
from typing import Iterable, Optional

from ..model import Runbook


def quoted(names: Iterable[str], limit: int = 5, total: Optional[int] = None) -> str:
    """`a`, `b` and `c` (with "and N more" past the limit)."""
    return listed((f"`{name}`" for name in names), limit, total)


def listed(words: Iterable[str], limit: int = 5, total: Optional[int] = None) -> str:
    """a, b and c (with "and N more" past the limit, or up to `total` when
    only the first of many are given)."""
    items = list(words)
    count = len(items) if total is None else total
    items = items[:limit]
    if count > len(items):
        items.append(f"{count - len(items)} more")
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def counted(number: int, noun: str) -> str:
    """`1 file`, `2 files`, `3 fixes`."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {noun}{'es' if noun.endswith(('x', 's', 'ch', 'sh')) else 's'}"


def closest(name: str, candidates: Iterable[str]) -> Optional[str]:
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def minutes(value: float) -> str:
    """`12 min`, `1.5 min`, `1,440 min`: at most two decimals, none when
    whole, as the plan writes a step's minutes (`:g` wrote `0.333333 min`
    for 20 seconds, and `1.2e+06 min` for large ones)."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text) + " min"


# Suggestions and step lists stay short when a step races with thousands of
# others: a report must not grow with the square of the runbook.
_LISTED = 10


def needs_suggestion(
    step_ids: list[str], total: Optional[int] = None, key: Optional[str] = "needs"
) -> str:
    """The waits to write: `needs: [a, b]`, cut short past ten steps (or
    when `total` says only the first of many are given).  `key` is the
    runbook format's word for it (`runAfter`...); None when the format has
    none (it orders steps by their place or by jumps): then it says what to
    wait for in words."""
    count = len(step_ids) if total is None else total
    if key is None:
        if not count:
            return "let it start at once"
        return f"make it wait for {quoted(step_ids, limit=_LISTED, total=count)}"
    if not count:
        return f"{key}: [] (it can start at once)"
    if count <= _LISTED and count == len(step_ids):
        return f"{key}: [{', '.join(step_ids)}]"
    return f"{key}: [{', '.join(step_ids[:_LISTED])}, …] ({count} steps)"


def in_own_words(runbook: Runbook, asks: str, native: str, **values: str) -> str:
    """A suggestion in the words of the runbook's format: its template for
    what the suggestion `asks` (`Runbook.wording`), else `native`, filled in
    with `values`."""
    return runbook.wording.get(asks, native).format(**values)


def involved(others: list[str], step_id: str) -> tuple[str, ...]:
    """The step ids a finding is about: the others (at most ten), then the step itself."""
    return tuple(others[:_LISTED]) + (step_id,)
