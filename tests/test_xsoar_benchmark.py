"""benchmarks/xsoar.py: its playbook has the steps it says, and its recorded
result (benchmarks/xsoar_results.json) meets the issue's target: a
10,000-step playbook checked within twice the CPU time of a bare parse."""

from __future__ import annotations

from format_support import assert_recorded_result_meets_target, load_benchmark

from recoverylint.engine import check_file


def test_the_generated_playbook_has_the_steps_it_says(tmp_path):
    path = tmp_path / "playbook.yml"
    path.write_text(load_benchmark("xsoar").playbook(200), encoding="utf-8")
    result = check_file(path, "playbook.yml")
    assert result.format == "xsoar" and result.runbook is not None
    steps = result.runbook.steps
    assert len(steps) == 200
    assert sum(1 for step in steps if step.decides) == 20  # each group's condition
    assert sum(1 for step in steps if step.writes) == 20  # each group's block
    assert all(step.inputs or step.reads for step in steps)


def test_the_recorded_result_meets_the_target():
    assert_recorded_result_meets_target("xsoar")
