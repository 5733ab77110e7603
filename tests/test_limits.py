"""Runbooks over the analysis limits are reported as RL001, fast, instead of exhausting memory."""

import json
import textwrap

import pytest
from click.testing import CliRunner

from recoverylint.cli import cli
from recoverylint.graphs import build_graphs
from recoverylint.limits import AnalysisLimits, TooLarge
from recoverylint.native import build_runbook
from recoverylint.source import parse


def test_a_wide_stage_gate_is_reported_not_built(tmp_path):
    lines = ["runbook: wide", "stages:"]
    for stage in ("a", "b"):
        lines += [f"  - stage: {stage}", "    flow: parallel", "    steps:"]
        lines += [f"      - id: {stage}{i}" for i in range(3000)]
    (tmp_path / "wide.yaml").write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "wide.yaml"), "--format", "json"])
    assert result.exit_code == 1
    (found,) = json.loads(result.output)["findings"]
    assert found["code"] == "RL001"
    assert (found["line"], found["column"]) == (1, 10)
    assert "the gate of stage `b` alone links 9,000,000 pairs of steps" in found["message"]


RACING = textwrap.dedent(
    """\
    runbook: racing
    flow: parallel
    steps:
    """
) + "".join(f"  - id: s{i}\n    outputs: [x]\n    inputs: [x]\n" for i in range(30))


def test_required_order_over_the_edge_limit():
    runbook = build_runbook(parse(RACING), "racing.yaml")
    with pytest.raises(TooLarge, match="over 100 edges"):
        build_graphs(runbook, AnalysisLimits(max_edges=100))
    graphs, _ = build_graphs(runbook, AnalysisLimits(max_edges=10_000))
    assert graphs is not None


def test_step_limit():
    with pytest.raises(TooLarge, match="30 steps, over the limit of 10"):
        build_runbook(parse(RACING), "racing.yaml", AnalysisLimits(max_steps=10))
