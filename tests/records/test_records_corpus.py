"""Every reader on the real records in ../shared/corpora/executions/, with
the numbers worked out by hand from each file (the arithmetic is in the
comments); the files there that are not records of steps give a clear
RecordError, or steps that never ran."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from review_support import corpus_folder

from recoverylint.records import read_records
from recoverylint.records.model import RecordError, RunStatus

OK, FAILED, SKIPPED = RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.SKIPPED
NOT_RUN, RUNNING = RunStatus.NOT_RUN, RunStatus.RUNNING


def executions(*parts: str):
    return corpus_folder("executions").joinpath(*parts)


ARGO = ("argo", "argo-workflows", "workflow", "controller", "testdata")
SSM = ("ssm", "aws-cli-extracted", "ssm")
TEKTON = ("tekton", "dashboard", "packages", "graph", "src", "components", "examples")
GITHUB = ("github-actions", "webhooks", "payload-examples", "api.github.com")


def only(*paths):
    (record,) = read_records(list(paths))
    return record


def steps_of(record):
    return [(s.name, round(s.start, 6) if s.start is not None else None,
             round(s.end, 6) if s.end is not None else None, s.status, s.attempts) for s in record.steps]


def minutes(seconds: float) -> float:
    return round(seconds / 60, 6)


# -- AWS SSM -----------------------------------------------------------------------------

def test_ssm_get_automation_execution():
    record = only(executions(*SSM, "get-automation-execution.output-1.json"))
    assert record.record_format == "ssm"
    assert record.runbook_name == "AWS-StartEC2Instance"
    # The run's ExecutionStartTime 1583737233.748 is minute 0: 2020-03-09T07:00:33.748Z.
    assert record.origin == datetime(2020, 3, 9, 7, 0, 33, 748000, tzinfo=timezone.utc)
    # startInstances: 1583737234.134 - 1583737233.748 = 0.386 s; 1583737234.672 - ... = 0.924 s.
    assert steps_of(record) == [("startInstances", minutes(0.386), minutes(0.924), OK, 1)]
    # The run ends at 1583737234.719: 0.971 s.
    assert (record.start, round(record.end, 6), record.status) == (0.0, minutes(0.971), OK)
    assert (record.steps[0].position.line, record.steps[0].position.column) == (11, 29)


def test_ssm_describe_automation_step_executions():
    record = only(executions(*SSM, "describe-automation-step-executions.output-1.json"))
    assert record.runbook_name is None  # the output does not name the document
    # No run start: minute 0 is the step's own start, 1583737234.134; it ends 0.538 s later.
    assert record.origin == datetime(2020, 3, 9, 7, 0, 34, 134000, tzinfo=timezone.utc)
    assert steps_of(record) == [("startInstances", 0.0, minutes(0.538), OK, 1)]


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("describe-automation-executions.output-1.json", "a list of executions has no step times"),
        ("describe-maintenance-window-executions.output-1.json", ""),
        ("describe-maintenance-window-executions.output-2.json", ""),
        ("describe-maintenance-window-executions.output-3.json", ""),
        ("describe-maintenance-window-execution-tasks.output-1.json", ""),
        ("describe-maintenance-window-execution-task-invocations.output-1.json", ""),
        ("get-maintenance-window-execution-task.output-1.json", ""),
        ("get-maintenance-window-execution-task-invocation.output-1.json", ""),
        ("get-command-invocation.output-1.json", ""),
        ("list-command-invocations.output-1.json", ""),
        ("describe-association-execution-targets.output-1.json", ""),
    ],
)
def test_ssm_outputs_that_are_not_step_records(name, hint):
    path = executions(*SSM, name)
    with pytest.raises(RecordError) as raised:
        read_records([path])
    assert str(raised.value).startswith(f"{path}:1:1: not a record of a run (expected an SSM automation")
    assert hint in raised.value.message


# -- Argo --------------------------------------------------------------------------------

def test_argo_dag_with_retries_succeeded():
    record = only(executions(*ARGO, "dag_retry_succeeded.yaml"))
    assert record.record_format == "argo"
    assert record.runbook_name == "dag-with-retries"  # generateName without its `-`
    assert record.origin == datetime(2018, 8, 1, 10, 22, 43, tzinfo=timezone.utc)
    # step1 is the Retry node: 3 attempts, from step1(0)'s start 10:22:43 (minute 0)
    # to step1(2)'s end 10:23:08 (25 s); the Retry node's own 10:23:09 is not an attempt's.
    assert steps_of(record) == [("step1", 0.0, minutes(25), OK, 3)]
    assert record.status is None  # the status has no phase


def test_argo_dag_disable_fail_fast():
    record = only(executions(*ARGO, "dag-disable-fail-fast.yaml"))
    # Minute 0 is the workflow's startedAt 09:11:58.
    assert steps_of(record) == [
        ("A", 0.0, minutes(4), OK, 1),  # 09:11:58 - 09:12:02
        ("B", minutes(5), minutes(38), OK, 1),  # Retry of B(0): 09:12:03 - 09:12:36
        ("C", minutes(5), minutes(14), FAILED, 2),  # Retry of C(0) 09:12:03-08 and C(1) 09:12:09-12
        ("D", minutes(39), minutes(43), OK, 1),  # 09:12:37 - 09:12:41
        ("E", minutes(44), minutes(47), OK, 1),  # 09:12:42 - 09:12:45
    ]
    # The workflow: Failed, ending 09:12:46 (48 s).
    assert (record.status, round(record.end, 6)) == (FAILED, minutes(48))


def test_argo_dag_exhausted_retries():
    record = only(executions(*ARGO, "dag-exhausted-retries-xfail.yaml"))
    assert record.runbook_name == "retry-with-dags"
    # Minute 0: 00:26:32.  sub-dag1 is a DAG node inside the entrypoint's DAG
    # (it has a boundaryID): the task calling template sub-dag, a step as the
    # Argo adapter has it, from its start (00:26:37) until its template's
    # first step, fail, starts (00:26:37); the entrypoint's DAG node is structure.
    assert steps_of(record) == [
        ("success1", 0.0, minutes(3), OK, 1),  # success1(0): 00:26:32 - 00:26:35
        ("fail", minutes(5), minutes(13), FAILED, 2),  # fail(0) 00:26:37-41, fail(1) 00:26:42-45
        ("sub-dag1", minutes(5), minutes(5), FAILED, 1),  # the DAG node's phase
        ("success2", minutes(16), minutes(16), SKIPPED, 1),  # Skipped node, phase Omitted, at 00:26:48
    ]
    assert record.status is RUNNING


def test_argo_dag_xfail():
    record = only(executions(*ARGO, "dag_xfail.yaml"))
    assert record.runbook_name == "dag-fail"
    # Minute 0: 09:57:43.
    assert steps_of(record) == [
        ("A", 0.0, minutes(9), OK, 1),  # 09:57:43 - 09:57:52
        ("B", minutes(10), minutes(15), OK, 1),  # 09:57:53 - 09:57:58
        ("C", minutes(10), minutes(18), FAILED, 1),  # 09:57:53 - 09:58:01
    ]
    assert (record.status, record.end) == (RUNNING, minutes(18))  # finishedAt null: the last step's end


def test_argo_attempts_that_end_before_they_start_are_refused():
    # fail(0) starts 2019-01-03T01:23:18Z and "finishes" 2018-12-28T19:21:26Z (line 98).
    path = executions(*ARGO, "steps-failed-retries.yaml")
    with pytest.raises(RecordError) as raised:
        read_records([path])
    assert str(raised.value).startswith(f"{path}:98:19: `fail(0)` ends (2018-12-28T19:21:26+00:00) before it starts")


# -- Tekton ------------------------------------------------------------------------------

TEKTON_STEPS = [
    # Minute 0: the PipelineRun's startTime 13:50:58 (the first TaskRun's start too).
    ("skaffold-unit-tests", 0.0, minutes(13), OK, 1),  # 13:50:58 - 13:51:11
    ("build-skaffold-app", minutes(13), minutes(157), FAILED, 1),  # 13:51:11 - 13:53:35 (2 min 24 s later)
    ("build-skaffold-web", minutes(13), minutes(172), FAILED, 1),  # 13:51:11 - 13:53:50
]


def test_tekton_pipeline_run_with_its_task_runs():
    record = only(executions(*TEKTON, "pipelineRun.json"), executions(*TEKTON, "taskRuns.json"))
    assert record.record_format == "tekton"
    assert record.runbook_name == "demo-pipeline"  # spec.pipelineRef.name
    assert record.origin == datetime(2019, 9, 6, 13, 50, 58, tzinfo=timezone.utc)
    assert steps_of(record) == TEKTON_STEPS
    # The PipelineRun: Failed, completed 13:53:50.
    assert (record.status, round(record.end, 6)) == (FAILED, minutes(172))
    assert record.path == str(executions(*TEKTON, "pipelineRun.json"))


def test_tekton_task_runs_alone():
    record = only(executions(*TEKTON, "taskRuns.json"))
    assert (record.runbook_name, record.status) == (None, None)
    assert steps_of(record) == TEKTON_STEPS  # the earliest start is the same 13:50:58


def test_tekton_pipeline_run_without_its_task_runs():
    path = executions(*TEKTON, "pipelineRun.json")
    with pytest.raises(RecordError, match="comes with none of its TaskRuns"):
        read_records([path])
    path = executions(*TEKTON, "when-expressions-pipelinerun.json")
    with pytest.raises(RecordError, match="has no status: it has not run"):
        read_records([path])


@pytest.mark.parametrize(
    "name",
    ["pipeline.json", "example7_pipeline.json", "release-pipeline.json", "finally-pipeline.json", "tasks.json",
     "graph.json"],
)
def test_tekton_definitions_are_not_records(name):
    with pytest.raises(RecordError, match="not a record of a run"):
        read_records([executions(*TEKTON, name)])


# -- GitHub Actions ----------------------------------------------------------------------

def test_github_completed_jobs():
    failure = only(executions(*GITHUB, "workflow_job", "completed.failure.with-organization.payload.json"))
    assert failure.record_format == "github-actions"
    assert failure.runbook_name == "CodeQL"
    # linters: 10:34:58 - 10:38:16, 3 min 18 s = 198 s.
    assert steps_of(failure) == [("linters", 0.0, minutes(198), FAILED, 1)]
    assert failure.steps[0].who == "GitHub Actions 5"
    success = only(executions(*GITHUB, "workflow_job", "completed.success.with-organization.payload.json"))
    assert steps_of(success) == [("linters", 0.0, minutes(198), OK, 1)]


def test_github_payloads_of_one_job_are_one_step_the_last_given_wins():
    folder = executions(*GITHUB, "workflow_job")
    record = only(folder / "completed.failure.with-organization.payload.json",
                  folder / "completed.success.with-organization.payload.json")
    assert steps_of(record) == [("linters", 0.0, minutes(198), OK, 1)]


@pytest.mark.parametrize(
    ("name", "step"),
    [
        ("queued.payload.json", "update"),
        ("waiting.payload.json", "test"),
        ("queued.with-deployment.payload.json", "test"),
    ],
)
def test_github_jobs_that_never_started(name, step):
    # started_at is set on a queued job (GitHub sets it when queued): it is not a start.
    record = only(executions(*GITHUB, "workflow_job", name))
    assert steps_of(record) == [(step, None, None, NOT_RUN, 1)]
    assert record.origin is None


def test_github_job_in_progress():
    record = only(executions(*GITHUB, "workflow_job", "in_progress.payload.json"))
    assert steps_of(record) == [("Analyze (javascript)", 0.0, None, RUNNING, 1)]


@pytest.mark.parametrize(
    "name",
    ["completed.payload.json", "completed.with-pull-requests.payload.json", "requested.payload.json",
     "requested.with-conclusion.payload.json"],
)
def test_github_workflow_run_payloads_say_what_to_export(name):
    expected = "a workflow_run payload has no job times; export the run's jobs with `gh api"
    with pytest.raises(RecordError, match=expected):
        read_records([executions(*GITHUB, "workflow_run", name)])
