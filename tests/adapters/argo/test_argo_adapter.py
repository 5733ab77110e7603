"""The Argo Workflows adapter: detection, the declared order of steps groups
and DAG tasks, facts through `{{steps/tasks.X...}}`, alternatives, artifact,
volume and Kubernetes resources, and the CLI on real files."""

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
    order_edges,
    step,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoverylint.adapters import AdapterError, detect
from recoverylint.adapters.argo import FORMAT
from recoverylint.engine import check_text
from recoverylint.model import EdgeKind, Span
from recoverylint.source import parse


def spans(refs) -> dict[str, tuple[int, int]]:
    return {ref.name: (ref.span.line, ref.span.column) for ref in refs}


def workflow(body: str, kind: str = "Workflow") -> str:
    """A manifest around `templates` written at the indentation of `spec`'s keys."""
    header = f"apiVersion: argoproj.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: wf\nspec:\n  entrypoint: main\n"
    return header + textwrap.indent(textwrap.dedent(body).lstrip("\n"), "  ")


# -- detection -------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["steps.yaml", "dag.yaml", "stream.yaml", "cycle.yaml", "clean.yaml", "nested.yaml"]
)
def test_fixtures_are_detected_as_argo(name):
    found = detect(parse(fixture(f"argo/{name}")))
    assert found is not None and found.name == "argo"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "- a\n- b\n",
        "just a string\n",
        "apiVersion: v1\nkind: ConfigMap\ndata: {steps: x}\n",
        # a workflow without steps or dag templates has no order to check
        workflow("templates:\n  - name: main\n    container: {image: alpine}\n"),
        # another kind of the same API group
        "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowEventBinding\nspec:\n  templates: [{steps: []}]\n",
        # the same shape under another API
        "apiVersion: tekton.dev/v1\nkind: Workflow\nspec:\n  templates: [{name: m, steps: []}]\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: [Workflow]\nspec: {templates: [{steps: []}]}\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec: {templates: {main: {steps: []}}}\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec: [templates]\n",
        # a CronWorkflow's templates are under workflowSpec, not spec
        "apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nspec: {templates: [{steps: []}]}\n",
        "runbook: native\nsteps: []\n",
    ],
)
def test_near_misses_are_not_detected(text):
    assert not FORMAT.detect(parse(text))


def test_a_workflow_after_other_documents_is_detected():
    text = "apiVersion: v1\nkind: ConfigMap\n---\n---\n" + workflow(
        "templates:\n  - name: main\n    dag: {tasks: [{name: a, template: x}]}\n"
    )
    assert FORMAT.detect(parse(text))


# -- steps templates -------------------------------------------------------


def test_steps_groups_are_stages_each_waiting_for_the_whole_group_before():
    runbook = adapt(fixture("argo/steps.yaml"), "argo").runbook
    assert runbook.id == "release"  # generateName without its dash
    assert runbook.wait_key == "dependencies"
    assert [s.id for s in runbook.steps] == ["fetch", "lint", "flip", "ship", "hold", "report"]
    assert order_edges(runbook) == {
        ("fetch", "flip"), ("lint", "flip"), ("flip", "ship"), ("flip", "hold"),
        ("ship", "report"), ("hold", "report"),
    }
    assert {edge.kind for edge in runbook.declared_edges} == {EdgeKind.STAGE_GATE}
    assert [(s.name, s.gate, s.flow, s.steps, s.span.line, s.span.column) for s in runbook.stages] == [
        ("main.steps[0]", False, "parallel", ("fetch", "lint"), 14, 11),
        ("main.steps[1]", True, "parallel", ("flip",), 18, 11),
        ("main.steps[2]", True, "parallel", ("ship", "hold"), 20, 11),
        # a group written as one mapping instead of a list
        ("main.steps[3]", True, "parallel", ("report",), 30, 11),
    ]
    assert step(runbook, "report").stage == "main.steps[3]"
    gate = next(e for e in runbook.declared_edges if (e.source, e.target) == ("flip", "ship"))
    assert (gate.stage, gate.span) == ("main.steps[2]", Span(20, 19, 20, 23))
    assert step(runbook, "ship").span == Span(20, 19, 20, 23)
    assert step(runbook, "ship").extent.line == 20


def test_steps_references_are_facts_located_where_written():
    runbook = adapt(fixture("argo/steps.yaml"), "argo").runbook
    ship = step(runbook, "ship")
    assert spans(ship.inputs) == {
        "flip.outputs.result": (22, 19),
        "fetch.outputs.parameters.version": (26, 26),
    }
    # an expression's `steps['ship']` form, in a group written as a mapping
    assert spans(step(runbook, "report").inputs) == {"ship.status": (35, 24)}
    # declared in the called template's outputs, else at the producer's name
    assert spans(step(runbook, "fetch").outputs) == {"fetch.outputs.parameters.version": (44, 19)}
    assert spans(step(runbook, "flip").outputs) == {"flip.outputs.result": (18, 19)}
    assert spans(ship.outputs) == {"ship.status": (20, 19)}
    assert step(runbook, "lint").inputs == ()


def test_when_on_one_value_makes_alternatives_its_producer_decides():
    runbook = adapt(fixture("argo/steps.yaml"), "argo").runbook
    assert spans(step(runbook, "flip").decides) == {"ship": (22, 19), "hold": (29, 19)}
    assert spans(step(runbook, "ship").excludes) == {"hold": (22, 19)}
    assert spans(step(runbook, "hold").excludes) == {"ship": (29, 19)}


def test_volume_mounts_of_claimed_volumes_are_resources():
    runbook = adapt(fixture("argo/steps.yaml"), "argo").runbook
    assert spans(step(runbook, "fetch").writes) == {"volume/workdir": (15, 23)}
    assert spans(step(runbook, "lint").reads) == {"volume/workdir": (17, 23)}  # readOnly
    assert spans(step(runbook, "ship").writes) == {"volume/workdir/dist": (21, 23)}  # subPath
    assert step(runbook, "flip").reads == step(runbook, "flip").writes == ()


def test_steps_data_edges_come_from_facts_and_resources():
    runbook = adapt(fixture("argo/steps.yaml"), "argo").runbook
    assert data_edges(runbook) == {
        ("fetch", "ship"), ("flip", "ship"), ("lint", "ship"),
        ("fetch", "hold"), ("flip", "hold"),
        ("ship", "report"), ("fetch", "report"),
    }


def test_steps_findings():
    found = [(f.code, f.span.line, f.span.column) for f in check_text(fixture("argo/steps.yaml")).findings]
    assert found == [
        ("RL402", 17, 23),  # lint reads the volume fetch writes, in the same group
        ("RL202", 18, 11),  # flip needs nothing from the first group
        ("RL201", 30, 17),  # report needs ship, not hold
    ]


# -- dag templates ---------------------------------------------------------


def test_dag_dependencies_and_depends_are_needs():
    runbook = adapt(fixture("argo/dag.yaml"), "argo").runbook
    assert runbook.id == "pipeline"
    assert order_edges(runbook) == {
        ("build", "test"), ("scan", "test"), ("test", "publish"), ("scna", "publish"),
    }
    assert {edge.kind for edge in runbook.declared_edges} == {EdgeKind.NEEDS}
    assert [(n.step, n.span.line, n.span.column) for n in step(runbook, "test").needs] == [
        ("build", 17, 28), ("scan", 17, 35),
    ]
    # `(test.Succeeded || test.Failed) && scna`: each task once, at the expression
    assert [(n.step, n.span) for n in step(runbook, "publish").needs] == [
        ("test", Span(24, 22, 24, 63)), ("scna", Span(24, 22, 24, 63)),
    ]
    assert runbook.stages == ()


def test_dag_facts_and_artifact_locations():
    runbook = adapt(fixture("argo/dag.yaml"), "argo").runbook
    assert spans(step(runbook, "test").inputs) == {"build.outputs.artifacts.binary": (21, 25)}
    assert spans(step(runbook, "publish").inputs) == {"build.outputs.result": (28, 26)}
    assert spans(step(runbook, "build").outputs) == {
        "build.outputs.artifacts.binary": (34, 19),
        "build.outputs.result": (11, 19),
    }
    assert spans(step(runbook, "build").writes) == {"artifact/s3/releases/app/latest": (12, 23)}
    assert spans(step(runbook, "publish").reads) == {"artifact/s3/releases/app": (23, 23)}
    assert data_edges(runbook) == {("build", "test"), ("build", "publish")}


def test_dag_findings_name_the_unknown_task_and_the_false_gates():
    found = [(f.code, f.span.line, f.span.column) for f in check_text(fixture("argo/dag.yaml")).findings]
    assert found == [("RL201", 17, 35), ("RL102", 24, 22), ("RL201", 24, 22)]


def test_a_cycle_of_tasks_is_a_deadlock():
    findings = check_text(fixture("argo/cycle.yaml")).findings
    assert [(f.code, f.span.line, f.span.column) for f in findings] == [("RL103", 16, 22)]


def test_a_reference_to_no_task_is_a_missing_input():
    text = workflow(
        """
        templates:
          - name: main
            dag:
              tasks:
                - name: a
                  template: x
                - name: b
                  template: x
                  dependencies: [a]
                  arguments:
                    parameters: [{name: p, value: "{{tasks.aa.outputs.result}}"}]
        """
    )
    runbook = adapt(text, "argo").runbook
    assert spans(step(runbook, "b").inputs) == {"aa.outputs.result": (17, 45)}
    assert [(f.code, f.span.line) for f in check_text(text).findings if f.code != "RL201"] == [
        ("RL104", 17)
    ]


def test_duplicate_step_names_are_kept_for_rl101():
    text = workflow("templates:\n  - name: main\n    steps: [[{name: a, template: x}], [{name: a, template: x}]]\n")
    assert [s.id for s in adapt(text, "argo").runbook.steps] == ["a", "a"]
    assert {f.code for f in check_text(text).findings} == {"RL101"}


def test_depending_on_a_failure_uses_the_status():
    text = workflow(
        """
        templates:
          - name: main
            dag:
              tasks:
                - {name: deploy, template: x}
                - {name: smoke, template: x, depends: deploy}
                - {name: rollback, template: x, depends: "deploy.Failed || smoke.Failed && !smoke.Succeeded"}
        """
    )
    runbook = adapt(text, "argo").runbook
    assert spans(step(runbook, "rollback").inputs) == {"deploy.status": (13, 52)}
    assert spans(step(runbook, "deploy").outputs) == {"deploy.status": (11, 20)}
    assert data_edges(runbook) == {("deploy", "rollback")}


def test_references_of_the_other_scope_of_itself_and_of_templates_are_no_facts():
    text = workflow(
        """
        templates:
          - name: main
            steps:
              - - name: a
                  template: x
              - - name: b
                  template: x
                  arguments:
                    parameters:
                      - {name: p, value: "{{tasks.a.outputs.result}} {{workflow.steps.a.id}} {{steps.name}}"}
                  hooks:
                    running: {expression: "steps['b'].status == 'Running'", template: x}
            outputs:
              parameters:
                - name: out
                  valueFrom: {parameter: "{{steps.b.outputs.result}}"}
        """
    )
    runbook = adapt(text, "argo").runbook
    assert [(s.id, s.inputs, s.outputs) for s in runbook.steps] == [("a", (), ()), ("b", (), ())]


# -- streams, qualified ids, exit handlers, suspend, Kubernetes resources ---


def test_a_stream_qualifies_ids_by_workflow_and_template():
    runbook = adapt(fixture("argo/stream.yaml"), "argo").runbook
    assert runbook.id == "deploy"
    assert (runbook.span.line, runbook.span.column) == (11, 9)
    # both documents have a template `main`: ids name the workflow too
    assert [s.id for s in runbook.steps] == [
        "deploy/main/create", "deploy/main/approve", "deploy/main/smoke",
        "deploy/cleanup/delete", "nightly/main/a", "nightly/main/b",
    ]
    assert [s.name for s in runbook.stages] == [
        "deploy/main.steps[0]", "deploy/main.steps[1]", "deploy/main.steps[2]", "deploy/cleanup.steps[0]",
    ]


def test_the_exit_handler_waits_for_the_workflow_and_a_suspend_is_intended():
    runbook = adapt(fixture("argo/stream.yaml"), "argo").runbook
    assert order_edges(runbook) == {
        ("deploy/main/create", "deploy/main/approve"),
        ("deploy/main/approve", "deploy/main/smoke"),
        # onExit, at line 14: after every step, whatever their waits
        ("deploy/main/create", "deploy/cleanup/delete"),
        ("deploy/main/approve", "deploy/cleanup/delete"),
        ("deploy/main/smoke", "deploy/cleanup/delete"),
        ("nightly/main/a", "nightly/main/b"),
    }
    exit_edges = [e for e in runbook.declared_edges if e.target == "deploy/cleanup/delete"]
    assert {(e.kind, e.span.line) for e in exit_edges} == {(EdgeKind.SEQUENCE, 14)}
    assert data_edges(runbook) == {
        ("deploy/main/create", "deploy/main/approve"),  # the suspend's own waits
        ("deploy/main/approve", "deploy/main/smoke"),
        ("deploy/main/create", "deploy/main/smoke"),  # the deployment it reads
        ("deploy/main/smoke", "deploy/cleanup/delete"),  # the exit handler
        ("deploy/main/create", "deploy/cleanup/delete"),  # deletes what create made
        ("deploy/main/approve", "deploy/cleanup/delete"),  # an approval guards later changes
    }


def test_resource_templates_touch_their_kubernetes_object():
    runbook = adapt(fixture("argo/stream.yaml"), "argo").runbook
    assert spans(step(runbook, "deploy/main/create").writes) == {"k8s/deployment/web": (19, 23)}
    assert spans(step(runbook, "deploy/main/smoke").reads) == {"k8s/deployment/web": (23, 23)}
    # deleted by selector: every deployment
    assert spans(step(runbook, "deploy/cleanup/delete").writes) == {"k8s/deployment": (27, 23)}


def test_templates_of_one_workflow_are_qualified_by_template_only():
    text = workflow(
        """
        templates:
          - name: main
            steps: [[{name: a, template: sub}, {name: b, template: sub}]]
          - name: sub
            dag:
              tasks: [{name: a, template: x}, {name: b, template: x, depends: a}]
        """
    )
    runbook = adapt(text, "argo").runbook
    assert [s.id for s in runbook.steps] == ["main/a", "main/b", "sub/a", "sub/b"]
    # called from two places: its steps are not placed inside either
    assert order_edges(runbook) == {("sub/a", "sub/b")}


def test_a_template_called_once_runs_inside_its_caller():
    runbook = adapt(fixture("argo/nested.yaml"), "argo").runbook
    assert order_edges(runbook) == {
        ("main/prepare", "main/run"), ("main/run", "main/summary"), ("main/run", "main/twice"),
        ("suite/unit", "suite/judge"),
        ("main/run", "suite/unit"),  # first inside the caller
        ("suite/judge", "main/summary"), ("suite/judge", "main/twice"),  # last before the next group
        ("retry/once", "retry/retry"),  # `retry` calls itself: not nested
    }
    entry = next(e for e in runbook.declared_edges if e.target == "suite/unit" and e.source == "main/run")
    assert (entry.kind, entry.span) == (EdgeKind.SEQUENCE, Span(13, 23, 13, 28))
    # the caller uses what its template's steps use from outside
    assert spans(step(runbook, "main/run").inputs) == {"workflow.outputs.parameters.seed": (12, 19)}
    assert data_edges(runbook) == {
        ("main/prepare", "main/run"),
        ("main/prepare", "suite/unit"),  # the global output it reads
        ("main/run", "suite/unit"), ("main/run", "suite/judge"),  # inside the caller
        ("suite/judge", "main/summary"),  # the template's output comes from `judge`
    }


def test_global_outputs_are_facts():
    runbook = adapt(fixture("argo/nested.yaml"), "argo").runbook
    assert spans(step(runbook, "main/prepare").outputs) == {"workflow.outputs.parameters.seed": (55, 25)}
    assert spans(step(runbook, "suite/unit").inputs) == {"workflow.outputs.parameters.seed": (30, 26)}
    # a nested template's output taken from one of its steps
    assert spans(step(runbook, "suite/judge").outputs) == {"main/run.outputs.parameters.verdict": (38, 26)}
    assert spans(step(runbook, "main/run").outputs) == {"main/run.outputs.parameters.verdict": (36, 19)}


def test_nested_findings():
    found = [(f.code, f.span.line, f.span.column) for f in check_text(fixture("argo/nested.yaml")).findings]
    assert found == [
        ("RL201", 20, 19),  # twice needs nothing from the suite
        ("RL201", 33, 22),  # judge needs nothing from unit
        ("RL202", 47, 11),  # retry needs nothing from once
    ]


# -- malformed documents ---------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("templates:\n  - name: main\n    steps: {a: 1}\n", 9, "`steps` of template `main` must be a list"),
        ("templates:\n  - name: main\n    dag: [a]\n", 9, "`dag` of template `main` must be a mapping"),
        ("templates:\n  - name: main\n    dag: {tasks: 3}\n", 9, "`dag.tasks` of template `main` must be a list"),
    ],
)
def test_a_wrong_core_structure_is_rl002(body, line, message):
    text = workflow(body)
    with pytest.raises(AdapterError):
        FORMAT.build(parse(text), "x.yaml", 5.0)
    (found,) = check_text(text).findings
    assert (found.code, found.span.line) == ("RL002", line)
    assert found.message.startswith(message)


def test_wrong_types_inside_are_skipped():
    text = workflow(
        """
        templates:
          - 7
          - name: main
            steps:
              - 3
              - [null, {template: nameless}, {name: 5, template: [x], when: 4, arguments: {artifacts: 1}}]
              - {name: b, dependencies: 2, inline: {container: {volumeMounts: [1, {name: 3}]}}}
              - []
              - - name: c
                  template: {x: 1}
          - name: other
            dag: {tasks: [1, {name: d, dependencies: [null, 5, true], depends: 12}]}
          - name: empty
            steps: null
        """
    )
    runbook = adapt(text, "argo").runbook
    assert [s.id for s in runbook.steps] == ["main/5", "main/b", "main/c", "other/d"]
    assert order_edges(runbook) == {
        ("main/5", "main/b"), ("main/b", "main/c"), ("other/5", "other/d"), ("other/12", "other/d"),
    }
    check_text(text)  # and the rules run on it


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(
    [
        "a", "b", "main", "x", "a.Failed && b", "{{steps.a.outputs.result}}", "{{tasks.b.ip}}", "/", "s3",
        "{{steps.a.outputs.result}} == b", "{{tasks.a.status}} == c", "{{workflow.outputs.parameters.a}}",
        "kind: Job\nmetadata:\n  name: a\n",
    ]
))
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from([
                "name", "template", "steps", "dag", "tasks", "dependencies", "depends", "when",
                "arguments", "artifacts", "s3", "key", "outputs", "inputs", "parameters",
                "container", "volumeMounts", "readOnly", "subPath", "resource", "manifest",
                "flags", "action", "suspend", "inline", "volumes", "globalName", "onExit",
            ]),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(templates=st.lists(_values, max_size=4), on_exit=_scalars)
def test_no_document_crashes_the_adapter(templates, on_exit):
    data = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "w-"},
        "spec": {"onExit": on_exit, "templates": [{"name": "main", "steps": []}, *templates]},
    }
    document = parse(json.dumps(data))
    assert FORMAT.detect(document)
    try:
        FORMAT.build(document, "x.yaml", 5.0)
    except AdapterError:
        pass
    result = check_text(json.dumps(data))
    assert result.internal_error is None


# -- false findings of the real-world review (issue 14, docs/real-world-review.md) --


def findings_of(text: str) -> list[tuple[str, int]]:
    return [(f.code, f.span.line) for f in check_text(text).findings]


def test_a_dag_with_a_target_requires_its_waits():
    # dag-targets.yaml: with `target: E`, Argo runs A, C and E; were E's
    # `depends: C` dropped as RL201 advised, it would run E alone.
    text = fixture("argo/dag-target.yaml")
    assert findings_of(text) == []
    runbook = adapt(text, "argo").runbook
    assert {("warm-cache", "compact"), ("compact", "publish")} <= data_edges(runbook)
    # the same tasks with an empty target (every task runs) only wait: those gates are false
    untargeted = text.replace('target: "{{workflow.parameters.goal}}"', 'target: ""')
    assert untargeted != text
    assert findings_of(untargeted) == [("RL201", 22), ("RL201", 25)]
    assert data_edges(adapt(untargeted, "argo").runbook) == set()


def test_an_input_default_covers_a_skipped_producers_output():
    # skipped-output-defaults/consumer-input-default.yaml
    text = fixture("argo/input-default.yaml")
    assert findings_of(text) == []
    runbook = adapt(text, "argo").runbook
    assert ("pick-snapshot", "restore") in data_edges(runbook)
    assert step(runbook, "pick-snapshot").condition is not None
    assert [ref.name for ref in step(runbook, "pick-snapshot").outputs_when_skipped] == [
        "pick-snapshot.outputs.parameters.id"
    ]
    # no default to fall back on, or the output not passed whole: missing
    without_default = text.replace("        default: latest\n", "")
    embedded = text.replace(
        '"{{tasks.pick-snapshot.outputs.parameters.id}}"', '"snap-{{tasks.pick-snapshot.outputs.parameters.id}}"'
    )
    for changed in (without_default, embedded):
        assert changed != text
        assert findings_of(changed) == [("RL307", 27)]


def test_a_when_every_call_already_checked_is_no_condition():
    # fibonacci-seq-conditional-param.yaml: the helper's `sub-2` checks
    # again what the step calling the helper checked on the same value.
    text = fixture("argo/when-checked-by-call.yaml")
    assert findings_of(text) == []
    runbook = adapt(text, "argo").runbook
    assert step(runbook, "drain/find-pods").condition is None
    assert ("drain/find-pods", "drain/evict") in data_edges(runbook)
    other_check = text.replace(
        'when: "{{workflow.parameters.node}} != none"', 'when: "{{workflow.parameters.node}} != all"'
    )
    unchecked = text.replace('when: "{{workflow.parameters.node}} != none"', "# always")
    other_value = text.replace(
        'value: "{{workflow.parameters.node}}"', 'value: "{{workflow.parameters.spare}}"'
    )
    for changed in (other_check, unchecked, other_value):
        assert changed != text
        assert findings_of(changed) == [("RL307", 37)]
        assert step(adapt(changed, "argo").runbook, "drain/find-pods").condition is not None


def test_a_when_of_a_template_called_without_it_stays_a_condition():
    text = fixture("argo/when-checked-by-call.yaml")
    second_call = text + (
        "  - name: spare\n    steps:\n    - - name: again\n        template: drain\n"
        "        arguments:\n          parameters: [{name: target, value: x}]\n"
    )
    assert step(adapt(second_call, "argo").runbook, "drain/find-pods").condition is not None
    assert ("RL307", 37) in findings_of(second_call)


def test_waits_between_steps_talking_to_one_daemon_are_required():
    # dag-daemon-task.yaml: `producer-1` writes into the database
    # `init-database` created in the daemon; run at once, as RL201 advised,
    # its writes would fail and be lost.
    text = fixture("argo/daemon-service.yaml")
    runbook = adapt(text, "argo").runbook
    edges = data_edges(runbook)
    assert {("make-queue", "fill-a"), ("make-queue", "fill-b"), ("fill-a", "drain"), ("fill-b", "drain")} <= edges
    # steps the order leaves concurrent stay so; a step that never talks to
    # the daemon does not need what others did to it
    assert ("fill-a", "fill-b") not in edges and ("fill-b", "fill-a") not in edges
    assert findings_of(text) == [("RL201", 36)]  # `announce` only echoes
    assert next(n.reason for n in step(runbook, "fill-a").needs if n.reason) == (
        "`fill-a` goes on with what `make-queue` did through `broker`'s service"
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('target: "{{workflow.parameters.goal}}"', "target: [publish]"),
        ('target: "{{workflow.parameters.goal}}"', "target: '  '"),
    ],
)
def test_a_target_that_is_a_list_or_blank_is_no_target(old, new):
    text = fixture("argo/dag-target.yaml").replace(old, new)
    result = check_text(text)
    assert result.internal_error is None
    assert [(f.code, f.span.line) for f in result.findings] == [("RL201", 22), ("RL201", 25)]


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("input-default.yaml", "        default: latest\n", "        default: {a: 1}\n"),
        ("input-default.yaml", "      - name: snapshot\n        default", "      - name: [snapshot]\n        default"),
        ("input-default.yaml", "          - name: snapshot\n", "          - name: 3\n"),
        ("input-default.yaml", "    inputs:\n      parameters:\n", "    inputs:\n      parameters: 1\n      x:\n"),
        ("when-checked-by-call.yaml", '        when: "{{workflow.parameters.node}} != none"', "        when: [1]"),
        ("when-checked-by-call.yaml", '            value: "{{workflow.parameters.node}}"', "            value: [a]"),
        ("when-checked-by-call.yaml", "          - name: target\n", "          - name: {a: b}\n"),
    ],
)
def test_odd_values_around_defaults_and_checked_whens_crash_nothing(name, old, new):
    text = fixture(f"argo/{name}")
    changed = text.replace(old, new)
    assert changed != text
    assert check_text(changed).internal_error is None


# -- the command line --------------------------------------------------------



def test_the_cli_reports_an_argo_dag():
    done = check_json(FIXTURES / "argo" / "dag.yaml")
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [(f["code"], f["line"], f["column"]) for f in findings] == [
        ("RL201", 17, 35), ("RL102", 24, 22), ("RL201", 24, 22),
    ]
    assert findings[0]["suggestion"] == "dependencies: [build]"


def test_the_cli_passes_a_clean_argo_workflow():
    done = check_json(FIXTURES / "argo" / "clean.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["findings"] == []
