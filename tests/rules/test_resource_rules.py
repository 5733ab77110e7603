"""RL401-RL405: shared-resource conflicts, alternatives and staffing.

Triggers with exact locations and words, and the near misses each rule must
leave alone."""

from hypothesis import given, settings
from hypothesis import strategies as st


# -- RL405 understaffed-parallelism -------------------------------------------


def test_resource_rules_ignore_a_runbook_without_resources_or_alternatives(lint):
    text = """
        runbook: r
        flow: parallel
        steps:
          - id: a
          - id: b
        """
    assert [f for f in lint(text) if f.code.startswith("RL40")] == []
    # The same two steps writing one resource do race.
    racing = text.replace("- id: a\n", "- id: a\n            writes: [db]\n").replace(
        "- id: b\n", "- id: b\n            writes: [db]\n"
    )
    assert [f.code for f in lint(racing) if f.code.startswith("RL40")] == ["RL401"]


# -- the bitset search against every pair, on random runbooks -----------------

NAMES = ["db", "db/rows", "db/*", "cache", "page", "page/banner", "*"]


@st.composite
def random_runbooks(draw):
    count = draw(st.integers(2, 9))
    lines = [
        "runbook: r",
        "flow: parallel",
        "resources:",
        "  db: {kind: database}",
        "  cache: {kind: cache}",
        "  page: {kind: page, concurrency: shared}",
        "steps:",
    ]
    # Needs follow one random order (so no cycles), not always the file's:
    # `s3` may wait for `s5`.
    order = draw(st.permutations(range(count)))
    for node in range(count):
        lines.append(f"  - id: s{node}")
        needs = draw(st.lists(st.integers(0, count - 1), max_size=2, unique=True))
        needs = [n for n in needs if order.index(n) < order.index(node)]
        if needs:
            lines.append(f"    needs: [{', '.join(f's{n}' for n in needs)}]")
        for key in ("reads", "writes"):
            names = draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))
            if names:
                lines.append(f"    {key}: [{', '.join(repr(n) for n in names)}]")
        if draw(st.integers(0, 5)) == 0:
            lines.append(f"    excludes: [s{draw(st.integers(0, count - 1))}]")
        if draw(st.integers(0, 5)) == 0:
            chosen = draw(st.lists(st.integers(0, count - 1), min_size=2, max_size=2))
            lines.append(f"    decides: [{', '.join(f's{n}' for n in chosen)}]")
        if draw(st.integers(0, 4)) == 0:
            lines.append("    phase: verify")
        if draw(st.integers(0, 4)) == 0:
            lines.append(f"    verifies: [s{draw(st.integers(0, count - 1))}]")
    return "\n".join(lines) + "\n"


def _graphs(text):
    from recoverylint.graphs import build_graphs
    from recoverylint.native import build_runbook
    from recoverylint.source import parse

    return build_graphs(build_runbook(parse(text), "t.yaml"))[0]


def _groups(partners):
    return {
        (step.id, ref.name, ref.span): (count, {other.id for other in shown})
        for step, ref, count, shown in partners.groups()
    }


def _expected(graphs, pairs, entries):
    """Group (reporting step, partner) pairs by the reporting step's first entry
    conflicting with the partner, as the rules do."""
    expected = {}
    for step, other in pairs:
        ref, _ = graphs.uses.first_conflict(entries(step), other.writes)
        key = (step.id, ref.name, ref.span)
        count, ids = expected.get(key, (0, set()))
        expected[key] = (count + 1, ids | {other.id})
    return expected


@settings(max_examples=300, deadline=None)
@given(random_runbooks())
def test_conflicts_found_by_bitsets_are_exactly_the_pairs(text):
    from recoverylint.graphs.races import read_partners, write_partners

    graphs = _graphs(text)
    steps = graphs.steps
    excluded = {frozenset((a, b)) for a, b, _ in graphs.exclusive_pairs()}

    def racing(a, b):
        return graphs.concurrent(a.index, b.index) and frozenset((a.index, b.index)) not in excluded

    # Each racing pair of writers is kept on the one later in O's topological order.
    position = graphs.position
    writes = [
        (later, earlier)
        for later in steps
        for earlier in steps
        if position[earlier.index] < position[later.index]
        and racing(later, earlier)
        and graphs.uses.first_conflict(later.writes, earlier.writes)
    ]
    assert _groups(write_partners(graphs)) == _expected(graphs, writes, lambda s: s.writes)

    reads = [
        (reader, writer)
        for reader in steps
        for writer in steps
        if racing(reader, writer)
        and graphs.uses.first_conflict(reader.reads, writer.writes)
        and not (reader.is_verification and writer.index in graphs.verified_changes(reader))
        and not graphs.uses.first_conflict(reader.writes, writer.writes)
    ]
    assert _groups(read_partners(graphs)) == _expected(graphs, reads, lambda s: s.reads)
