"""benchmarks/ansible.py: its playbook has the steps it says, and its
recorded result (benchmarks/ansible_results.json) meets the issue's target:
a 10,000-task playbook checked within twice the CPU time of a bare parse."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from recoverylint.engine import check_file

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ansible_benchmark", BENCHMARKS / "ansible.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_playbook_has_the_steps_it_says(tmp_path):
    path = tmp_path / "playbook.yml"
    path.write_text(load_benchmark().playbook(200), encoding="utf-8")
    result = check_file(path, "playbook.yml")
    assert result.format == "ansible" and result.internal_error is None
    steps = result.runbook.steps
    assert len(steps) == 200 + 2  # the tasks, and each play's handler
    assert sum(1 for step in steps if step.on_failure) == 20  # each group's restart, into its rescue
    assert sum(1 for step in steps if step.guard) == 20  # each group's assert
    assert sum(1 for step in steps if step.inputs) >= 40  # the set_fact and the scale, from the registered pods


def test_the_recorded_result_meets_the_target():
    result = json.loads((BENCHMARKS / "ansible_results.json").read_text(encoding="utf-8"))
    assert result["steps"] == 10_000
    assert abs(result["ratio"] - result["check_cpu_s"] / result["bare_parse_cpu_s"]) < 0.01
    assert result["ratio"] <= result["target_ratio"] == 2.0
