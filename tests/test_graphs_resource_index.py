"""Without globs, ResourceIndex answers from its sorted names, no trie made
(issue 16: the trie was most of a runbook's index).  It must find what
the trie walk finds, and count the same work against max_resource_work."""

from hypothesis import given, settings
from hypothesis import strategies as st

from recoverylint.graphs import ResourceIndex, overlaps
from recoverylint.limits import AnalysisLimits, TooLarge

# "-" sorts before "/" and "0" just after it: names such as `a-`, `a0` and
# `a/b` lie on both sides of the run of the names under `a`.
SEGMENTS = st.sampled_from(["a", "b", "a-", "a0", "-", "0", "a.b", ""])
NAMES = st.lists(st.lists(SEGMENTS, min_size=1, max_size=4).map("/".join), min_size=1, max_size=12)
# A glob name no name of SEGMENTS lies under or above: with it in the index,
# the names are walked through the trie, at the same cost.
THROUGH_THE_TRIE = "zz/*"


def _least_work(names: list[str], name: str) -> int:
    """The smallest max_resource_work under which a fresh index answers for `name`."""
    low, high = 0, 1_000
    while low < high:
        middle = (low + high) // 2
        try:
            ResourceIndex(names, AnalysisLimits(max_resource_work=middle)).overlapping(name)
        except TooLarge:
            low = middle + 1
        else:
            high = middle
    return low


@settings(max_examples=300, deadline=None)
@given(NAMES)
def test_names_without_globs_find_and_count_what_the_trie_walk_does(names):
    sorted_names = ResourceIndex(names)
    trie = ResourceIndex([*names, THROUGH_THE_TRIE])
    for name in names:
        expected = tuple(sorted({other for other in names if overlaps(name, other)}))
        assert sorted_names.overlapping(name) == expected
        assert trie.overlapping(name) == expected
        assert _least_work(names, name) == _least_work([*names, THROUGH_THE_TRIE], name)
    assert sorted_names.overlapping("not/indexed") == ()


@settings(max_examples=100, deadline=None)
@given(NAMES, st.integers(0, 60))
def test_names_without_globs_run_out_of_work_at_the_same_question(names, budget):
    def answered(index_names: list[str]) -> int:
        index = ResourceIndex(index_names, AnalysisLimits(max_resource_work=budget))
        for count, name in enumerate(names):
            try:
                index.overlapping(name)
            except TooLarge:
                return count
        return len(names)

    assert answered(names) == answered([*names, THROUGH_THE_TRIE])


def test_the_work_of_a_name_counts_the_nodes_under_it_that_no_name_ends_at():
    # overlapping("a"): one segment down, then the nodes a, a/b, a/b/c and a/b/c/d under it: 5
    # (a/b and a/b/c are no names, but the trie walk passes them).
    names = ["a", "a/b/c/d", "a-", "a0"]
    index = ResourceIndex(names, AnalysisLimits(max_resource_work=5))
    assert index.overlapping("a") == ("a", "a/b/c/d")
    assert _least_work(names, "a") == 5
    # A leaf: its two segments down and itself.
    assert ResourceIndex(names).overlapping("a/b/c/d") == ("a", "a/b/c/d")
    assert _least_work(names, "a/b/c/d") == 5
