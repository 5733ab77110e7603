"""O, D, reachability and concurrency on tiny hand-made runbooks."""

import textwrap

from recoverylint.graphs import ResourceIndex, build_graphs, overlaps, reachability
from recoverylint.native import build_runbook, parse_duration
from recoverylint.source import parse


def graphs_of(text):
    runbook = build_runbook(parse(textwrap.dedent(text)), "t.yaml")
    graphs, cycle = build_graphs(runbook)
    assert cycle is None
    return graphs


def order_edges(graphs):
    ids = [s.id for s in graphs.steps]
    return {(ids[p], ids[n]) for n, preds in enumerate(graphs.order_preds) for p in preds}


def required_edges(graphs):
    ids = [s.id for s in graphs.steps]
    return {(ids[p], ids[n]) for n, preds in enumerate(graphs.required_preds) for p in preds}


def test_blocks_make_joins_and_threads():
    graphs = graphs_of(
        """
        runbook: r
        steps:
          - id: triage
          - parallel:
              - id: disk
              - sequence:
                  - id: deploys
                  - id: rollback-plan
          - id: fix
        """
    )
    assert order_edges(graphs) == {
        ("triage", "disk"),
        ("triage", "deploys"),
        ("deploys", "rollback-plan"),
        ("disk", "fix"),
        ("rollback-plan", "fix"),
    }
    index = graphs.index
    assert graphs.concurrent(index["disk"], index["rollback-plan"])
    assert graphs.before(index["triage"], index["fix"])


def test_stage_gates_link_last_steps_to_first_and_gate_false_does_not():
    graphs = graphs_of(
        """
        runbook: r
        stages:
          - stage: one
            flow: parallel
            steps:
              - id: a
              - id: b
                needs: [a]
              - id: c
          - stage: two
            steps:
              - id: d
              - id: e
          - stage: three
            gate: false
            steps:
              - id: f
        """
    )
    edges = order_edges(graphs)
    assert {("b", "d"), ("c", "d")} <= edges
    assert ("a", "d") not in edges  # implied through b
    assert not any(target == "f" for _, target in edges)


def test_a_consumer_needs_only_the_latest_producer_before_it():
    graphs = graphs_of(
        """
        runbook: r
        steps:
          - id: p1
            outputs: [x]
          - id: p2
            outputs: [x]
          - id: use
            inputs: [x]
          - id: p3
            outputs: [x]
        """
    )
    assert required_edges(graphs) == {("p2", "use")}


def test_resource_conflicts_follow_the_declared_direction():
    graphs = graphs_of(
        """
        runbook: r
        resources:
          k8s/orders: {}
          status-page: {concurrency: shared}
        steps:
          - id: read-pods
            reads: [k8s/orders/pods]
          - id: scale
            writes: [k8s/orders]
          - id: read-again
            reads: [k8s/orders/*]
          - id: post
            writes: [status-page]
          - id: post-again
            writes: [status-page]
        """
    )
    assert required_edges(graphs) == {("read-pods", "scale"), ("scale", "read-again")}


def test_close_requires_everything_and_verification_requires_its_change():
    graphs = graphs_of(
        """
        runbook: r
        flow: parallel
        steps:
          - id: fix
            writes: [db]
          - id: check
            phase: verify
            reads: [db]
          - id: close
            phase: close
        """
    )
    assert required_edges(graphs) == {("fix", "check"), ("fix", "close"), ("check", "close")}


def test_decided_alternatives_are_never_concurrent():
    graphs = graphs_of(
        """
        runbook: r
        flow: parallel
        steps:
          - id: choose
            decides: [hotfix, rollback]
          - id: hotfix
          - id: rollback
          - id: other
        """
    )
    index = graphs.index
    assert not graphs.concurrent(index["hotfix"], index["rollback"])
    assert graphs.concurrent(index["hotfix"], index["other"])
    assert graphs.requires(index["choose"], index["rollback"])


def test_reachability_with_a_cycle():
    # 0 -> 1 -> 2 -> 1, and 3 alone
    reach = reachability([[], [0, 2], [1], []])
    assert reach.reaches(0, 2) and reach.reaches(1, 1) and reach.reaches(2, 1)
    assert not reach.reaches(2, 0) and not reach.reaches(3, 3) and not reach.reaches(0, 3)


def test_reduction_and_latest():
    graphs = graphs_of(
        """
        runbook: r
        flow: parallel
        steps:
          - id: a
          - id: b
            needs: [a]
          - id: c
            needs: [a, b]
        """
    )
    index = graphs.index
    assert graphs.reduction_preds(index["c"]) == [index["b"]]
    assert graphs.latest(graphs.mask([index["a"], index["b"]])) == [index["b"]]


def test_resource_overlap_by_prefix_and_glob():
    assert overlaps("k8s/orders", "k8s/orders/pods/p1")
    assert overlaps("k8s/orders/*", "k8s/orders/pod-1")
    assert overlaps("k8s/*/pods", "k8s/orders")
    assert not overlaps("k8s/orders", "k8s/payments")
    assert not overlaps("orders-db", "orders-db-replica")
    index = ResourceIndex(["k8s/orders", "k8s/orders/p1", "k8s/payments", "k8s/*/p1"])
    assert index.overlapping("k8s/orders/p1") == ("k8s/*/p1", "k8s/orders", "k8s/orders/p1")
    assert index.overlapping("k8s/payments") == ("k8s/*/p1", "k8s/payments")  # k8s/payments/p1
    assert ResourceIndex(["a/b", "a/c"]).overlapping("a/b") == ("a/b",)


def test_durations():
    assert parse_duration("90s") == 1.5
    assert parse_duration("1h30m") == 90
    assert parse_duration("2h") == 120
    assert parse_duration(7) == 7.0
    assert parse_duration("soon") is None
    assert parse_duration(float("nan")) is None


def test_implicit_verification_of_a_shared_resource_still_orders_it():
    # Shared uses never conflict, so the verification edge itself must be in D.
    graphs = graphs_of(
        """
        runbook: r
        resources:
          status-page: {concurrency: shared}
        steps:
          - id: post
            writes: [status-page]
          - id: check-post
            phase: verify
            reads: [status-page]
        """
    )
    assert required_edges(graphs) == {("post", "check-post")}
    assert graphs.verified_out_of_order(graphs.steps[1]) == []
