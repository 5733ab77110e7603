"""benchmarks/ansible.py: its playbook has the steps it says, and its
recorded result (benchmarks/ansible_results.json) meets the issue's target:
a 10,000-task playbook checked within twice the CPU time of a bare parse."""

from __future__ import annotations

from format_support import assert_recorded_result_meets_target, load_benchmark

from recoverylint.engine import check_file


def test_the_generated_playbook_has_the_steps_it_says(tmp_path):
    path = tmp_path / "playbook.yml"
    path.write_text(load_benchmark("ansible").playbook(200), encoding="utf-8")
    result = check_file(path, "playbook.yml")
    assert result.format == "ansible" and result.internal_error is None
    steps = result.runbook.steps
    assert len(steps) == 200 + 2  # the tasks, and each play's handler
    assert sum(1 for step in steps if step.on_failure) == 20  # each group's restart, into its rescue
    assert sum(1 for step in steps if step.guard) == 20  # each group's assert
    assert sum(1 for step in steps if step.inputs) >= 40  # the set_fact and the scale, from the registered pods


def test_the_recorded_result_meets_the_target():
    assert_recorded_result_meets_target("ansible")
