"""benchmarks/README.md quotes the last run of benchmarks/pathological.py and
the limits it meets: both as they are."""

import json
import sys
from pathlib import Path

from recoverylint.limits import AnalysisLimits

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import pathological  # noqa: E402

README = (BENCHMARKS / "README.md").read_text(encoding="utf-8")
RESULTS = json.loads((BENCHMARKS / "pathological_results.json").read_text(encoding="utf-8"))


def test_the_readme_table_is_the_saved_run():
    assert pathological.markdown(RESULTS["results"]) in README
    assert [r["shape"] for r in RESULTS["results"]] == list(pathological.SHAPES)
    for shape in pathological.SHAPES:
        assert f"\n| {shape} | " in README.split("## Pathological shapes")[1]


def test_the_saved_run_met_the_bounds_the_readme_states():
    assert f"within {pathological.SECONDS_BOUND:g} s and under\n{pathological.MEMORY_BOUND_MB:,.0f} MB" in README
    for result in RESULTS["results"]:
        assert result["status"] == "pass"
        for command in ("check", "plan"):
            assert result[command]["cpu_s"] <= pathological.SECONDS_BOUND
            assert result[command]["peak_mb"] < pathological.MEMORY_BOUND_MB


def test_the_limits_the_readme_quotes():
    limits = AnalysisLimits()
    assert f"past {limits.max_declared_pairs:,} pairs of steps" in README
    assert f"D's edges ({limits.max_edges:,})" in README
    assert f"({limits.max_implicit_verifications:,} pairs of a check and a change)" in README
    assert f"length ({limits.max_resource_name_length:,}\ncharacters)" in README
    assert f"segments ({limits.max_resource_segments})" in README
