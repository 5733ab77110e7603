"""O, D, reachability and concurrency on tiny hand-made runbooks."""

import sys
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

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


CHAIN_ALT = """
    runbook: r
    flow: parallel
    steps:
      - id: choose
        decides: [restart-a, restart-b]
      - id: restart-a
        needs: [choose]
      - id: restart-b
        needs: [choose]
      - id: flush-cache
        needs: [restart-b]
      - id: check
        needs: [restart-a, flush-cache]
    """


def test_a_step_after_one_alternative_is_in_its_branch():
    graphs = graphs_of(CHAIN_ALT)
    index = graphs.index
    assert graphs.decided_apart(index["restart-a"], index["restart-b"])
    assert graphs.decided_apart(index["restart-b"], index["restart-a"])
    # flush-cache runs only after restart-b: never with restart-a.
    assert graphs.decided_apart(index["restart-a"], index["flush-cache"])
    assert not graphs.concurrent(index["restart-a"], index["flush-cache"])
    # check comes after both branches: it is where they join, in no branch.
    assert not graphs.decided_apart(index["check"], index["restart-a"])
    changes = [index[name] for name in ("restart-a", "restart-b", "flush-cache")]
    assert len(graphs.widest(changes)) == 1
    assert len(graphs.widest_of_all()) == 1


def test_one_step_deciding_among_many_keeps_one_group():
    options = [f"o{i}" for i in range(300)]
    text = "runbook: r\nflow: parallel\nsteps:\n  - id: choose\n    decides: [" + ", ".join(options) + "]\n"
    text += "".join(f"  - id: {o}\n" for o in options) + "  - id: other\n"
    graphs = graphs_of(text)
    index = graphs.index
    assert len(graphs.decisions()) == 1
    assert graphs.deciders(index["o1"], index["o299"]) == [index["choose"]]
    assert graphs.deciders(index["o1"], index["other"]) == []
    assert not graphs.concurrent(index["o5"], index["o7"])
    assert graphs.concurrent(index["o5"], index["other"])
    assert len(graphs.widest_of_all()) == 3  # `choose`, one option and `other`


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


def test_widest_is_a_maximum_antichain_of_the_declared_order():
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
              - id: logs
          - id: fix
        """
    )
    ids = [s.id for s in graphs.steps]
    assert [ids[n] for n in graphs.widest(range(len(ids)))] == ["disk", "deploys", "logs"]
    # Among a subset, steps ordered through others stay ordered.
    subset = [graphs.index["triage"], graphs.index["rollback-plan"], graphs.index["fix"]]
    assert len(graphs.widest(subset)) == 1


def test_widest_never_takes_two_alternatives_a_step_decides_between():
    graphs = graphs_of(
        """
        runbook: r
        steps:
          - id: choose
            decides: [hotfix, rollback]
          - parallel:
              - id: hotfix
              - id: rollback
              - id: notify
        """
    )
    ids = [s.id for s in graphs.steps]
    widest = [ids[n] for n in graphs.widest(range(len(ids)))]
    assert len(widest) == 2 and "notify" in widest


def _brute_width(before, members):
    from itertools import combinations

    for size in range(len(members), 0, -1):
        for group in combinations(members, size):
            if not any(before[b] >> a & 1 or before[a] >> b & 1 for a, b in combinations(group, 2)):
                return size
    return 0


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_widest_antichain_matches_brute_force(data):
    from recoverylint.graphs import widest_antichain

    count = data.draw(st.integers(1, 9))
    before = [0] * count
    for later in range(count):
        for earlier in range(later):
            if data.draw(st.booleans()):
                before[later] |= 1 << earlier | before[earlier]
    members = data.draw(st.lists(st.integers(0, count - 1), min_size=1, unique=True))
    member_mask = sum(1 << m for m in members)
    found = widest_antichain(sorted(members), lambda m: before[m] & member_mask)
    chosen = [m for m in members if found >> m & 1]
    assert found & ~member_mask == 0
    assert not any(
        before[b] >> a & 1 or before[a] >> b & 1 for a in chosen for b in chosen if a != b
    )
    assert len(chosen) == _brute_width(before, members)


def test_independent_required_pairs_counts_pairs_neither_requires():
    graphs = graphs_of(
        """
        runbook: r
        flow: parallel
        given: [alert]
        steps:
          - id: a
            inputs: [alert]
            outputs: [x]
          - id: b
            inputs: [x]
          - id: c
          - id: d
        """
    )
    assert graphs.independent_required_pairs() == 5  # of 6 pairs, only a->b is required


def test_independent_required_pairs_with_a_cycle_in_the_required_order():
    # `b` approves `a` (so D puts b first) yet `b` uses what `a` outputs.
    graphs = graphs_of(
        """
        runbook: r
        flow: parallel
        steps:
          - id: a
            outputs: [x]
          - id: b
            inputs: [x]
            approves: [a]
          - id: c
        """
    )
    assert graphs.requires(graphs.index["a"], graphs.index["a"])
    assert graphs.independent_required_pairs() == 2


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_reachability_with_cycles_matches_networkx(data):
    import networkx as nx

    count = data.draw(st.integers(1, 10))
    preds = [
        sorted(set(data.draw(st.lists(st.integers(0, count - 1), max_size=3))))
        for _ in range(count)
    ]
    graph = nx.DiGraph()
    graph.add_nodes_from(range(count))
    graph.add_edges_from((pred, node) for node, node_preds in enumerate(preds) for pred in node_preds)
    found = reachability(preds)
    for a in range(count):
        for b in range(count):
            on_cycle = any(a in cycle for cycle in nx.simple_cycles(graph)) if a == b else True
            assert found.reaches(a, b) == (nx.has_path(graph, a, b) and on_cycle)


def test_checking_a_runbook_leaves_no_reference_cycles_behind():
    # The CLI turns the cyclic collector off while checking: a cycle through
    # the model or the graphs would keep every checked runbook in memory.
    import gc
    from pathlib import Path

    from recoverylint.engine import check_text

    text = (Path(__file__).parent.parent / "examples" / "parallel-deploy-races.yaml").read_text()
    check_text(text)  # compiles and caches the schema check once
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        check_text(text)
        gc.collect()
        kept = {type(item).__name__ for item in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert not kept & {"Runbook", "Step", "Graphs", "Span", "Finding"}, kept


SEGMENTS = st.sampled_from(["a", "b", "ab", "*", "a*", "?b", "[ab]", ""])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(SEGMENTS, min_size=1, max_size=4).map("/".join), min_size=1, max_size=12))
def test_the_resource_index_finds_what_comparing_every_pair_finds(names):
    index = ResourceIndex(names)
    for name in names:
        assert index.overlapping(name) == tuple(sorted({other for other in names if overlaps(name, other)}))
    assert index.overlapping("not/indexed") == ()


def _flow_items():
    """Nested flow items: None is a step (numbered when written out)."""
    return st.recursive(
        st.none(),
        lambda inner: st.tuples(st.sampled_from(["parallel", "sequence"]), st.lists(inner, min_size=1, max_size=4)),
        max_leaves=14,
    )


def _written(items, counter, needs):
    written = []
    for item in items:
        if item is None:
            number = next(counter)
            step = {"id": f"s{number}"}
            if number in needs:
                step["needs"] = [f"s{needs[number]}"]
            written.append(step)
        else:
            written.append({item[0]: _written(item[1], counter, needs)})
    return written


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(_flow_items(), min_size=1, max_size=4), min_size=1, max_size=4),
    st.booleans(),
    st.dictionaries(st.integers(0, 14), st.integers(0, 14), max_size=3),
)
def test_joins_give_the_order_their_pairs_would(flows, staged, needs):
    """A block boundary or stage gate kept as one join: the same predecessors,
    topological order, ancestors and declarations as an edge per pair."""
    import itertools
    import json

    from recoverylint.graphs import ancestor_bitsets, topological_order
    from recoverylint.model import DeclaredEdge

    counter = itertools.count()
    if staged:
        document = {"runbook": "r", "stages": [
            {"stage": f"st{n}", "flow": "parallel" if n % 2 else "sequential", "steps": _written(items, counter, needs)}
            for n, items in enumerate(flows)
        ]}
    else:
        document = {"runbook": "r", "steps": _written([("parallel", items) for items in flows], counter, needs)}
    runbook = build_runbook(parse(json.dumps(document)), "r.yaml")
    index = {step.id: step.index for step in runbook.steps}
    pairs = list(runbook.declared_edges) + [
        DeclaredEdge(source, target, join.kind, runbook.steps[index[target]].span, stage=join.stage)
        for join in runbook.declared_joins
        for target in join.targets
        for source in join.sources
    ]
    expanded = [set() for _ in runbook.steps]
    for edge in pairs:
        if edge.source in index:
            expanded[index[edge.target]].add(index[edge.source])
    expanded = [sorted(preds) for preds in expanded]
    order = topological_order(expanded)
    graphs, cycle = build_graphs(runbook)
    assert (graphs is None) == (order is None) == (cycle is not None)
    if graphs is None:
        ids = cycle.cycle
        assert ids[0] == ids[-1]
        for source, target in zip(ids, ids[1:]):
            assert index[source] in expanded[index[target]]
        return
    assert graphs.order_preds == expanded
    assert graphs.topological == order
    assert (graphs.position, list(graphs.ancestors)) == ancestor_bitsets(expanded, order)
    declared = graphs.declared_between()
    for edge in pairs:
        assert edge in declared[(edge.source, edge.target)]
    for target, preds in enumerate(expanded):
        for source in preds:
            assert len(declared[(runbook.steps[source].id, runbook.steps[target].id)]) == sum(
                1 for e in pairs if (e.source, e.target) == (runbook.steps[source].id, runbook.steps[target].id)
            )


def test_packed_masks_keep_a_far_bit_small_and_give_it_back_whole():
    from recoverylint.graphs.bits import PackedMasks

    masks: PackedMasks[str] = PackedMasks()
    far = (1 << 50_000) | (1 << 50_003)
    masks.put("late", far)
    masks.add_positions("listed", [40_000, 40_001, 49_999])
    assert masks.get("late") == far
    assert masks.get("listed") == (1 << 40_000) | (1 << 40_001) | (1 << 49_999)
    assert masks.get("unknown") == 0 and masks.cached("unknown") is None
    masks.put("empty", 0)
    assert masks.cached("empty") == 0
    # Kept without the trailing zeros: a few bytes, not 50,000 bits.
    assert max(sys.getsizeof(bits) for _, bits in masks._packed.values()) < 2_000


def test_resource_uses_one_conflict_answer_for_shared_and_unshared_names():
    graphs = graphs_of(
        """
        runbook: r
        resources:
          db: {concurrency: shared}
          cache: {}
        steps:
          - {id: a, writes: [db]}
          - {id: b, writes: [db/orders], reads: [cache]}
          - {id: c, writes: [cache/x]}
        """
    )
    uses = graphs.uses
    assert not uses.conflict("db", "db/orders")
    assert uses.conflict("cache", "cache/x")
    assert list(uses.conflicting("db")) == []
    assert list(uses.conflicting("cache")) == ["cache", "cache/x"]
    b, c = graphs.steps[1], graphs.steps[2]
    assert uses.first_conflict(b.reads, c.writes) == (b.reads[0], c.writes[0])
    assert uses.first_conflict(b.writes, graphs.steps[0].writes) is None


def test_packed_bitsets_give_back_each_bitset_and_keep_spread_ones_as_positions():
    from recoverylint.graphs.bits import PackedBitsets

    gated = (1 << 40_000) - 1 | 1 << 45_000  # everything before a gate, and one more
    spread = 1 << 3 | 1 << 20_000 | 1 << 49_999  # a few steps far apart
    packed = PackedBitsets(4)
    packed[0], packed[1], packed[2] = gated, spread, 0
    packed.put_positions(3, {5, 30_000})
    assert [packed[node] for node in range(4)] == [gated, spread, 0, 1 << 5 | 1 << 30_000]
    assert list(packed) == [gated, spread, 0, 1 << 5 | 1 << 30_000]
    assert packed.sparse(1) == [3, 20_000, 49_999] and packed.sparse(0) is None
    for node, mask in enumerate([gated, spread, 0]):
        assert packed.bit_count(node) == mask.bit_count()
        for bit in (0, 3, 5, 39_999, 40_000, 45_000, 20_000, 49_999, 60_000):
            assert packed.has(node, bit) == bool(mask >> bit & 1)
    # Neither is kept as wide as the graph.
    assert all(sys.getsizeof(rest) < 1_000 for rest in packed._rest)


def test_required_reachability_is_packed_and_answers_as_before():
    graphs = graphs_of(
        """
        runbook: r
        steps:
          - {id: a, outputs: [x]}
          - {id: b, inputs: [x], outputs: [y]}
          - {id: c}
          - {id: d, inputs: [y]}
        """
    )
    index = graphs.index
    assert graphs.requires(index["a"], index["d"]) and not graphs.requires(index["c"], index["d"])
    assert graphs.real_prerequisites(index["d"]) == [index["b"]]
    assert graphs.independent_required_pairs() == 3


def _blocks_racing_on_a_join(readers, writers):
    """A parallel block of `readers` of `db` and one writer `w`, then a
    parallel block of `writers` of `db`: one join of readers + 1 sources
    and `writers` targets."""
    first = "".join(f"      - {{id: a{i}, reads: [db]}}\n" for i in range(readers))
    second = "".join(f"      - {{id: b{i}, writes: [db]}}\n" for i in range(writers))
    return graphs_of(
        "runbook: r\nsteps:\n  - parallel:\n" + first + "      - {id: w, writes: [db]}\n"
        "  - parallel:\n" + second
    )


def test_read_races_walk_a_join_of_m_and_n_steps_through_m_plus_n_successors(monkeypatch):
    from recoverylint.graphs import races

    readers, writers = 60, 80
    graphs = _blocks_racing_on_a_join(readers, writers)
    assert len(graphs.runbook.declared_joins) == 1
    walked = []

    def counted(preds):
        succs = races.successor_lists.__wrapped__(preds)
        walked.append(sum(len(found) for found in succs))
        return succs

    counted.__wrapped__ = races.successor_lists
    monkeypatch.setattr(races, "successor_lists", counted)
    groups = list(races.read_partners(graphs).groups())
    # Each reader races only `w`, beside it; the writers after the join are its descendants.
    assert [(step.id, count, [p.id for p in shown]) for step, _, count, shown in groups] == [
        (f"a{i}", 1, ["w"]) for i in range(readers)
    ]
    # The join's sources and targets, each once: m + n entries, not m x n.
    assert walked == [(readers + 1) + writers]


def test_declared_ancestors_are_packed_behind_a_join():
    graphs = graphs_of(
        "runbook: r\nsteps:\n"
        + "".join("  - parallel:\n" + "".join(f"      - id: {block}{i}\n" for i in range(2_001)) for block in "ab")
    )
    index = graphs.index
    assert graphs.before(index["a7"], index["b3"]) and not graphs.before(index["a7"], index["a8"])
    # Every step of the second block has the 2,001 of the first as ancestors,
    # kept as a count of trailing ones, not 2,000 bits per step.
    assert all(sys.getsizeof(rest) < 100 for rest in graphs.ancestors._rest)
    assert graphs.ancestors[index["b0"]] == (1 << 2_001) - 1
