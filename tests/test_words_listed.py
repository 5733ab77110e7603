"""`listed` and `quoted` skip cutting a short, whole list: the same words as cutting it."""

from hypothesis import given
from hypothesis import strategies as st

from recoverylint.words import listed, quoted


def listed_by_cutting(words: list[str], limit: int = 5, total: int | None = None) -> str:
    """`listed` as it was written before: always cut to the limit."""
    items = list(words)
    count = len(items) if total is None else total
    items = items[:limit]
    if count > len(items):
        items.append(f"{count - len(items)} more")
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@given(
    st.lists(st.text(max_size=3), max_size=8),
    st.integers(-2, 8),
    st.none() | st.integers(0, 12),
)
def test_listed_says_what_cutting_says(words: list[str], limit: int, total: int | None) -> None:
    assert listed(words, limit, total) == listed_by_cutting(words, limit, total)
    assert listed(iter(words), limit, total) == listed_by_cutting(words, limit, total)


def test_the_edges() -> None:
    assert quoted([]) == ""
    assert quoted(["a"]) == "`a`"
    assert quoted(["a", "b"]) == "`a` and `b`"
    assert quoted("abcde") == "`a`, `b`, `c`, `d` and `e`"
    assert quoted("abcdef") == "`a`, `b`, `c`, `d`, `e` and 1 more"
    assert quoted(["a"], total=3) == "`a` and 2 more"
    assert quoted(["a", "b", "c"], limit=3, total=2) == "`a`, `b` and `c`"
    assert listed(["a", "b"], limit=0) == "2 more"
