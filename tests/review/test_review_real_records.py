"""`recoverylint review` on real records with their definitions (the shared
corpora: ../shared/corpora/executions): an Argo workflow whose file holds its
spec and its status (reviewed against itself), and the Tekton dashboard's
Pipeline with its PipelineRun and TaskRuns.  Every number is worked out by
hand from the timestamps in the files, in the comments."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from review_support import corpus_folder

from recoverylint.cli import cli
from recoverylint.session import shown_path


def review_json(*paths: Path) -> dict:
    result = CliRunner().invoke(cli, ["review", *map(str, paths), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def argo(name: str) -> Path:
    return corpus_folder("executions/argo") / "argo-workflows/workflow/controller/testdata" / name


def ended(name: str, folder: Path) -> Path:
    """The controller's test data are snapshots taken mid-run (the workflow's
    `phase: Running`), which review refuses: a copy of the workflow with its
    phase `Failed` (as its failed step would end it), to review its steps."""
    text = argo(name).read_text()
    assert text.count("\n  phase: Running\n") == 1
    copy = folder / name
    copy.write_text(text.replace("\n  phase: Running\n", "\n  phase: Failed\n"))
    return copy


def waits(incident: dict) -> list[tuple[str, list[str], float, str]]:
    return [(wait["step"], wait["waited_for"], wait["minutes"], wait["cause"]) for wait in incident["waits"]]


def test_argo_dag_disable_fail_fast_against_itself() -> None:
    # The run: 09:11:58 to 09:12:46, 48 s = 0.8 min.  A 09:11:58-09:12:02,
    # B 09:12:03-09:12:36, C 09:12:03-09:12:12 (two failed attempts, C(0) and
    # C(1)), D 09:12:37-09:12:41, E 09:12:42-09:12:45.  The DAG's dependencies
    # (B and C after A, D after B, E after D) carry nothing from one task to
    # the next: D requires none of them, so the required time is the longest
    # task, B's 33 s = 0.55 min, and 0.8 - 0.55 = 0.25 min were lost.
    workflow = argo("dag-disable-fail-fast.yaml")
    document = review_json(workflow, workflow)
    # The record names the workflow by its generateName: the run's
    # `dag-disable-fail-fast-r6xdc` is one of them.
    assert document["runbook"] == "dag-disable-fail-fast-r6xdc"
    incident, = document["incidents"]
    assert incident["record_format"] == "argo"
    assert (incident["started_at"], incident["ended_at"]) == ("2019-06-26T09:11:58Z", "2019-06-26T09:12:46Z")
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (0.8, 0.55, 0.25)
    assert [(i["step"], i["start"], i["end"], i["status"]) for i in incident["intervals"]] == [
        ("A", 0, round(4 / 60, 4), "succeeded"),
        ("B", round(5 / 60, 4), round(38 / 60, 4), "succeeded"),
        ("C", round(5 / 60, 4), round(14 / 60, 4), "failed"),
        ("D", round(39 / 60, 4), round(43 / 60, 4), "succeeded"),
        ("E", round(44 / 60, 4), round(47 / 60, 4), "succeeded"),
    ]
    # Each task waited for its declared dependency (a gate D does not
    # require) until it ended, then 1 s more for the controller to start its
    # pod, which the record does not explain.
    second = round(1 / 60, 4)
    assert waits(incident) == [
        ("B", ["A"], round(4 / 60, 4), "gate"), ("B", [], second, "unexplained"),
        ("C", ["A"], round(4 / 60, 4), "gate"), ("C", [], second, "unexplained"),
        ("D", ["B"], round(38 / 60, 4), "gate"), ("D", [], second, "unexplained"),
        ("E", ["D"], round(43 / 60, 4), "gate"), ("E", [], second, "unexplained"),
    ]
    assert incident["violations"] == [] and incident["unmatched"] == []
    # B and C ran together from 09:12:03 to 09:12:12: 9 of 48 s.
    assert incident["parallel_share"] == round(9 / 48, 4)
    # Learned from the tasks that succeeded: C failed.
    assert document["durations"] == {
        "A": {"median": round(4 / 60, 4), "p90": round(4 / 60, 4), "count": 1},
        "B": {"median": 0.55, "p90": 0.55, "count": 1},
        "D": {"median": round(4 / 60, 4), "p90": round(4 / 60, 4), "count": 1},
        "E": {"median": 0.05, "p90": 0.05, "count": 1},
    }


def test_argo_retries_count_from_the_first_start_to_the_last_end() -> None:
    # step1 failed twice and succeeded on its third attempt: 10:22:43 to
    # 10:23:08, 25 s; the whole run is that one step.
    workflow = argo("dag_retry_succeeded.yaml")
    incident, = review_json(workflow, workflow)["incidents"]
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (
        round(25 / 60, 4), round(25 / 60, 4), 0,
    )
    assert incident["waits"] == [] and incident["unmatched"] == []


def test_argo_a_task_calling_a_dag_template_is_its_step(tmp_path: Path) -> None:
    # retry-with-dags: success1 00:26:32-35 (its attempt), then sub-dag1, a
    # task calling the DAG template sub-dag, whose one task fail ran
    # 00:26:37-45 (two attempts); success2 omitted at 00:26:48.  The adapter
    # makes sub-dag1 a step that sub-dag/fail waits for and requires: the
    # record's DAG node sub-dag1 is that step, from 00:26:37 until fail
    # starts, 00:26:37 (were it the node's 00:26:37-47, fail would run inside
    # its own prerequisite and the required time would count the sub-DAG
    # twice: 0.3 min required of a 0.27 min run).
    workflow = ended("dag-exhausted-retries-xfail.yaml", tmp_path)
    incident, = review_json(workflow, workflow)["incidents"]
    assert incident["unmatched"] == []
    assert [(i["step"], i["start"], i["end"], i["status"]) for i in incident["intervals"]] == [
        ("retry-with-dags/success1", 0, 0.05, "succeeded"),
        ("retry-with-dags/sub-dag1", round(5 / 60, 4), round(5 / 60, 4), "failed"),
        ("sub-dag/fail", round(5 / 60, 4), round(13 / 60, 4), "failed"),
    ]
    # 32 to 48 s: 16 s; required: fail's 8 s (success1 passes it nothing).
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (
        round(16 / 60, 4), round(8 / 60, 4), round(8 / 60, 4),
    )
    assert waits(incident) == [
        ("retry-with-dags/sub-dag1", ["retry-with-dags/success1"], 0.05, "gate"),
        ("retry-with-dags/sub-dag1", [], round(2 / 60, 4), "unexplained"),
    ]
    assert incident["violations"] == [] and incident["parallel_share"] == 0


def test_tekton_dashboard_pipeline_run_and_task_runs() -> None:
    # The PipelineRun: 13:50:58 to 13:53:50, 172 s.  Its TaskRuns:
    # skaffold-unit-tests 13:50:58-13:51:11 (13 s, succeeded), then
    # build-skaffold-app 13:51:11-13:53:35 (144 s, failed) and
    # build-skaffold-web 13:51:11-13:53:50 (159 s, failed).  The builds run
    # after the unit tests (runAfter) but use nothing of them: the required
    # time is the longest build, 159 s = 2.65 min; 13 s = 0.2167 min lost,
    # each build waiting that long for the unit tests.  deploy-app and
    # deploy-web never ran (the builds failed).
    examples = corpus_folder("executions/tekton") / "dashboard/packages/graph/src/components/examples"
    document = review_json(examples / "pipeline.json", examples / "pipelineRun.json", examples / "taskRuns.json")
    assert document["runbook"] == "demo-pipeline"
    incident, = document["incidents"]
    assert incident["record_format"] == "tekton"
    assert (incident["started_at"], incident["ended_at"]) == ("2019-09-06T13:50:58Z", "2019-09-06T13:53:50Z")
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (
        round(172 / 60, 4), 2.65, round(13 / 60, 4),
    )
    assert waits(incident) == [
        ("build-skaffold-web", ["skaffold-unit-tests"], round(13 / 60, 4), "gate"),  # written first in the pipeline
        ("build-skaffold-app", ["skaffold-unit-tests"], round(13 / 60, 4), "gate"),
    ]
    # The builds ran together 13:51:11-13:53:35: 144 of 172 s.
    assert incident["parallel_share"] == round(144 / 172, 4)
    assert incident["unmatched"] == [
        {"name": "deploy-app", "side": "runbook"},
        {"name": "deploy-web", "side": "runbook"},
    ]
    assert incident["violations"] == []
    learned = round(13 / 60, 4)
    assert document["durations"] == {"skaffold-unit-tests": {"median": learned, "p90": learned, "count": 1}}


def test_a_record_of_another_argo_workflow_is_refused() -> None:
    runbook, record = argo("dag_xfail.yaml"), argo("dag-disable-fail-fast.yaml")
    result = CliRunner().invoke(cli, ["review", str(runbook), str(record)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr == (
        f"recoverylint: error: {record}:1:1: a record of `dag-disable-fail-fast`,"
        f" not of `dag-fail-r4gvc` ({shown_path(runbook)})\n"
    )
