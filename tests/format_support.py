"""What the tests of benchmarks/markdown.py, rundeck.py, ansible.py and
xsoar.py share: loading a benchmark as a module, and reading its recorded
result (benchmarks/<format>_results.json) against the issue's target."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load_benchmark(name: str) -> ModuleType:
    """benchmarks/<name>.py as a module (the benchmarks are scripts, no package)."""
    spec = importlib.util.spec_from_file_location(f"{name}_benchmark", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_recorded_result_meets_target(name: str) -> None:
    """The last run's 10,000 steps were checked within twice the CPU time of a
    bare parse, and the ratio recorded is the one of the times recorded."""
    result = json.loads((BENCHMARKS / f"{name}_results.json").read_text(encoding="utf-8"))
    assert result["steps"] == 10_000
    assert abs(result["ratio"] - result["check_cpu_s"] / result["bare_parse_cpu_s"]) < 0.01
    assert result["ratio"] <= result["target_ratio"] == 2.0
