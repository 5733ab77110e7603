"""Kahn's algorithm without a list of the released per node, and O's
order without joins taken by it (issue 16): the same orders as before."""

from hypothesis import given, settings
from hypothesis import strategies as st

from recoverylint.graphs import declared_order, topological_order


def _order_with_released_lists(preds: list[list[int]]) -> list[int] | None:
    """topological_order as it was: each node's released successors
    gathered, then put on the stack in reverse."""
    count = len(preds)
    succs: list[list[int]] = [[] for _ in preds]
    for node, node_preds in enumerate(preds):
        for pred in node_preds:
            succs[pred].append(node)
    indegree = [len(node_preds) for node_preds in preds]
    ready = [node for node in range(count) if not indegree[node]]
    ready.reverse()
    order: list[int] = []
    while ready:
        node = ready.pop()
        order.append(node)
        released = []
        for succ in succs[node]:
            indegree[succ] -= 1
            if not indegree[succ]:
                released.append(succ)
        ready.extend(reversed(released))
    return order if len(order) == count else None


@st.composite
def graphs(draw: st.DrawFn, acyclic: bool) -> list[list[int]]:
    """Predecessor lists of up to 12 nodes, with repeated entries; acyclic:
    each node's predecessors come before it."""
    count = draw(st.integers(0, 12))
    preds = []
    for node in range(count):
        choices = st.integers(0, node - 1) if acyclic else st.integers(0, count - 1)
        found = [] if acyclic and node == 0 else draw(st.lists(choices, max_size=4))
        preds.append(found if draw(st.booleans()) else sorted(set(found)))
    return preds


@settings(max_examples=400, deadline=None)
@given(st.one_of(graphs(acyclic=True), graphs(acyclic=False)))
def test_kahn_gives_the_order_it_gave_with_released_lists(preds):
    assert topological_order(preds) == _order_with_released_lists(preds)


@settings(max_examples=300, deadline=None)
@given(st.one_of(graphs(acyclic=True), graphs(acyclic=False)))
def test_the_order_of_steps_without_joins_is_the_general_one(preds):
    # A join of no sources and no targets takes declared_order's general
    # way (joins passed as released) and changes no order.
    preds = [sorted(set(node_preds)) for node_preds in preds]
    assert declared_order(preds, len(preds)) == declared_order([*preds, []], len(preds))
