"""`recoverylint review` over records of which some cannot be reviewed (one
malformed export, one record of another runbook): the others are reviewed,
each bad one is named with file:line:column on stderr and in every format,
and the exit status is 2 once the report is written.  And incidents read
from one file are told apart by their run's name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_review_engines import WORKFLOW, files, jobs

from recoverylint.cli import cli
from recoverylint.session import shown_path

FIXTURES = Path(__file__).parent / "fixtures"
CHECKLIST = FIXTURES / "checklist.yaml"
INCIDENTS = FIXTURES / "incidents"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """The three good timelines of the checklist, and one malformed export (line 3 cut short)."""
    records = tmp_path / "records"
    shutil.copytree(INCIDENTS, records)
    (records / "2026-02-10.json").write_text(
        '[\n  {"step": "triage", "start": "2026-02-10T09:00:00Z", "end": "2026-02-10T09:04:00Z"},\n'
        '  {"step": "check-disk", "start": "2026-02-10T09:04:00Z", "end": \n',
        encoding="utf-8",
    )
    return records


def test_a_malformed_record_among_good_ones_is_named_and_the_others_reviewed(folder: Path) -> None:
    bad = folder / "2026-02-10.json"
    result = run("review", CHECKLIST, folder, "--format", "json")
    assert result.exit_code == 2
    assert result.stderr == f"recoverylint: error: {bad}:4:1: malformed JSON: Expecting value\n"
    review = json.loads(result.stdout)
    assert [Path(incident["record"]).name for incident in review["incidents"]] == [
        "2026-01-12.csv", "2026-01-28.csv", "2026-02-03.csv",
    ]
    assert review["summary"]["incidents"] == 3
    assert review["errors"] == [
        {"record": str(bad), "line": 4, "column": 1, "message": "malformed JSON: Expecting value"}
    ]


@pytest.mark.parametrize(
    "output_format, shown",
    [
        ("text", "Not reviewed (1 record):\n  {bad}:4:1: malformed JSON: Expecting value\n"),
        ("markdown", "## Records not reviewed\n\n- `{bad}:4:1`: malformed JSON: Expecting value\n"),
        ("html", '<h2>Records not reviewed</h2><ul><li><code>{bad}:4:1</code>: malformed JSON: Expecting value</li>'),
    ],
)
def test_every_format_names_the_record_not_reviewed(folder: Path, output_format: str, shown: str) -> None:
    result = run("review", CHECKLIST, folder, "--format", output_format)
    assert result.exit_code == 2
    assert shown.format(bad=folder / "2026-02-10.json") in result.stdout
    assert result.stdout.count("Incident 3:") and "Incident 4:" not in result.stdout


def test_the_report_is_written_before_exit_2(folder: Path, tmp_path: Path) -> None:
    output = tmp_path / "review.json"
    result = run("review", CHECKLIST, folder, "--format", "json", "-o", output)
    assert result.exit_code == 2
    assert len(json.loads(output.read_text(encoding="utf-8"))["incidents"]) == 3


def test_a_record_of_another_runbook_among_others_is_an_error_of_its_own(tmp_path: Path) -> None:
    records = tmp_path / "records"
    shutil.copytree(INCIDENTS, records)
    _workflow, other = files(tmp_path, ("recover.yml", WORKFLOW), ("records/jobs.json", jobs("Deploy site")))
    result = run("review", CHECKLIST, records, "--format", "json")
    assert result.exit_code == 2
    assert result.stderr == (
        f"recoverylint: error: {other}:1:1: a record of `Deploy site`, not of `disk-full` ({shown_path(CHECKLIST)})\n"
    )
    review = json.loads(result.stdout)
    assert len(review["incidents"]) == 3
    assert [error["record"] for error in review["errors"]] == [str(other)]


def test_when_every_record_is_of_another_runbook_nothing_is_reviewed(tmp_path: Path) -> None:
    _workflow, other = files(tmp_path, ("recover.yml", WORKFLOW), ("jobs.json", jobs("Deploy site")))
    result = run("review", CHECKLIST, other)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"recoverylint: error: {other}:1:1: a record of `Deploy site`, not of `disk-full` ({shown_path(CHECKLIST)})\n"
    )


def test_two_runs_of_one_file_are_named_apart(tmp_path: Path) -> None:
    # One "list jobs" file holding the jobs of runs 9 and 10 (run 10 an hour
    # later): each run is one incident, named by the file and its run.
    first = json.loads(jobs("Recover cache"))["jobs"]
    second = [
        {**job, "id": job["id"] + 10, "run_id": 10,
         "started_at": job["started_at"].replace("T10:", "T11:"),
         "completed_at": job["completed_at"].replace("T10:", "T11:")}
        for job in first
    ]
    workflow, record = files(
        tmp_path, ("recover.yml", WORKFLOW), ("jobs.json", json.dumps({"total_count": 6, "jobs": first + second}))
    )
    result = run("review", workflow, record, "--format", "json")
    assert result.exit_code == 0, result.output
    review = json.loads(result.stdout)
    assert [incident["incident"] for incident in review["incidents"]] == [f"{record} (run 9)", f"{record} (run 10)"]
    assert review["summary"]["most_lost"] == [f"{record} (run 9)", f"{record} (run 10)"]
    text = run("review", workflow, record).stdout
    assert f"Incident 1: {record} (run 9) (github-actions)" in text
    # Lost to gates: `notify` (10:10-10:11) required nothing, so the critical
    # path of what happened is `notify` alone and its 10 min wait for `warm`;
    # `warm`'s own 4 min for `flush` lies inside it and is not added.
    assert f"    {record} (run 10): 10 min" in text


def test_when_no_record_can_be_reviewed_each_is_named_and_nothing_written(tmp_path: Path) -> None:
    _workflow, other = files(tmp_path, ("recover.yml", WORKFLOW), ("jobs.json", jobs("Deploy site")))
    broken = tmp_path / "broken.csv"
    broken.write_text("step,start,end\ntriage,5,2\n", encoding="utf-8")
    result = run("review", CHECKLIST, broken, other)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"recoverylint: error: {broken}:2:")
    assert lines[1].startswith(f"recoverylint: error: {other}:1:1: a record of `Deploy site`")


TEKTON_PIPELINE = """
    apiVersion: tekton.dev/v1
    kind: Pipeline
    metadata:
      name: restore
    spec:
      tasks:
        - name: drain
          taskRef: {name: drain}
        - name: verify
          runAfter: [drain]
          taskRef: {name: verify}
"""


def test_two_pipeline_runs_of_one_list_are_named_by_their_names(tmp_path: Path) -> None:
    def pipeline_run(name: str, start: str) -> dict[str, object]:
        return {"apiVersion": "tekton.dev/v1", "kind": "PipelineRun", "metadata": {"name": name},
                "spec": {"pipelineRef": {"name": "restore"}},
                "status": {"startTime": start, "conditions": [{"type": "Succeeded", "status": "True"}]}}

    def task_run(run: str, task: str, start: str, end: str) -> dict[str, object]:
        return {"apiVersion": "tekton.dev/v1", "kind": "TaskRun",
                "metadata": {"name": f"{run}-{task}",
                             "labels": {"tekton.dev/pipelineTask": task, "tekton.dev/pipelineRun": run}},
                "status": {"startTime": start, "completionTime": end,
                           "conditions": [{"type": "Succeeded", "status": "True", "reason": "Succeeded"}]}}

    items = [
        pipeline_run("restore-x1", "2024-03-01T10:00:00Z"),
        task_run("restore-x1", "drain", "2024-03-01T10:00:00Z", "2024-03-01T10:02:00Z"),
        task_run("restore-x1", "verify", "2024-03-01T10:02:00Z", "2024-03-01T10:03:00Z"),
        pipeline_run("restore-x2", "2024-03-02T10:00:00Z"),
        task_run("restore-x2", "drain", "2024-03-02T10:00:00Z", "2024-03-02T10:04:00Z"),
        task_run("restore-x2", "verify", "2024-03-02T10:04:00Z", "2024-03-02T10:05:00Z"),
    ]
    pipeline, runs = files(
        tmp_path, ("pipeline.yaml", TEKTON_PIPELINE),
        ("runs.json", json.dumps({"apiVersion": "v1", "kind": "List", "items": items})),
    )
    result = run("review", pipeline, runs, "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert f"## Incident 1: `{runs} (restore-x1)`" in result.stdout
    assert f"## Incident 2: `{runs} (restore-x2)`" in result.stdout


def test_an_error_quoting_a_hostile_name_is_escaped_in_every_format(folder: Path) -> None:
    hostile = folder / "2026-02-11.csv"
    hostile.write_text("step,start,end\n<script>alert(1)</script>`|*,5,2\n", encoding="utf-8")
    html = run("review", CHECKLIST, folder, "--format", "html")
    assert html.exit_code == 2
    assert "<script>" not in html.stdout and "&lt;script&gt;alert(1)&lt;/script&gt;" in html.stdout
    markdown = run("review", CHECKLIST, folder, "--format", "markdown").stdout
    # Markdown shows the quoted name as code (never HTML), the rest escaped.
    assert "row 1: `<script>alert(1)</script>`\\|\\*\\` ends (2 min) before it starts (5 min)" in markdown
    text = run("review", CHECKLIST, folder).stdout
    assert f"  {hostile}:2:" in text
