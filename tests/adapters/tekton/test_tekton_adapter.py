"""The Tekton adapter: Pipelines and PipelineRuns read as runbooks."""

from __future__ import annotations

import json
import textwrap

import pytest
from adapter_support import (
    FIXTURES,
    adapt,
    check_json,
    data_edges,
    fixture,
    names,
    order_edges,
    step,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoverylint.adapters import AdapterError, detect, input_formats
from recoverylint.engine import check_text
from recoverylint.model import EdgeKind, Span
from recoverylint.source import parse

TEKTON = input_formats()["tekton"]


def read(name: str):
    return adapt(fixture(f"tekton/{name}"), "tekton", path=f"tekton/{name}")


def codes(text: str) -> list[tuple[str, int]]:
    return [(f.code, f.span.line) for f in check_text(text).findings]


# -- detection -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["pipeline.yaml", "embedded.yaml", "two-pipelines.yaml", "unknown.yaml"])
def test_pipelines_are_detected(name):
    found = detect(parse(fixture(f"tekton/{name}")))
    assert found is not None and found.name == "tekton"


@pytest.mark.parametrize(
    "text",
    [
        fixture("tekton/taskrun.yaml"),  # Task, TaskRun, and a run of a remote pipeline
        "apiVersion: argoproj.io/v1\nkind: Pipeline\nspec:\n  tasks: []\n",  # not tekton.dev
        "apiVersion: tekton.dev/v1\nkind: Pipeline\nspec:\n  params: []\n",  # no tasks
        "apiVersion: tekton.dev/v1\nkind: PipelineRun\nspec:\n  pipelineRef: {name: x}\n",
        "apiVersion: tekton.dev/v1\nkind: PipelineRun\nspec: [tasks]\n",
        "apiVersion: [tekton.dev/v1]\nkind: Pipeline\nspec:\n  tasks: []\n",
        "- apiVersion: tekton.dev/v1\n  kind: Pipeline\n",
        "just a string\n",
        "",
    ],
)
def test_near_misses_are_not_detected(text):
    assert not TEKTON.detect(parse(text))


def test_a_pipeline_after_other_documents_is_detected():
    text = "kind: ConfigMap\n---\n---\napiVersion: tekton.dev/v1beta1\nkind: Pipeline\nspec:\n  tasks: []\n"
    assert TEKTON.detect(parse(text))


# -- a Pipeline document with its Task and a run ------------------------------------


def test_steps_ids_titles_and_spans():
    runbook = read("pipeline.yaml").runbook
    assert runbook.id == "release"
    assert runbook.title == "Release the service"
    assert runbook.format == "tekton" and runbook.wait_key == "runAfter"
    assert runbook.span == Span(19, 9, 19, 16)
    assert [s.id for s in runbook.steps] == ["fetch", "inspect", "build", "announce", "cleanup"]
    assert step(runbook, "fetch").span == Span(26, 13, 26, 18)
    assert step(runbook, "announce").title == "Tell the team"
    assert step(runbook, "fetch").extent == Span(26, 7, 32, 5)


def test_declared_order():
    runbook = read("pipeline.yaml").runbook
    assert order_edges(runbook) == {
        ("fetch", "inspect"),
        ("inspect", "build"),
        ("build", "announce"),
        ("inspect", "announce"),  # Tekton's own wait for a result
        # finally after every task: whatever the waits, Tekton runs it last
        ("fetch", "cleanup"),
        ("inspect", "cleanup"),
        ("build", "cleanup"),
        ("announce", "cleanup"),
    }
    kinds = {(e.source, e.target): (e.kind, e.span) for e in runbook.declared_edges}
    assert kinds[("fetch", "inspect")] == (EdgeKind.NEEDS, Span(33, 18, 33, 23))
    assert kinds[("build", "announce")] == (EdgeKind.NEEDS, Span(51, 18, 51, 23))
    assert kinds[("inspect", "announce")] == (EdgeKind.SEQUENCE, Span(54, 18, 54, 53))
    assert kinds[("announce", "cleanup")] == (EdgeKind.SEQUENCE, Span(59, 13, 59, 20))
    assert [(n.step, n.span.line) for n in step(runbook, "build").needs] == [("inspect", 41)]


def test_facts_and_required_order():
    runbook = read("pipeline.yaml").runbook
    inspect, build = step(runbook, "inspect"), step(runbook, "build")
    # The output is declared by the Task document the task runs.
    assert [(r.name, r.span) for r in inspect.outputs] == [("inspect.version", Span(11, 13, 11, 20))]
    assert [(r.name, r.span) for r in build.inputs] == [("inspect.version", Span(44, 18, 44, 50))]
    assert data_edges(runbook) == {
        ("fetch", "inspect"),  # writes the workspace it reads
        ("inspect", "build"),
        ("fetch", "build"),
        ("inspect", "announce"),
        *{(task, "cleanup") for task in ("fetch", "inspect", "build", "announce")},
    }


def test_workspaces_are_resources():
    runbook = read("pipeline.yaml").runbook
    assert names(step(runbook, "fetch").writes) == ["workspace/shared"]
    # readOnly in the Task's declaration; its script reads one file there
    assert names(step(runbook, "inspect").reads) == ["workspace/shared/VERSION"]
    assert step(runbook, "inspect").writes == ()
    assert [(r.name, r.span) for r in step(runbook, "build").writes] == [
        ("workspace/shared/build", Span(47, 22, 47, 28))
    ]
    # bound by the file's run to a ConfigMap: read-only
    assert names(step(runbook, "announce").reads) == ["workspace/settings"]
    assert step(runbook, "announce").writes == ()


def test_no_alternatives():
    for name in ("pipeline.yaml", "embedded.yaml"):
        runbook = read(name).runbook
        assert all(not s.decides and not s.excludes for s in runbook.steps)


# -- a PipelineRun with an embedded pipelineSpec -----------------------------------


def test_embedded_pipeline():
    adapted = read("embedded.yaml")
    runbook = adapted.runbook
    assert adapted.problems == ()
    assert runbook.id == "rollout" and runbook.span == Span(4, 17, 4, 25)
    assert order_edges(runbook) == {
        ("probe", "drain"),
        ("probe", "left"),
        ("left", "report"),
        ("right", "report"),
    }
    assert names(step(runbook, "drain").inputs) == ["probe.hosts"]
    # bracket notation, inside an embedded taskSpec (propagated results)
    assert [(r.name, r.span.line) for r in step(runbook, "left").inputs] == [("probe.hosts", 40)]
    # the matrix context is a fact, without a wait of its own
    assert names(step(runbook, "report").inputs) == ["left.matrix.length"]
    assert names(step(runbook, "left").outputs) == ["left.matrix.length"]
    assert data_edges(runbook) == {("probe", "drain"), ("probe", "left"), ("left", "report")}


def test_embedded_workspaces():
    runbook = read("embedded.yaml").runbook
    # propagated to the embedded taskSpec without a binding; `rm` is no command
    # the shell tables know: the whole workspace
    assert [(r.name, r.span.line) for r in step(runbook, "drain").writes] == [("workspace/data", 29)]
    # subPaths, and in them the file each script writes; `scratch` is an
    # emptyDir: one per task, shared with no one
    assert names(step(runbook, "left").writes) == ["workspace/data/left/l"]
    assert names(step(runbook, "right").writes) == ["workspace/data/right/r"]


def test_several_pipelines_qualify_ids_and_workspaces():
    runbook = read("two-pipelines.yaml").runbook
    assert runbook.id == "backup"
    assert [s.id for s in runbook.steps] == ["backup/dump", "backup/upload", "restore/dump", "restore/load"]
    assert order_edges(runbook) == {("backup/dump", "backup/upload"), ("restore/dump", "restore/load")}
    assert names(step(runbook, "restore/dump").writes) == ["workspace/restore/store"]
    assert names(step(runbook, "backup/dump").writes) == ["workspace/backup/store"]
    assert names(step(runbook, "restore/load").inputs) == ["restore/dump.file"]
    assert data_edges(runbook) == {("backup/dump", "backup/upload"), ("restore/dump", "restore/load")}


def test_subpath_with_a_variable_covers_the_whole_workspace():
    text = textwrap.dedent(
        """\
        apiVersion: tekton.dev/v1
        kind: Pipeline
        metadata: {name: p}
        spec:
          tasks:
            - name: a
              workspaces: [{name: w, workspace: ws, subPath: "cache/$(params.dir)/x"}]
            - name: b
              workspaces: [{name: w, workspace: "ws", subPath: "./out/../*"}]
            - name: c
              workspaces: [{name: w, workspace: "w[0]", subPath: "/x//y/"}]
        """
    )
    runbook = adapt(text, "tekton").runbook
    assert names(step(runbook, "a").writes) == ["workspace/ws/cache"]
    assert names(step(runbook, "b").writes) == ["workspace/ws"]
    assert names(step(runbook, "c").writes) == ["workspace"]


def test_a_run_of_a_pipeline_in_the_file_adds_nothing():
    text = fixture("tekton/pipeline.yaml")
    runbook = adapt(text + "---\n" + text.split("---\n")[2], "tekton").runbook
    assert [s.id for s in runbook.steps] == ["fetch", "inspect", "build", "announce", "cleanup"]


def test_a_run_named_only_by_generate_name_and_no_name():
    text = "apiVersion: tekton.dev/v1\nkind: Pipeline\nspec:\n  tasks:\n    - name: only\n"
    runbook = adapt(text, "tekton", path="dir/my-pipeline.yaml").runbook
    assert runbook.id == "my-pipeline"
    assert [s.id for s in runbook.steps] == ["only"]


# -- faults of the file ---------------------------------------------------------------


def test_unknown_names_are_rl102():
    adapted = read("unknown.yaml")
    problems = [(code, issue.span.line, issue.message) for code, issue in adapted.problems]
    assert problems == [
        ("RL102", 17, "the step `depoly` refers to no step"),
        ("RL102", 12, "the step `bulid` refers to no step"),
    ]
    assert [i.suggestion for _, i in adapted.problems] == ["did you mean `deploy`?", "did you mean `build`?"]
    assert sorted(codes(fixture("tekton/unknown.yaml"))) == [("RL102", 9), ("RL102", 12), ("RL102", 17)]


def test_a_cycle_is_rl103():
    assert codes(fixture("tekton/cycle.yaml")) == [("RL103", 8)]


@pytest.mark.parametrize(
    "spec, line",
    [
        ("  tasks: {build: {}}\n", 5),
        ("  tasks: []\n  finally: cleanup\n", 6),
        ("  tasks:\n    - name: a\n      runAfter: b\n", 7),
    ],
)
def test_wrong_structure_is_rl002(spec, line):
    text = "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n" + spec
    with pytest.raises(AdapterError) as raised:
        TEKTON.build(parse(text), "p.yaml", 5.0)
    assert raised.value.issue.span.line == line
    assert codes(text) == [("RL002", line)]


def test_malformed_entries_are_skipped():
    text = textwrap.dedent(
        """\
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        metadata: {generateName: "-", name: [x]}
        spec:
          workspaces: [7, {name: [w]}, {name: w, emptyDir: [], secret: 1}]
          pipelineSpec:
            tasks:
              - just a string
              - {name: null}
              - name: a
                runAfter: [null, [b], 3]
                workspaces: [1, {name: 2}, {workspace: {x: 1}}]
                taskRef: [x]
                params: [{value: "$(tasks.a.results)"}, {value: "$(tasks..results.x)"}]
              - name: 3
                taskSpec: {workspaces: 5, results: {x: 1}}
                params: [{value: "$(tasks.a.results.r) $(workspaces.w.path)"}]
            finally: null
        """
    )
    adapted = adapt(text, "tekton", path="odd.yaml")
    runbook = adapted.runbook
    assert runbook.id == "odd"  # neither name nor generateName
    assert [s.id for s in runbook.steps] == ["a", "3"]
    assert order_edges(runbook) == {("3", "a"), ("a", "3")}
    assert names(step(runbook, "a").writes) == ["workspace/2"]
    assert names(step(runbook, "3").inputs) == ["a.r"]


def test_status_and_child_pipelines_are_not_facts():
    text = textwrap.dedent(
        """\
        apiVersion: tekton.dev/v1
        kind: Pipeline
        metadata: {name: p}
        spec:
          tasks:
            - name: run-child
              pipelineSpec:
                tasks:
                  - name: inner
                  - name: uses-inner
                    params: [{name: x, value: $(tasks.inner.results.x)}]
            - name: check
              workspaces: [{name: conf, workspace: conf}, {name: out, workspace: out}]
              taskSpec:
                workspaces: [{name: conf, readOnly: true}, {name: out}, {name: cache, readOnly: true}]
                steps:
                  - script: sync-all $(workspaces.cache.path) $(workspaces.out.path) $(workspaces.other.bound)
          finally:
            - name: report
              when: [{input: $(tasks.run-child.status), operator: in, values: [Failed]},
                     {input: $(tasks.status), operator: in, values: [Failed]}]
        ---
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        spec:
          pipelineRef: {name: p}
          workspaces:
            - {name: out, csi: {driver: x, readOnly: true}}
            - {name: cache, projected: {sources: []}}
        ---
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        spec:
          pipelineRef: {name: p}
          workspaces: [{name: out, persistentVolumeClaim: {claimName: c}}]
        """
    )
    adapted = adapt(text, "tekton")
    runbook = adapted.runbook
    assert adapted.problems == ()
    assert [s.id for s in runbook.steps] == ["run-child", "check", "report"]
    assert all(not s.inputs and not s.outputs for s in runbook.steps)
    assert order_edges(runbook) == {("run-child", "report"), ("check", "report")}
    check = step(runbook, "check")
    # conf: declared readOnly; cache: propagated, a projected volume in every run;
    # out: read-only in one run only
    assert names(check.reads) == ["workspace/conf", "workspace/cache"]
    assert names(check.writes) == ["workspace/out"]


TEXT = st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), max_size=12)
SCRIPTS = st.sampled_from([
    "$(tasks.t.results.r)", "cat $(workspaces.w.path)/$(params.p) | tee $(workspaces.w.path)/x",
    "#!/bin/sh\necho > $(workspaces.w.path)/$(params[\"p\"])", "for f in $(workspaces.w.path)/*; do cat $f; done",
    "grep -q a $(workspaces.w.path)/../x < $(workspaces.w.path)/y",
])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), TEXT, SCRIPTS)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(
        st.sampled_from(["name", "runAfter", "workspaces", "workspace", "subPath", "taskSpec", "taskRef",
                         "results", "readOnly", "params", "value", "tasks", "finally", "pipelineSpec",
                         "steps", "script", "env", "default", "mountPath"]),
        inner,
        max_size=4,
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(tasks=st.lists(VALUES, max_size=4), final=VALUES, run=VALUES)
def test_random_pipelines_never_crash(tasks, final, run):
    document = [
        {"apiVersion": "tekton.dev/v1", "kind": "Pipeline", "metadata": {"name": "p"},
         "spec": {"tasks": [{"name": "t"}] + tasks, "finally": final}},
        {"apiVersion": "tekton.dev/v1", "kind": "PipelineRun", "spec": {"pipelineRef": {"name": "p"},
                                                                         "workspaces": run}},
    ]
    text = "\n---\n".join(json.dumps(doc, ensure_ascii=False) for doc in document)
    result = check_text(text)
    assert result.internal_error is None
    assert result.format == "tekton"


@settings(max_examples=100, deadline=None, database=None)
@given(data=VALUES, kind=st.sampled_from(["Pipeline", "PipelineRun", "Task"]))
def test_detect_never_raises(data, kind):
    text = json.dumps({"apiVersion": "tekton.dev/v1", "kind": kind, "spec": data}, ensure_ascii=False)
    TEKTON.detect(parse(text))


# -- the command line ----------------------------------------------------------------



def test_cli_reports_false_gates_and_concurrent_writes():
    completed = check_json(FIXTURES / "tekton" / "embedded.yaml")
    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    found = sorted((f["code"], f["line"], f["column"]) for f in report["findings"])
    assert found == [("RL201", 51, 26), ("RL401", 33, 24), ("RL401", 44, 24)]
    assert {f["suggestion"] for f in report["findings"]} == {"runAfter: [drain]", "runAfter: [left]"}


def test_cli_on_a_clean_pipeline():
    completed = check_json(FIXTURES / "tekton" / "two-pipelines.yaml")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert json.loads(completed.stdout)["findings"] == []


# -- The files a task's scripts use in its workspaces ----------------------------------

# Tekton's own example of tasks sharing a workspace (examples/v1/pipelineruns/
# pipelinerun-with-parallel-tasks-using-pvc.yaml), cut down: `upper` and
# `lower` run side by side and write files of their own.
PARALLEL_WORKSPACE = """\
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: parallel}
spec:
  workspaces: [{name: ws}]
  tasks:
    - name: starter
      taskRef: {name: persist}
      workspaces: [{name: task-ws, workspace: ws, subPath: init}]
    - name: upper
      runAfter: [starter]
      taskRef: {name: to-upper}
      params: [{name: input-path, value: init/message}]
      workspaces: [{name: w, workspace: ws}]
    - name: lower
      runAfter: [starter]
      taskRef: {name: to-lower}
      params: [{name: input-path, value: init/message}]
      workspaces: [{name: w, workspace: ws}]
    - name: validator
      runAfter: [upper, lower]
      taskRef: {name: validator}
      workspaces: [{name: files, workspace: ws}]
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: persist}
spec:
  workspaces: [{name: task-ws}]
  steps:
    - image: ubuntu
      script: echo hello | tee $(workspaces.task-ws.path)/message $(results.message.path)
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: to-upper}
spec:
  params: [{name: input-path}]
  workspaces: [{name: w}]
  steps:
    - image: ubuntu
      script: cat $(workspaces.w.path)/$(params.input-path) | tr a-z A-Z | tee $(workspaces.w.path)/UPPER
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: to-lower}
spec:
  params: [{name: input-path}]
  workspaces: [{name: w}]
  steps:
    - image: ubuntu
      script: |
        #!/bin/sh
        cat $(workspaces.w.path)/$(params.input-path) | tr A-Z a-z > $(workspaces.w.path)/LOWER
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: validator}
spec:
  workspaces: [{name: files}]
  steps:
    - image: ubuntu
      script: grep HELLO $(workspaces.files.path)/UPPER
    - image: ubuntu
      script: grep hello $(workspaces.files.path)/LOWER
"""


def test_scripts_name_the_files_a_task_uses_in_a_workspace():
    """A false RL401 on Tekton's own example: tasks side by side writing files
    of their own in one workspace do not race."""
    runbook = adapt(PARALLEL_WORKSPACE, "tekton").runbook
    assert names(step(runbook, "starter").writes) == ["workspace/ws/init/message"]
    assert names(step(runbook, "upper").reads) == ["workspace/ws/init/message"]
    assert names(step(runbook, "upper").writes) == ["workspace/ws/UPPER"]
    assert names(step(runbook, "lower").writes) == ["workspace/ws/LOWER"]
    assert names(step(runbook, "validator").reads) == ["workspace/ws/UPPER", "workspace/ws/LOWER"]
    assert step(runbook, "validator").writes == ()
    assert data_edges(runbook) == {
        ("starter", "upper"), ("starter", "lower"), ("upper", "validator"), ("lower", "validator"),
    }
    assert codes(PARALLEL_WORKSPACE) == []


@pytest.mark.parametrize(
    ("change", "to"),
    [
        # the same file, written by both
        ("tr A-Z a-z > $(workspaces.w.path)/LOWER", "tr A-Z a-z > $(workspaces.w.path)/UPPER"),
        # a command of no known effect, a change of folder, another language:
        # the whole workspace, as for a task whose steps the file does not hold
        ("tr A-Z a-z > $(workspaces.w.path)/LOWER", "make -C $(workspaces.w.path)"),
        ("cat $(workspaces.w.path)", "cd $(workspaces.w.path) && cat"),
        ("#!/bin/sh", "#!/usr/bin/env python3"),
        # a write to a path the run gives (a param the file does not), or a relative one
        ("tr A-Z a-z > $(workspaces.w.path)/LOWER", "tr A-Z a-z > $(workspaces.w.path)/$(params.out)"),
        ("tr A-Z a-z > $(workspaces.w.path)/LOWER", "tr A-Z a-z > LOWER"),
        # the workspace named where Tekton mounts it, or declared mounted elsewhere
        ("tr A-Z a-z > $(workspaces.w.path)/LOWER", "tr A-Z a-z > /workspace/w/UPPER"),
        # the workspace's path named outside a command's words: of unknown use
        (
            "tr A-Z a-z > $(workspaces.w.path)/LOWER",
            "tr A-Z a-z > /tmp/x; for f in $(workspaces.w.path)/*; do cat $f; done",
        ),
        ("  workspaces: [{name: w}]\n  steps:\n    - image: ubuntu\n      script: |",
         "  workspaces: [{name: w, mountPath: /data}]\n  steps:\n    - image: ubuntu\n      script: |"),
    ],
)
def test_a_script_that_may_write_what_the_other_uses_races_with_it(change, to):
    text = PARALLEL_WORKSPACE.replace(change, to, 1)
    assert text != PARALLEL_WORKSPACE
    assert ("RL401", 19) in codes(text)  # at `lower`'s binding of the workspace


@pytest.mark.parametrize(
    "step_text",
    [
        "workingDir: $(workspaces.w.path)\n      script: tr A-Z a-z < input > output",
        "env: [{name: OUT, value: $(workspaces.w.path)}]\n      script: tr A-Z a-z < input > /tmp/x",
        "command: [sh, -c]\n      args: [tr A-Z a-z < $(workspaces.w.path)/in > /tmp/x]",
    ],
)
def test_a_step_that_is_not_a_plain_script_uses_each_workspace_whole(step_text):
    text = PARALLEL_WORKSPACE.replace(
        "script: |\n        #!/bin/sh\n        cat $(workspaces.w.path)/$(params.input-path) | tr A-Z a-z > $(workspaces.w.path)/LOWER",
        step_text,
    )
    assert text != PARALLEL_WORKSPACE
    runbook = adapt(text, "tekton").runbook
    assert names(step(runbook, "lower").writes) == ["workspace/ws"]


@settings(max_examples=200, deadline=None, database=None)
@given(
    scripts=st.lists(
        SCRIPTS | st.text(alphabet=" \n$()/.;|&<>*'\"#!\\`{}[]=abcpw-_", max_size=60), min_size=1, max_size=3
    )
)
def test_random_scripts_never_crash(scripts):
    document = {
        "apiVersion": "tekton.dev/v1", "kind": "Pipeline", "metadata": {"name": "p"},
        "spec": {"tasks": [
            {"name": "a", "workspaces": [{"name": "w", "workspace": "ws", "subPath": "s"}],
             "params": [{"name": "p", "value": "x/../y"}],
             "taskSpec": {"workspaces": [{"name": "w"}], "steps": [{"image": "i", "script": s} for s in scripts]}},
            {"name": "b", "workspaces": [{"name": "w", "workspace": "ws"}],
             "taskSpec": {"steps": [{"image": "i", "script": scripts[0]}]}},
        ]},
    }
    result = check_text(json.dumps(document))
    assert result.internal_error is None
    assert result.format == "tekton"
