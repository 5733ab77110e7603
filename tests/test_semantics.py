"""What steps do beyond facts and resources, in the native format: guards,
observations of a scope, clocks and resource parents, as edges of D (O stays
as declared), and what RL201 and `plan` make of them."""

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from recoverylint.engine import plan_text
from recoverylint.graphs import build_graphs, overlaps
from recoverylint.model import Ref, Span
from recoverylint.native import build_runbook
from recoverylint.requirements import ParentedResourceIndex, full_name
from recoverylint.source import parse


def graphs_of(text):
    runbook = build_runbook(parse(textwrap.dedent(text)), "t.yaml")
    graphs, cycle = build_graphs(runbook)
    assert cycle is None
    return graphs


def required_edges(graphs):
    ids = [s.id for s in graphs.steps]
    return {(ids[p], ids[n]) for n, preds in enumerate(graphs.required_preds) for p in preds}


def order_edges(graphs):
    ids = [s.id for s in graphs.steps]
    return {(ids[p], ids[n]) for n, preds in enumerate(graphs.order_preds) for p in preds}


def gates(lint, text):
    return [(f.message.split("`")[1], f.message.split("`")[3]) for f in lint(text, "RL201")]


HEADER = """
runbook: r
roles:
  oncall: {authority: [observe, apply]}
"""

STOPWATCH = HEADER + """
steps:
  - id: start-clock
    role: oncall
    clock: start
  - id: failover
    role: oncall
    writes: [db/orders]
    rollback: fail back
  - id: flush-cache
    role: oncall
    writes: [cache/orders]
    rollback: nothing to undo
  - id: stop-clock
    role: oncall
    clock: stop
"""


# -- Clocks -------------------------------------------------------------------


def test_a_clock_stop_requires_every_step_between_it_and_the_start_and_they_the_start():
    graphs = graphs_of(STOPWATCH)
    assert required_edges(graphs) == {
        ("start-clock", "stop-clock"),
        ("failover", "stop-clock"),
        ("flush-cache", "stop-clock"),
        ("start-clock", "failover"),
        ("start-clock", "flush-cache"),
    }
    # O is the checklist as written.
    assert order_edges(graphs) == {
        ("start-clock", "failover"),
        ("failover", "flush-cache"),
        ("flush-cache", "stop-clock"),
    }


def test_rl201_no_longer_calls_the_stopwatch_end_a_needless_gate(lint):
    assert gates(lint, STOPWATCH) == [("flush-cache", "failover")]
    # Without the clock keys the end "needs nothing": the case the hand review found.
    untimed = STOPWATCH.replace("    clock: start\n", "").replace("    clock: stop\n", "")
    assert ("stop-clock", "flush-cache") in gates(lint, untimed)


def test_plan_puts_the_stopwatch_end_after_everything_it_times():
    _, plan = plan_text(textwrap.dedent(STOPWATCH))
    timings = plan.required.timings
    ids = [s.id for s in plan.runbook.steps]
    stop = timings[ids.index("stop-clock")]
    start = timings[ids.index("start-clock")]
    for name in ("failover", "flush-cache"):
        assert timings[ids.index(name)].finish <= stop.start
        assert timings[ids.index(name)].start >= start.finish
    # The two changes may still run together: the clock orders only its ends.
    assert timings[ids.index("failover")].earliest_start == timings[ids.index("flush-cache")].earliest_start


def test_named_clocks_bracket_only_what_lies_between_their_own_ends():
    graphs = graphs_of(
        HEADER
        + """
        steps:
          - id: start-total
            clock: {start: total}
          - id: start-failover
            clock: {start: failover}
          - id: failover
            writes: [db/orders]
          - id: stop-failover
            clock: {stop: failover}
          - id: flush-cache
            writes: [cache/orders]
          - id: stop-total
            clock: {stop: total}
        """.replace("\n        ", "\n")
    )
    edges = required_edges(graphs)
    assert ("failover", "stop-failover") in edges
    assert ("flush-cache", "stop-failover") not in edges
    assert ("start-failover", "stop-failover") in edges
    assert {("failover", "stop-total"), ("flush-cache", "stop-total"), ("stop-failover", "stop-total")} <= edges
    assert ("start-total", "flush-cache") in edges


def test_a_clock_start_comes_after_every_step_before_it(lint):
    """Started beside the steps before it, the stopwatch would time them too
    (a backup taken before a fault injection is no part of the recovery)."""
    text = HEADER + """
        steps:
          - parallel:
              - id: check-alarm
              - id: back-up-policy
                reads: [queue/orders]
          - id: record-start
            clock: start
          - id: inject-failure
            writes: [queue/orders]
          - id: output-recovery-time
            clock: stop
        """.replace("\n        ", "\n")
    edges = required_edges(graphs_of(text))
    assert {("check-alarm", "record-start"), ("back-up-policy", "record-start")} <= edges
    assert [f for f in lint(text, "RL201") if "record-start" in f.message] == []


def test_a_stop_with_no_start_before_it_and_a_concurrent_start_add_nothing():
    graphs = graphs_of(
        HEADER
        + """
        flow: parallel
        steps:
          - id: start-clock
            clock: start
          - id: work
            writes: [db/orders]
          - id: stop-clock
            needs: [work]
            clock: stop
        """.replace("\n        ", "\n")
    )
    assert required_edges(graphs) == set()


# -- Guards -------------------------------------------------------------------


GUARDED = HEADER + """
steps:
  - id: assert-replica-healthy
    role: oncall
    guard: true
  - id: read-lag
    role: oncall
    reads: [db/replica]
  - id: failover
    role: oncall
    writes: [db/orders]
    rollback: fail back
"""


def test_a_guard_is_required_before_every_later_change_only():
    graphs = graphs_of(GUARDED)
    assert required_edges(graphs) == {("assert-replica-healthy", "failover")}


def test_rl201_no_longer_calls_the_gate_after_a_guard_needless(lint):
    # The read waits for the guard for nothing; the failover waits for the
    # read for nothing, but needs the guard (through the read in O).
    assert gates(lint, GUARDED) == [("read-lag", "assert-replica-healthy"), ("failover", "read-lag")]
    unguarded = GUARDED.replace("    guard: true\n", "")
    assert ("read-lag", "assert-replica-healthy") in gates(lint, unguarded)
    assert not any(f.message.startswith("`failover` waits for `read-lag`") and "needs only" in f.message
                   for f in lint(unguarded, "RL201"))


# -- Observations -------------------------------------------------------------


OBSERVED = HEADER + """
steps:
  - id: alarm-green-before
    role: oncall
    observes: [service/orders]
  - id: inject-fault
    role: oncall
    writes: [service/orders/db]
    rollback: stop the experiment
  - id: failover
    role: oncall
    writes: [service/orders/db/primary]
    rollback: fail back
  - id: rotate-logs
    role: oncall
    writes: [logs/orders]
    rollback: nothing to undo
  - id: alarm-green-after
    role: oncall
    observes: [service/orders]
"""


def test_an_observation_follows_the_changes_under_its_scope_and_guards_those_after_it():
    edges = required_edges(graphs_of(OBSERVED))
    assert ("alarm-green-before", "inject-fault") in edges
    assert ("alarm-green-before", "failover") in edges
    assert ("inject-fault", "alarm-green-after") in edges
    assert ("failover", "alarm-green-after") in edges
    # Outside the scope: neither observed nor guarded.
    assert not {e for e in edges if "rotate-logs" in e}


def test_rl201_no_longer_calls_the_alarm_check_after_a_failover_needless(lint):
    found = gates(lint, OBSERVED)
    assert ("inject-fault", "alarm-green-before") not in found
    assert ("alarm-green-after", "rotate-logs") in found
    # The check right after the failover is required after it.
    direct = OBSERVED.replace(
        "  - id: rotate-logs\n    role: oncall\n    writes: [logs/orders]\n    rollback: nothing to undo\n", ""
    )
    assert gates(lint, direct) == []


def test_an_observation_of_everything_sees_every_change():
    edges = required_edges(graphs_of(OBSERVED.replace("observes: [service/orders]", "observes: ['*']")))
    assert ("rotate-logs", "alarm-green-after") in edges
    assert ("alarm-green-before", "rotate-logs") in edges


# -- Resource parents ---------------------------------------------------------


BUCKET = HEADER + """
resources:
  orders-bucket: {kind: bucket}
  orders-archive: {kind: object, parent: orders-bucket}
steps:
  - id: back-up-archive
    role: oncall
    reads: [orders-archive]
  - id: empty-bucket
    role: oncall
    writes: [orders-bucket]
    rollback: restore from the backup
"""


def test_a_write_to_a_parent_conflicts_with_a_read_of_its_child(lint):
    assert required_edges(graphs_of(BUCKET)) == {("back-up-archive", "empty-bucket")}
    assert gates(lint, BUCKET) == []
    orphan = BUCKET.replace(", parent: orders-bucket", "")
    assert required_edges(graphs_of(orphan)) == set()
    assert gates(lint, orphan) == [("empty-bucket", "back-up-archive")]


def test_parents_chain_and_reach_names_under_a_child():
    graphs = graphs_of(
        HEADER
        + """
        resources:
          vpc-1: {}
          cluster-a: {parent: vpc-1}
          i-1: {parent: cluster-a}
        steps:
          - id: snapshot-disk
            reads: [i-1/disk]
          - id: delete-vpc
            writes: [vpc-1]
        """.replace("\n        ", "\n")
    )
    assert required_edges(graphs) == {("snapshot-disk", "delete-vpc")}
    assert graphs.resources.overlapping("vpc-1") == ("i-1/disk", "vpc-1")


def test_parents_that_loop_end(lint):
    text = HEADER + """
resources:
  a: {parent: b}
  b: {parent: a}
steps:
  - id: one
    role: oncall
    reads: [a]
  - id: two
    role: oncall
    writes: [b]
    rollback: undo
"""
    # A loop is a mistake with no meaning to give it: it only must not hang.
    assert required_edges(graphs_of(text)) <= {("one", "two")}
    assert [f.code for f in lint(text) if f.code.startswith("RL0")] == []


# -- The format ---------------------------------------------------------------


def test_the_new_keys_are_checked_by_the_schema(lint):
    text = HEADER + """
resources:
  a: {parent: "not a name"}
steps:
  - id: one
    role: oncall
    guard: yes please
    clock: begin
    observes: ["has space"]
  - id: two
    role: oncall
    clock: {start: total, lap: x}
"""
    found = [(f.code, f.span.line, f.message.split(":")[0]) for f in lint(text)]
    assert found == [
        ("RL002", 6, "`$.resources.a.parent`"),
        ("RL002", 10, "`$.steps[0].guard`"),
        ("RL002", 11, "`$.steps[0].clock`"),
        ("RL002", 12, "`$.steps[0].observes[0]`"),
        ("RL002", 15, "`$.steps[1].clock.lap`"),
    ]


def test_concurrent_uses_of_a_parent_and_its_child_are_reported(lint):
    text = HEADER + """
resources:
  orders-bucket: {kind: bucket}
  orders-archive: {kind: object, parent: orders-bucket}
flow: parallel
steps:
  - id: rewrite-archive
    role: oncall
    writes: [orders-archive]
    rollback: restore
  - id: empty-bucket
    role: oncall
    writes: [orders-bucket]
    rollback: restore from the backup
"""
    assert [f.message for f in lint(text, "RL401")] == [
        "`empty-bucket` writes `orders-bucket` while `rewrite-archive` can write `orders-archive` at the same"
        " time: the changes can interleave and leave it in a state neither intended"
    ]
    assert lint(text.replace(", parent: orders-bucket", ""), "RL401") == []


def test_thousands_of_guards_before_thousands_of_changes_hit_the_edge_limit_not_a_hang(lint):
    # Every change requires every guard before it: 1,500 of each in a row make
    # over a million edges of D, which the analysis refuses to build.
    lines = ["runbook: many-guards", "steps:"]
    for number in range(1500):
        lines += [f"  - id: check-{number}", "    guard: true", f"  - id: change-{number}", f"    writes: [r/{number}]"]
    found = [f for f in lint("\n".join(lines) + "\n") if f.code == "RL001"]
    assert [f.message.split(":")[0] for f in found] == ["too large to analyse"]


def test_a_parent_that_is_no_declared_resource_is_rl102(lint):
    text = BUCKET.replace("parent: orders-bucket", "parent: orders-buckt")
    assert [(f.span.line, f.message, f.suggestion) for f in lint(text, "RL102")] == [
        (7, "`parent` resource `orders-buckt` of `orders-archive` refers to no resource in this runbook",
         "did you mean `orders-bucket`?")
    ]
    assert lint(BUCKET, "RL102") == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "a/x", "b/y", "c", "c/*", "d/e"]), min_size=1, max_size=6),
    st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(["a", "b", "c", "p", "p/q"]), max_size=3),
)
def test_the_parented_index_agrees_with_comparing_full_names(names, parents):
    refs = {child: Ref(parent, Span(1, 1, 1, 1)) for child, parent in parents.items()}
    index = ParentedResourceIndex(names, refs)
    for name in names:
        expected = {
            other for other in names if overlaps(full_name(name, refs), full_name(other, refs))
        }
        assert set(index.overlapping(name)) == expected
