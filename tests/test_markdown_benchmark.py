"""benchmarks/markdown.py: its page has the steps it says, and its recorded
result (benchmarks/markdown_results.json) meets the issue's target: a
10,000-step page checked within twice the CPU time of a bare parse."""

from __future__ import annotations

from format_support import assert_recorded_result_meets_target, load_benchmark

from recoverylint.engine import check_file


def test_the_generated_page_has_the_steps_and_resources_it_says(tmp_path):
    page = load_benchmark("markdown").page(200)
    path = tmp_path / "page.md"
    path.write_text(page, encoding="utf-8")
    result = check_file(path, "page.md")
    assert result.format == "markdown" and result.runbook is not None
    steps = result.runbook.steps
    assert len(steps) == 200
    assert all(step.reads or step.writes for step in steps)
    assert sum(1 for step in steps if step.inputs) == 10  # every tenth item's pod, used by the next


def test_the_recorded_result_meets_the_target():
    assert_recorded_result_meets_target("markdown")
