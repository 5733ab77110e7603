"""benchmarks/awx.py: its workflow has the nodes it says, and its recorded
result (benchmarks/awx_results.json) meets the issue's target: a
10,000-node workflow checked within twice the CPU time of a bare parse."""

from __future__ import annotations

from format_support import assert_recorded_result_meets_target, load_benchmark

from recoverylint.engine import check_file


def test_the_generated_workflow_has_the_nodes_it_says(tmp_path):
    path = tmp_path / "workflow.yml"
    path.write_text(load_benchmark("awx").workflow(200), encoding="utf-8")
    result = check_file(path, "workflow.yml")
    assert result.format == "awx" and result.internal_error is None and result.runbook is not None
    steps = result.runbook.steps
    assert len(steps) == 200
    assert sum(1 for step in steps if step.on_failure) == 20  # every tenth node's failure path
    assert sum(1 for step in steps if step.approves) == 4  # every fiftieth node approves what follows


def test_the_recorded_result_meets_the_target():
    assert_recorded_result_meets_target("awx")
