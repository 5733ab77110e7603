"""Small graphs keep plain int bitsets; large ones pack them. Both must
answer every question the same way (issue 16: fewer Python calls per step)."""

import textwrap
from pathlib import Path

import pytest

from recoverylint.engine import check_text
from recoverylint.graphs import ResourceIndex, bits, build_graphs
from recoverylint.limits import AnalysisLimits, TooLarge
from recoverylint.native import build_runbook
from recoverylint.source import parse

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))


def _answers(graphs):
    count = len(graphs.steps)
    return (
        list(graphs.ancestors),
        list(graphs.required.ancestors),
        graphs.required_preds,
        [graphs.real_prerequisites(node) for node in range(count)],
        graphs.unrequired_waits(),
        [[graphs.before(a, b) for b in range(count)] for a in range(count)],
        graphs.widest_of_all(),
        graphs.independent_required_pairs(),
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_plain_and_packed_bitsets_give_the_same_graphs_and_findings(path, monkeypatch):
    text = path.read_text()
    runbook = build_runbook(parse(text), path.name)
    plain, _ = build_graphs(runbook)
    assert isinstance(plain.ancestors, bits.PlainBitsets)
    plain_findings = check_text(text, path.name).findings
    monkeypatch.setattr(bits, "PLAIN_BITSETS_UP_TO", 0)
    packed, _ = build_graphs(runbook)
    assert isinstance(packed.ancestors, bits.PackedBitsets)
    assert _answers(plain) == _answers(packed)
    assert check_text(text, path.name).findings == plain_findings



def wide_chain_runbook(cycle: bool) -> str:
    """300 steps: a chain of 200 facts, every tenth link from 150 on also
    reading the fact of 120 links before; then 50 producers each read by a
    step far down the order (every other one also reading the step before:
    rows of a few bits far apart, kept as positions), the first link and
    the last reader writing one database (writers far apart).  `cycle`:
    link 10 also reads link 20's fact, a cycle of D."""
    lines = ["runbook: chain", "flow: parallel", "steps:"]
    for link in range(200):
        inputs = [f"f{link - 1}"] if link else []
        if link >= 150 and link % 10 == 0:
            inputs.append(f"f{link - 120}")
        if cycle and link == 10:
            inputs.append("f20")
        needs = f", needs: [c{link - 1}]" if link else ""
        writes = ", writes: [db]" if link == 0 else ""
        lines.append(f"  - {{id: c{link}, outputs: [f{link}], inputs: [{', '.join(inputs)}]{needs}{writes}}}")
    for reader in range(50):
        lines.append(f"  - {{id: p{reader}, outputs: [g{reader}]}}")
        paired = reader % 2
        inputs = f"g{reader}, h{reader - 1}" if paired else f"g{reader}"
        needs = f"p{reader}, r{reader - 1}" if paired else f"p{reader}"
        writes = ", writes: [db]" if reader == 49 else ""
        lines.append(f"  - {{id: r{reader}, outputs: [h{reader}], inputs: [{inputs}], needs: [{needs}]{writes}}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("cycle", [False, True], ids=["acyclic", "cycle"])
def test_packed_rows_kept_as_positions_give_the_same_graphs_and_findings(cycle, monkeypatch):
    """The examples are too small for a row kept as positions (a few bits
    spread over more than 64 times as many positions) or for a cycle of D:
    this runbook has both, D's rows packed from its predecessors' positions
    when acyclic, and through its components when not."""
    text = wide_chain_runbook(cycle)
    runbook = build_runbook(parse(text), "chain.yaml")
    plain, _ = build_graphs(runbook)
    assert any(plain.required.cyclic) is cycle
    plain_findings = check_text(text, "chain.yaml").findings
    monkeypatch.setattr(bits, "PLAIN_BITSETS_UP_TO", 0)
    packed, _ = build_graphs(runbook)
    for bitsets in (packed.ancestors, packed.required.ancestors):
        assert isinstance(bitsets, bits.PackedBitsets)
        assert any(not isinstance(row, int) for row in bitsets._rest)
    assert _answers(plain) == _answers(packed)
    assert check_text(text, "chain.yaml").findings == plain_findings


def test_real_prerequisites_are_worked_out_once_per_step():
    runbook = build_runbook(parse(EXAMPLES[0].read_text()), "r.yaml")
    graphs, _ = build_graphs(runbook)
    for node in range(len(graphs.steps)):
        assert graphs.real_prerequisites(node) is graphs.real_prerequisites(node)


def test_unrequired_waits_are_the_reduced_waits_the_required_order_does_not_imply():
    for path in EXAMPLES:
        graphs, _ = build_graphs(build_runbook(parse(path.read_text()), path.name))
        expected = []
        for target in graphs.topological:
            sources = tuple(
                sorted(
                    source
                    for source in graphs.reduction_preds(target)
                    if not graphs.requires(source, target) and not graphs.decided_apart(target, source)
                )
            )
            if sources:
                expected.append((target, sources))
        assert graphs.unrequired_waits() == expected, path.name


def test_names_without_globs_count_the_same_work_as_the_general_walk():
    # overlapping("a"): one segment down, then `a`, `a/b` and `a/b/c` under it: 4.
    names = ["a", "a/b", "a/b/c"]
    assert ResourceIndex(names, AnalysisLimits(max_resource_work=4)).overlapping("a") == ("a", "a/b", "a/b/c")
    with pytest.raises(TooLarge):
        ResourceIndex(names, AnalysisLimits(max_resource_work=3)).overlapping("a")


def test_the_edge_limit_counts_every_edge_of_the_required_order():
    text = textwrap.dedent(
        """
        runbook: r
        steps:
          - {id: a, outputs: [x], writes: [db]}
          - {id: b, inputs: [x], writes: [db]}
          - {id: c, inputs: [x], reads: [db]}
          - {id: d, phase: close}
        """
    )
    runbook = build_runbook(parse(text), "r.yaml")
    graphs, _ = build_graphs(runbook)
    edges = sum(len(preds) for preds in graphs.required_preds)
    assert build_graphs(runbook, AnalysisLimits(max_edges=edges))[0] is not None
    with pytest.raises(TooLarge):
        build_graphs(runbook, AnalysisLimits(max_edges=edges - 1))


def test_the_edge_limit_counts_the_edges_of_guards_and_observations():
    # No facts, resources in conflict or close steps: every edge of D is a
    # guard's (before each change) or an observation's (after each change).
    text = textwrap.dedent(
        """
        runbook: r
        steps:
          - {id: g, guard: true}
          - {id: c1, writes: [svc/1]}
          - {id: c2, writes: [svc/2]}
          - {id: c3, writes: [svc/3]}
          - {id: o, observes: [svc]}
        """
    )
    runbook = build_runbook(parse(text), "r.yaml")
    graphs, _ = build_graphs(runbook)
    assert graphs.required_preds == [[], [0], [0], [0], [1, 2, 3]]
    assert build_graphs(runbook, AnalysisLimits(max_edges=6))[0] is not None
    for limit in (5, 2):  # over it in the observation's edges, then in the guard's
        with pytest.raises(TooLarge, match="over"):
            build_graphs(runbook, AnalysisLimits(max_edges=limit))
