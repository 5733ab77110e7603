"""benchmarks/rundeck.py: its job has the steps it says, and its recorded
result (benchmarks/rundeck_results.json) meets the issue's target: a
10,000-step job checked within twice the CPU time of a bare parse."""

from __future__ import annotations

from format_support import assert_recorded_result_meets_target, load_benchmark

from recoverylint.engine import check_file


def test_the_generated_job_has_the_steps_and_resources_it_says(tmp_path):
    path = tmp_path / "job.yaml"
    path.write_text(load_benchmark("rundeck").job(200), encoding="utf-8")
    result = check_file(path, "job.yaml")
    assert result.format == "rundeck" and result.runbook is not None
    steps = result.runbook.steps
    assert len(steps) == 200
    assert all(step.reads or step.writes for step in steps)
    assert sum(1 for step in steps if step.writes) == 100  # the second half changes
    assert sum(1 for step in steps if step.inputs) == 15  # the describe of every seventh read (n % 7 == 1), by option


def test_the_recorded_result_meets_the_target():
    assert_recorded_result_meets_target("rundeck")
