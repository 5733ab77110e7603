"""Records made by hand to be hard to read: the engines' shapes with their
edge cases (clocks in different zones, steps that never ran, retries,
grouping across files), and hostile input (malformed, out of order, huge,
compressed garbage, offloaded status).  Each gives a record or a RecordError
with file, line and column, never another exception."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from recoverylint.records import RECORD_FORMATS, read_each_record, read_records
from recoverylint.records.model import RecordError, RunStatus
from recoverylint.source import Limits


def write(folder: Path, name: str, content: str | bytes | object) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(json.dumps(content, indent=2), encoding="utf-8")
    return path


def refused(paths: list[Path], **options: object) -> RecordError:
    with pytest.raises(RecordError) as raised:
        read_records(paths, **options)  # type: ignore[arg-type]
    return raised.value


def where(error: RecordError) -> tuple[int, int]:
    return (error.position.line, error.position.column)


# -- SSM ---------------------------------------------------------------------------------

def ssm_execution(*steps: dict[str, object], **run: object) -> dict[str, object]:
    return {"AutomationExecution": {"DocumentName": "Restore-DB", **run, "StepExecutions": list(steps)}}


def test_ssm_clocks_in_different_zones_epoch_and_iso(tmp_path):
    path = write(tmp_path, "run.json", ssm_execution(
        {"StepName": "snapshot", "StepStatus": "Success",
         "ExecutionStartTime": "2024-03-01T12:00:00+02:00", "ExecutionEndTime": "2024-03-01T10:04:00Z"},
        # 1709287500 is 2024-03-01T10:05:00Z: minute 5.
        {"StepName": "restore", "StepStatus": "Failed", "ExecutionStartTime": 1709287500,
         "ExecutionEndTime": "2024-03-01T05:15:30-05:00"},
        {"StepName": "verify", "StepStatus": "Pending"},
        {"StepName": "notify", "StepStatus": "Cancelled"},
    ))
    (record,) = read_records([path])
    # 12:00+02:00 is 10:00Z, minute 0; 05:15:30-05:00 is 10:15:30Z, minute 15.5.
    assert record.origin == datetime(2024, 3, 1, 10, 0, tzinfo=timezone.utc)
    assert [(s.name, s.start, s.end, s.status) for s in record.steps] == [
        ("snapshot", 0.0, 4.0, RunStatus.SUCCEEDED),
        ("restore", 5.0, 15.5, RunStatus.FAILED),
        ("verify", None, None, RunStatus.NOT_RUN),
        ("notify", None, None, RunStatus.CANCELLED),
    ]
    assert record.runbook_name == "Restore-DB"


def test_ssm_step_that_ends_before_it_starts(tmp_path):
    path = write(tmp_path, "run.json", ssm_execution(
        {"StepName": "a", "StepStatus": "Success", "ExecutionStartTime": 1709287500, "ExecutionEndTime": 1709287400},
    ))
    error = refused([path])
    # The end's value: line 9 of the indented JSON (the step's 4th key), after `"ExecutionEndTime": `.
    assert where(error) == (9, 29)
    assert "`a` ends (2024-03-01T10:03:20+00:00) before it starts (2024-03-01T10:05:00+00:00)" in str(error)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"StepName": "a", "StepStatus": "Success", "ExecutionStartTime": "yesterday"}, "`yesterday` is not an ISO"),
        ({"StepName": "a", "StepStatus": "Success", "ExecutionStartTime": "2024-03-01T10:00:00"}, "has no time zone"),
        ({"StepName": "a", "StepStatus": "Success", "ExecutionStartTime": 1e300}, "epoch seconds between 1970"),
        ({"StepName": "a", "StepStatus": "Success", "ExecutionStartTime": True}, "is not a time"),
        ({"StepName": "a", "StepStatus": "Sideways"}, "`StepStatus` `Sideways` is not a status"),
        ({"StepStatus": "Success"}, "a step execution has no `StepName`"),
    ],
)
def test_ssm_bad_values_are_placed(tmp_path, step, message):
    path = write(tmp_path, "run.json", ssm_execution(step))
    error = refused([path])
    assert message in error.message
    assert error.position.line > 1


def test_a_record_of_no_step(tmp_path):
    path = write(tmp_path, "run.json", ssm_execution())
    assert "the record has no step" in refused([path]).message


# -- Argo --------------------------------------------------------------------------------

def argo_workflow(status: dict[str, object]) -> dict[str, object]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": {"name": "restore-x1"}, "spec": {"workflowTemplateRef": {"name": "restore"}},
            "status": status}


NODES = {
    "r": {"type": "DAG", "displayName": "restore-x1", "phase": "Succeeded", "children": ["a"]},
    "a": {"type": "Pod", "displayName": "drain", "phase": "Succeeded",
          "startedAt": "2024-03-01T10:00:00Z", "finishedAt": "2024-03-01T10:02:00Z"},
    "b": {"type": "Suspend", "displayName": "approve", "phase": "Succeeded",
          "startedAt": "2024-03-01T10:02:00Z", "finishedAt": "2024-03-01T10:12:00Z"},
}


def test_argo_compressed_nodes_are_decoded(tmp_path):
    packed = base64.b64encode(gzip.compress(json.dumps(NODES).encode())).decode()
    path = write(tmp_path, "wf.json", argo_workflow({"phase": "Succeeded", "compressedNodes": packed}))
    (record,) = read_records([path])
    assert record.runbook_name == "restore"  # spec.workflowTemplateRef.name
    assert [(s.name, s.start, s.end) for s in record.steps] == [("drain", 0.0, 2.0), ("approve", 2.0, 12.0)]
    # Facts decoded from compressedNodes are placed at it.
    assert {(s.position.line, s.position.column) for s in record.steps} == {(14, 24)}  # line 14: after status {, phase


@pytest.mark.parametrize(
    ("compressed", "message"),
    [
        ("not base64 at all!", "is not base64 of gzipped JSON"),
        (base64.b64encode(b"plain bytes, not gzip").decode(), "is not base64 of gzipped JSON"),
        (base64.b64encode(gzip.compress(b"{not json")).decode(), "is not base64 of gzipped JSON"),
        (base64.b64encode(gzip.compress(b"[1, 2]")).decode(), "holds no map of nodes"),
        (base64.b64encode(gzip.compress(json.dumps(NODES).encode())[:40]).decode(), "is cut short"),
        (base64.b64encode(gzip.compress(b" " * 3_000_000)).decode(), "decompresses to more than 1,000,000 bytes"),
        (17, "must be base64 text"),
    ],
)
def test_argo_compressed_nodes_garbage(tmp_path, compressed, message):
    path = write(tmp_path, "wf.json", argo_workflow({"compressedNodes": compressed}))
    error = refused([path], limits=Limits(max_file_size=1_000_000))
    assert message in error.message
    assert where(error) == (13, 24)  # status {, then compressedNodes


def test_argo_offloaded_node_status_says_how_to_export(tmp_path):
    path = write(tmp_path, "wf.yaml", textwrap.dedent("""\
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {name: restore-x1}
        status:
          phase: Succeeded
          offloadNodeStatusVersion: fnv:1234
        """))
    error = refused([path])
    assert where(error) == (6, 29)
    assert "offloaded" in error.message
    assert "`argo get NAME -n NAMESPACE -o json`" in error.message
    assert "`kubectl get workflow` does not include offloaded nodes" in error.message


def test_argo_workflow_that_never_ran(tmp_path):
    path = write(tmp_path, "wf.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: x}\n")
    assert "the Workflow has no `status`" in refused([path]).message


def test_malformed_yaml_has_its_line(tmp_path):
    path = write(tmp_path, "wf.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nstatus:\n  nodes: [a\n")
    error = refused([path])
    assert error.message.startswith("YAML syntax error")
    assert error.position.line >= 4


# -- Tekton ------------------------------------------------------------------------------

def task_run(name: str, task: str | None, start: str | None, end: str | None, reason: str = "Succeeded",
             pipeline_run: str | None = None, **status: object) -> dict[str, object]:
    labels = {}
    if task:
        labels["tekton.dev/pipelineTask"] = task
    if pipeline_run:
        labels["tekton.dev/pipelineRun"] = pipeline_run
    condition = {"type": "Succeeded", "status": "True" if reason == "Succeeded" else "False", "reason": reason}
    return {"apiVersion": "tekton.dev/v1", "kind": "TaskRun", "metadata": {"name": name, "labels": labels},
            "status": {"startTime": start, "completionTime": end, "conditions": [condition], **status}}


def pipeline_run(name: str, pipeline: str, start: str, **status: object) -> dict[str, object]:
    return {"apiVersion": "tekton.dev/v1", "kind": "PipelineRun", "metadata": {"name": name},
            "spec": {"pipelineRef": {"name": pipeline}},
            "status": {"startTime": start, "conditions": [{"type": "Succeeded", "status": "True"}], **status}}


def test_tekton_list_of_two_runs_grouped_by_label_with_retries_and_skipped_tasks(tmp_path):
    items = [
        pipeline_run("restore-1", "restore", "2024-03-01T10:00:00Z", skippedTasks=[{"name": "rollback"}]),
        pipeline_run("restore-2", "restore", "2024-03-02T10:00:00Z"),
        task_run("restore-2-drain", "drain", "2024-03-02T10:01:00Z", "2024-03-02T10:03:00Z", pipeline_run="restore-2"),
        task_run("restore-1-drain", "drain", "2024-03-01T10:00:30Z", "2024-03-01T10:02:00Z", pipeline_run="restore-1",
                 retriesStatus=[{"startTime": "2024-03-01T10:00:00Z", "completionTime": "2024-03-01T10:00:20Z"}]),
        task_run("restore-1-verify", "verify", "2024-03-01T10:02:00Z", "2024-03-01T10:03:00Z", "TaskRunCancelled",
                 pipeline_run="restore-1"),
    ]
    path = write(tmp_path, "list.json", {"apiVersion": "v1", "kind": "List", "items": items})
    first, second = read_records([path])
    assert [(s.name, s.start, s.end, s.status, s.attempts) for s in first.steps] == [
        ("drain", 0.0, 2.0, RunStatus.SUCCEEDED, 2),  # its first attempt started at 10:00:00
        ("verify", 2.0, 3.0, RunStatus.CANCELLED, 1),
        ("rollback", None, None, RunStatus.SKIPPED, 1),
    ]
    assert [(s.name, s.start, s.end) for s in second.steps] == [("drain", 1.0, 3.0)]
    assert (first.runbook_name, second.runbook_name) == ("restore", "restore")


def test_tekton_task_runs_listed_by_child_references_across_files(tmp_path):
    runs = [
        pipeline_run("r1", "restore", "2024-03-01T10:00:00Z",
                     childReferences=[{"kind": "TaskRun", "name": "r1-x", "pipelineTaskName": "drain"}]),
        pipeline_run("r2", "restore", "2024-03-02T10:00:00Z",
                     childReferences=[{"kind": "TaskRun", "name": "r2-x", "pipelineTaskName": "drain"}]),
    ]
    one = write(tmp_path, "runs.json", runs)
    two = write(tmp_path, "taskruns.json", [
        task_run("r2-x", None, "2024-03-02T10:00:00Z", "2024-03-02T10:01:00Z"),
        task_run("r1-x", None, "2024-03-01T10:00:00Z", "2024-03-01T10:05:00Z"),
    ])
    first, second = read_records([one, two])
    assert [(s.name, s.end) for s in first.steps] == [("drain", 5.0)]
    assert [(s.name, s.end) for s in second.steps] == [("drain", 1.0)]


def test_tekton_task_run_listed_but_not_given(tmp_path):
    run = pipeline_run("r1", "restore", "2024-03-01T10:00:00Z", childReferences=[
        {"kind": "TaskRun", "name": "r1-a", "pipelineTaskName": "drain"},
        {"kind": "CustomRun", "name": "r1-c", "pipelineTaskName": "wait"},  # a custom task: not read
        {"kind": "TaskRun", "name": "r1-b", "pipelineTaskName": "verify"},
    ])
    given = write(tmp_path, "list.json", {"kind": "List", "items": [
        run, task_run("r1-a", None, "2024-03-01T10:00:00Z", "2024-03-01T10:01:00Z")]})
    error = refused([given])
    assert "lists the TaskRun `r1-b` (task `verify`), which is not given" in error.message
    assert "`kubectl get taskrun -l tekton.dev/pipelineRun=NAME -o json`" in error.message
    # The reference's name in the file: the third childReference.
    (line,) = [n for n, text in enumerate(given.read_text().splitlines(), 1) if '"name": "r1-b"' in text]
    assert error.position.line == line


def test_tekton_task_run_of_no_known_pipeline_run_among_several(tmp_path):
    runs = write(tmp_path, "runs.json", [pipeline_run("r1", "p", "2024-03-01T10:00:00Z"),
                                         pipeline_run("r2", "p", "2024-03-01T11:00:00Z")])
    orphan = write(tmp_path, "tr.json", task_run("stray", "drain", "2024-03-01T10:00:00Z", "2024-03-01T10:01:00Z"))
    found = read_each_record([runs, orphan])
    # Each PipelineRun without its TaskRuns is an error of its own, and so is the orphan: none is read.
    assert found.records == ()
    assert [(error.position.path, error.message.split(":")[0]) for error in found.errors] == [
        (str(runs), "the PipelineRun `r1` comes with none of its TaskRuns, where its tasks' times are"),
        (str(runs), "the PipelineRun `r2` comes with none of its TaskRuns, where its tasks' times are"),
        (str(orphan), "cannot tell which of the 2 PipelineRuns given the TaskRun `stray` belongs to"),
    ]


# -- GitHub Actions ----------------------------------------------------------------------

def job(run_id: int, name: str, started: str, completed: str | None, conclusion: str | None = "success",
        status: str = "completed", attempt: int = 1, job_id: int = 1) -> dict[str, object]:
    return {"id": job_id, "run_id": run_id, "run_attempt": attempt, "workflow_name": "Restore", "name": name,
            "status": status, "conclusion": conclusion, "started_at": started, "completed_at": completed,
            "runner_name": "runner-7"}


def test_github_rest_jobs_of_two_runs_and_a_rerun(tmp_path):
    jobs = [
        job(1, "drain", "2024-03-01T10:00:00Z", "2024-03-01T10:02:00Z", "failure", job_id=11),
        job(2, "drain", "2024-03-05T09:00:00Z", "2024-03-05T09:01:00Z", job_id=21),
        # drain re-run in attempt 2 of run 1, on another clock: 12:03+02:00 is 10:03Z.
        job(1, "drain", "2024-03-01T12:03:00+02:00", "2024-03-01T10:04:00Z", attempt=2, job_id=12),
        job(1, "verify", "2024-03-01T10:04:00Z", "2024-03-01T10:06:30Z", "timed_out", job_id=13),
        job(1, "announce", "2024-03-01T10:04:00Z", None, None, status="queued", job_id=14),
    ]
    path = write(tmp_path, "jobs.json", {"total_count": len(jobs), "jobs": jobs})
    first, second = read_records([path])
    assert first.runbook_name == "Restore"
    # Minute 0: the earliest start of a job kept, drain's attempt 2 at 10:03Z.
    assert [(s.name, s.start, s.end, s.status, s.attempts, s.who) for s in first.steps] == [
        ("drain", 0.0, 1.0, RunStatus.SUCCEEDED, 2, "runner-7"),
        ("verify", 1.0, 3.5, RunStatus.CANCELLED, 1, "runner-7"),
        ("announce", None, None, RunStatus.NOT_RUN, 1, "runner-7"),
    ]
    assert [(s.name, s.start, s.end) for s in second.steps] == [("drain", 0.0, 1.0)]


def test_github_webhooks_of_one_run_in_several_files_are_one_record(tmp_path):
    queued = write(tmp_path, "1.json", {"action": "queued", "workflow_job": job(
        5, "drain", "2024-03-01T10:00:00Z", None, None, status="queued")})
    done = write(tmp_path, "2.json", {"action": "completed", "workflow_job": job(
        5, "drain", "2024-03-01T10:00:10Z", "2024-03-01T10:01:10Z")})
    other = write(tmp_path, "3.json", {"action": "completed", "workflow_job": job(
        5, "verify", "2024-03-01T10:01:10Z", "2024-03-01T10:02:10Z", job_id=2)})
    # The completed payload wins over the queued one, in whichever order they come.
    (record,) = read_records([done, other, queued])
    assert [(s.name, s.start, s.end, s.status) for s in record.steps] == [
        ("drain", 0.0, 1.0, RunStatus.SUCCEEDED), ("verify", 1.0, 2.0, RunStatus.SUCCEEDED)]
    assert record.path == str(done)


def test_github_job_of_unknown_conclusion(tmp_path):
    path = write(tmp_path, "j.json", {"action": "completed", "workflow_job": job(
        5, "drain", "2024-03-01T10:00:00Z", "2024-03-01T10:01:00Z", "exploded")})
    assert "has `conclusion` `exploded`" in refused([path]).message


# -- Any format --------------------------------------------------------------------------

def test_a_file_over_the_size_cap_is_refused_unread(tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as file:
        file.truncate(50 * 1024 * 1024)  # 50 MB (sparse): the cap refuses it before reading
    error = refused([path])
    assert where(error) == (1, 1)
    assert "over the limit of 10,485,760 bytes" in error.message


def test_a_missing_file_a_binary_file_and_a_forced_format(tmp_path):
    assert "cannot read the file" in refused([tmp_path / "missing.json"]).message
    assert "invalid UTF-8" in refused([write(tmp_path, "b.json", b"\x89PNG\r\n\x1a\n\xff")]).message
    timeline = write(tmp_path, "t.json", [{"step": "a", "start": 0, "end": 1}])
    error = refused([timeline], record_format="ssm")
    assert error.message == "not a record of a run (expected an SSM automation execution)"
    csv = write(tmp_path, "t.csv", "step,start,end\na,0,1\n")
    error = refused([csv], record_format="argo")
    assert error.message == "not a record of a run (expected an Argo Workflow with its status)"
    assert read_records([timeline], record_format="timeline")[0].steps[0].name == "a"


def test_record_formats_are_the_readers():
    assert RECORD_FORMATS == ("ssm", "argo", "tekton", "github-actions", "timeline")


def test_huge_grouped_inputs_stay_linear(tmp_path):
    """20,000 GitHub jobs of 2,000 runs and 20,000 TaskRuns of one PipelineRun:
    grouping by pairs would take minutes (4e8 comparisons each); linear takes seconds."""
    jobs = [job(n % 2_000, f"job {n}", "2024-03-01T10:00:00Z", "2024-03-01T10:01:00Z", job_id=n)
            for n in range(20_000)]
    write(tmp_path, "jobs.json", json.dumps({"total_count": len(jobs), "jobs": jobs}))
    items = [pipeline_run("big", "p", "2024-03-01T10:00:00Z")] + [
        task_run(f"big-{n}", f"t{n}", "2024-03-01T10:00:00Z", "2024-03-01T10:01:00Z", pipeline_run="big")
        for n in range(20_000)]
    write(tmp_path, "list.json", json.dumps({"kind": "List", "items": items}))  # 7 MB, under the cap
    script = ("import sys; from pathlib import Path; from recoverylint.records import read_records;"
              "rs = read_records([Path(sys.argv[1])]); print(len(rs), sum(len(r.steps) for r in rs))")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["2001", "40000"], done.stderr


# -- Any bytes ---------------------------------------------------------------------------

SHAPES = st.sampled_from([
    '{"AutomationExecution": {"StepExecutions": [%s]}}',
    '{"StepExecutions": [%s]}',
    '{"apiVersion": "argoproj.io/v1", "kind": "Workflow", "status": {"nodes": {"a": %s}}}',
    '{"kind": "List", "items": [{"apiVersion": "tekton.dev/v1", "kind": "TaskRun", "status": %s}]}',
    '{"total_count": 1, "jobs": [%s]}',
    '{"action": "completed", "workflow_job": %s}',
    '{"steps": [%s]}',
    '[{"apiVersion": "tekton.dev/v1", "kind": "PipelineRun", "metadata": {"name": "p"},'
    ' "status": {"childReferences": [{"name": "t"}], "skippedTasks": [{"name": "s"}]}},'
    ' {"apiVersion": "tekton.dev/v1", "kind": "TaskRun", "metadata": %s}]',
])
SHAPES_FOUND = ['{"apiVersion": "argoproj.io/v1", "kind": "Workflow", "status": {"nodes": {"a": %s}}}']
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
    | st.sampled_from(["2024-03-01T10:00:00Z", "Success", "Failed", "Retry", "Pod", "completed", "step", "start",
                       "end", "StepName", "startedAt", "finishedAt", "ExecutionStartTime", "run_id", "name"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["StepName", "StepStatus", "ExecutionStartTime", "ExecutionEndTime", "type", "displayName",
                         "phase", "startedAt", "finishedAt", "children", "startTime", "completionTime", "conditions",
                         "name", "status", "conclusion", "started_at", "completed_at", "run_id", "step", "start",
                         "end", "who", "metadata", "labels", "retriesStatus", "ownerReferences", "kind",
                         "tekton.dev/pipelineRun", "tekton.dev/pipelineTask", "compressedNodes"]),
        inner, max_size=6),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".json", ".yaml", ".csv", ".txt"]))
def test_no_bytes_raise_anything_but_a_record_error(tmp_path, data, suffix):
    path = write(tmp_path, "r" + suffix, data)
    try:
        read_records([path])
    except RecordError as error:
        assert error.position.line >= 1 and error.position.column >= 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=SHAPES, value=VALUES, suffix=st.sampled_from([".json", ".yaml"]))
# Found by this test: a node's `type` that is a list was looked up in a set.
@example(shape=SHAPES_FOUND[0], value={"type": []}, suffix=".json")
def test_no_record_shaped_data_raises_anything_but_a_record_error(tmp_path, shape, value, suffix):
    path = write(tmp_path, "r" + suffix, shape % json.dumps(value))
    try:
        read_records([path])
    except RecordError as error:
        assert error.position.line >= 1 and error.position.column >= 1
