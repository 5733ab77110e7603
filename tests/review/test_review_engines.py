"""`recoverylint review` on hand-made records of engines whose real records
in the corpora come without their definitions: a GitHub Actions workflow with
the REST "list jobs for a workflow run" response of one of its runs, and an
SSM Automation document with its `get-automation-execution` output."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner, Result

from recoverylint.cli import cli

WORKFLOW = """
    name: Recover cache
    on: workflow_dispatch
    jobs:
      flush:
        name: Flush the cache
        runs-on: ubuntu-latest
        steps:
          - run: ./flush.sh
      warm:
        name: Warm the cache
        needs: flush
        runs-on: ubuntu-latest
        steps:
          - run: ./warm.sh
      notify:
        name: Notify
        needs: warm
        runs-on: ubuntu-latest
        steps:
          - run: ./notify.sh
"""


def jobs(workflow_name: str) -> str:
    def job(number: int, name: str, start: str, end: str) -> dict[str, object]:
        return {
            "id": number, "run_id": 9, "workflow_name": workflow_name, "name": name, "status": "completed",
            "conclusion": "success", "started_at": f"2026-04-01T{start}Z", "completed_at": f"2026-04-01T{end}Z",
        }

    return json.dumps({"total_count": 3, "jobs": [
        job(1, "Flush the cache", "10:00:00", "10:04:00"),
        job(2, "Warm the cache", "10:04:30", "10:10:00"),
        job(3, "Notify", "10:10:00", "10:11:00"),
    ]})


DOCUMENT = """
    schemaVersion: '0.3'
    description: Restart the web tier
    mainSteps:
      - name: stopInstances
        action: aws:changeInstanceState
        inputs:
          InstanceIds: ['i-1']
          DesiredState: stopped
      - name: startInstances
        action: aws:changeInstanceState
        inputs:
          InstanceIds: ['i-1']
          DesiredState: running
"""


def execution(document_name: str) -> str:
    def step(name: str, start: float, end: float) -> dict[str, object]:
        return {
            "StepName": name, "Action": "aws:changeInstanceState", "StepStatus": "Success",
            "ExecutionStartTime": start, "ExecutionEndTime": end,
        }

    return json.dumps({"AutomationExecution": {
        "AutomationExecutionId": "abc", "DocumentName": document_name, "AutomationExecutionStatus": "Success",
        "ExecutionStartTime": 1700000000.0, "ExecutionEndTime": 1700000300.0,
        "StepExecutions": [
            step("stopInstances", 1700000000.0, 1700000120.0),
            step("startInstances", 1700000120.0, 1700000300.0),
        ],
    }})


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def files(folder: Path, runbook: tuple[str, str], record: tuple[str, str]) -> tuple[Path, Path]:
    paths = []
    for name, text in (runbook, record):
        path = folder / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def test_github_jobs_are_matched_by_their_names(tmp_path: Path) -> None:
    # flush 10:00-10:04, warm 10:04:30-10:10, notify 10:10-10:11: 11 min.
    # The jobs' `needs` carry nothing from one to the next, so D requires
    # none: the required time is the longest job, warm's 5.5 min.  warm
    # waited 4 min for flush (a gate) and 30 s for a runner (unexplained);
    # notify waited 10 min for warm (a gate).
    workflow, record = files(tmp_path, ("recover.yml", WORKFLOW), ("jobs.json", jobs("Recover cache")))
    result = run("review", workflow, record, "--format", "json")
    assert result.exit_code == 0, result.output
    incident, = json.loads(result.stdout)["incidents"]
    assert incident["record_format"] == "github-actions"
    assert [interval["step"] for interval in incident["intervals"]] == ["flush", "warm", "notify"]
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (11, 5.5, 5.5)
    assert [(w["step"], w["waited_for"], w["minutes"], w["cause"]) for w in incident["waits"]] == [
        ("warm", ["flush"], 4, "gate"), ("warm", [], 0.5, "unexplained"), ("notify", ["warm"], 10, "gate"),
    ]
    assert incident["unmatched"] == []


def test_github_jobs_of_another_workflow(tmp_path: Path) -> None:
    workflow, record = files(tmp_path, ("recover.yml", WORKFLOW), ("jobs.json", jobs("Deploy site")))
    result = run("review", workflow, record)
    assert result.exit_code == 2
    assert result.stderr == (
        f"recoverylint: error: {record}:1:1: a record of `Deploy site`, not of `recover-cache` ({workflow})\n"
    )


def test_ssm_step_names_are_the_step_ids(tmp_path: Path) -> None:
    # stopInstances 0-2 min, startInstances 2-5 min: both change i-1, so D
    # orders them as the document does; nothing lost.
    document, record = files(tmp_path, ("restart.yaml", DOCUMENT), ("execution.json", execution("restart")))
    result = run("review", document, record, "--format", "json")
    assert result.exit_code == 0, result.output
    incident, = json.loads(result.stdout)["incidents"]
    assert incident["record_format"] == "ssm"
    assert incident["started_at"] == "2023-11-14T22:13:20Z"
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (5, 5, 0)
    assert incident["waits"] == [] and incident["unmatched"] == []


def test_an_ssm_execution_of_another_document(tmp_path: Path) -> None:
    other = execution("AWS-RestartEC2Instance")
    document, record = files(tmp_path, ("restart.yaml", DOCUMENT), ("execution.json", other))
    result = run("review", document, record)
    assert result.exit_code == 2
    assert ":1:1: a record of `AWS-RestartEC2Instance`, not of `restart`" in result.stderr
