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
