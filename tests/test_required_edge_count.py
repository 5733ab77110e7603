"""D's edge counter is told of a step's set only when it may have grown
(issue 16: a call per step for nothing).  An approval's or a decision's
edge added before the step's turn must still be counted then."""

import textwrap

import pytest

from recoverylint.graphs import build_graphs
from recoverylint.limits import AnalysisLimits, TooLarge
from recoverylint.native import build_runbook
from recoverylint.source import parse


def _runbook(text: str):
    return build_runbook(parse(textwrap.dedent(text)), "r.yaml")


def _least_edges(runbook) -> int:
    """The smallest max_edges under which D is built."""
    limit = 0
    while True:
        try:
            build_graphs(runbook, AnalysisLimits(max_edges=limit))
        except TooLarge:
            limit += 1
        else:
            return limit


@pytest.mark.parametrize("kind", ["approves", "decides"])
def test_an_edge_an_earlier_step_adds_is_counted_at_the_later_steps_turn(kind):
    # No facts, resources, verifications or close steps: D's only edges are
    # the choosing step's, into the steps after it in the file.
    runbook = _runbook(
        f"""
        runbook: r
        flow: parallel
        steps:
          - {{id: chooser, {kind}: [left, right]}}
          - {{id: left}}
          - {{id: right}}
        """
    )
    graphs, _ = build_graphs(runbook)
    assert graphs.required_preds == [[], [0], [0]]
    assert _least_edges(runbook) == 2


def test_verifications_approvals_and_decisions_are_all_counted():
    runbook = _runbook(
        """
        runbook: r
        flow: parallel
        steps:
          - {id: a, writes: [db]}
          - {id: b, writes: [db], needs: [a]}
          - {id: chooser, decides: [c, d], approves: [c]}
          - {id: c}
          - {id: d}
          - {id: check, phase: verify, reads: [db], needs: [b]}
          - {id: named, verifies: [a, c]}
        """
    )
    graphs, _ = build_graphs(runbook)
    assert _least_edges(runbook) == sum(len(preds) for preds in graphs.required_preds)
