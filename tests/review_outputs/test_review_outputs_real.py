"""`review --format markdown` and `--format html` on real records of
engines (../shared/corpora/executions), through the CLI: an Argo workflow
reviewed against itself, of 48 seconds, and a Tekton PipelineRun with its
TaskRuns (two tasks never ran).  The Gantt charts are drawn by the real
Mermaid, the pages opened in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from review_support import corpus_folder
from test_plan_html import _open
from test_plan_mermaid import DRAW, load_mermaid
from test_review_outputs_markdown import GANTT, _tasks_by_section

from recoverylint.cli import cli


def argo_workflow() -> tuple[Path, Path]:
    workflow = (
        corpus_folder("executions/argo") / "argo-workflows/workflow/controller/testdata" / "dag-disable-fail-fast.yaml"
    )
    return workflow, workflow


def tekton_run() -> tuple[Path, Path, Path]:
    examples = corpus_folder("executions/tekton") / "dashboard/packages/graph/src/components/examples"
    return examples / "pipeline.json", examples / "pipelineRun.json", examples / "taskRuns.json"


def review(*args: str | Path) -> str:
    result = CliRunner().invoke(cli, ["review", *map(str, args)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_argo_markdown_of_48_seconds(page, mermaid_js) -> None:
    written = review(*argo_workflow(), "--format", "markdown")
    # A, then B and C, then D, then E: each waited for its declared
    # dependency, a gate (tests/review/test_review_real_records.py works the
    # minutes out); the wait on the critical path of what happened (E's: it
    # ended last) first, then the largest; the others did not delay the end.
    gates = re.search(r"### Gates to change\n\n(.*?)\n\n", written, re.DOTALL).group(1)
    assert gates.splitlines()[2:] == [
        "| `E` | `D` | 0.72 min | 0.72 min |",
        "| `D` | `B` | 0.63 min | no: off the critical path |",
        "| `B` | `A` | 0.07 min | no: off the critical path |",
        "| `C` | `A` | 0.07 min | no: off the critical path |",
    ]
    assert "| 0.8 min | 0.55 min | 0.25 min | 19% |" in written
    (chart,) = GANTT.findall(written)
    assert "  axisFormat %H:%M:%S\n" in chart  # under a minute: seconds on the axis
    load_mermaid(page, mermaid_js)
    drawn = page.evaluate(DRAW, chart)
    happened, required = _tasks_by_section(drawn).values()
    assert [task["text"] for task in happened] == ["A", "B", "C", "D", "E"]
    assert [task["text"] for task in required] == ["A", "B", "C", "D", "E"]
    assert drawn["ticks"][0] == "00:00:00"
    # B ran 33 s from second 5, E 3 s from second 44: one scale.
    b, e = happened[1], happened[4]
    per_second = b["width"] / 33
    assert e["width"] / 3 == pytest.approx(per_second, rel=0.02)
    assert (e["x"] - b["x"]) / 39 == pytest.approx(per_second, rel=0.02)


def test_tekton_html_with_tasks_that_never_ran(page, tmp_path: Path) -> None:
    report = tmp_path / "review.html"
    review(*tekton_run(), "--format", "html", "-o", report)
    seen = _open(page, report)
    rows = page.evaluate(
        """() => [...document.querySelectorAll("#timeline-1 g.row")].map((row) => [
            row.querySelector("text > title").textContent,
            row.querySelectorAll("rect.actual").length,
            row.querySelectorAll("rect.required").length,
            [...row.querySelectorAll("rect.actual")].map((bar) => bar.getAttribute("class")).join(" "),
            row.querySelectorAll("rect.wait.gate").length,
        ])"""
    )
    # deploy-app and deploy-web never ran: in the required schedule only
    # (with the pipeline's own minutes), and listed as not matched.
    assert sorted(rows) == sorted(
        [
            ["skaffold-unit-tests", 1, 1, "actual succeeded", 0],
            ["build-skaffold-app", 1, 1, "actual failed", 1],
            ["build-skaffold-web", 1, 1, "actual failed", 1],
            ["deploy-app", 0, 1, "", 0],
            ["deploy-web", 0, 1, "", 0],
        ]
    )
    body = page.inner_text("body")
    assert "In the runbook only: deploy-app, deploy-web" in body
    assert seen == {"errors": [], "dialogs": []}
