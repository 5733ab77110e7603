"""Argo Workflows: `Workflow`, `WorkflowTemplate`, `ClusterWorkflowTemplate`
and `CronWorkflow` manifests (`apiVersion: argoproj.io/...`).

A stream is read when one of its documents is such a manifest with a template
that has `steps` or `dag` (templates under `spec.templates`, or
`spec.workflowSpec.templates` for a CronWorkflow); documents of other kinds
are ignored.  How the manifests map to the model:

- Steps: every step of every `steps` template and every task of every `dag`
  template, in file order.  With more than one such template in the file,
  ids are `<template>/<step>`, and `<workflow>/<template>/<step>` when two
  documents have a template of the same name.  The runbook id is the first
  workflow's `metadata.name` or `generateName` (without its trailing `-`),
  else the file name.
- Declared order O, `steps` templates: each group (an inner list, whose
  steps run together) is a stage `<template>.steps[<n>]`; every step of a
  group waits for every step of the group before it (stage gates, located at
  each waiting step's name).  A group written as one mapping is one step.
- Declared order O, `dag` templates: each `dependencies` entry, and each task
  a `depends` expression names (once, without `.Succeeded`-like suffixes,
  operators and parentheses), is a `needs` wait located at the entry or the
  expression.  A task a `depends` names only with results other than success
  (`.Failed`, `.Errored`, `.Skipped`, `.Omitted`, `.AllFailed`, and
  `.AnySucceeded`: one of its items succeeded, whatever the others did) is
  used, not only waited for: the fact `<its id>.status`.  A cycle is a deadlock (RL103).
  In a dag with a `target`, Argo runs only the tasks the target depends on:
  every wait also says which tasks run, and the work requires it.
- A template called by one step only (and not from inside itself) runs
  inside that step: its first steps wait for the caller and all its steps
  require it; its last steps are waited for by the caller's successors in a
  `steps` template (not by dag tasks that depend on the caller: a second
  path would make their `dependencies` look redundant); the caller uses the
  global outputs and the resources its steps use.  A template called
  from several steps, or from itself, is a separate graph.
- The workflow's `onExit` template runs last: its first steps wait for, and
  require, the last steps of the workflow's other templates.
- A step calling a `suspend` template (an approval, or a delay) is a gate on
  purpose: the waits into and out of it are required.
- Facts: `steps.X.<attribute>` in a steps template and `tasks.X.<attribute>`
  in a dag template, anywhere in a step (`{{...}}`, `{{=...}}`, `steps['X']`),
  for the attributes `outputs.result`, `outputs.exitCode`,
  `outputs.parameters[.P]`, `outputs.artifacts[.A]`, `ip`, `id`, `status`,
  `exitCode`, `startedAt`, `finishedAt`, `hostNodeName`: the fact
  `<X's id>.<attribute>`, an input of the step (located at the string) and an
  output of X (at the called template's declaration of the output, else at
  X's name).  A step's reference to itself (lifecycle hooks) is none;
  references in a template's own `outputs` make the step they name a producer
  of the caller's output when the template is nested (above).  Outputs
  exported with `globalName` are facts `workflow.outputs.parameters.G` (or
  `artifacts`) of the steps calling their template, used by a step that
  names them in itself or in the container or script template it calls.
  Workflow parameters and `{{inputs...}}` are not facts.
- Alternatives: steps of one template whose `when` is `{{<reference to X>}}
  == <value>`, for one reference and distinct values, never run together:
  X decides between them and each excludes the others.
- Resources, from the template a step calls (`template:` or `inline:`; not
  `templateRef`, whose effects are unknown): output artifacts with a location
  (`s3`, `gcs`, `oss`: `bucket`/`key`; `azure`: `container`/`blob`; `hdfs`:
  `path`; `artifactory`, `http`: `url`; `git`: `repo`) are writes of
  `artifact/<kind>/<location>` (URL scheme and query dropped), input
  artifacts with a location (also those the step passes in `arguments`)
  are reads.  A `volumeMounts` entry of a volume a persistent volume claim
  backs writes `volume/<claim>[/<subPath>]` (the `volumeClaimTemplates`
  name, or the `claimName` of a `volumes` entry), or reads it when
  `readOnly`.  A `resource` template's object is `k8s/<kind>/<name>` (kind
  in lower case, from its manifest; `generateName` when it has no name) or
  `k8s/<kind>` (a delete by selector, from `flags`): `get` reads it, other
  actions write it; a VolumeSnapshot's manifest also reads the claim it
  copies (`volume/<persistentVolumeClaimName>`).  Names keep `{{...}}` parameters as written.
- What steps do beyond facts and resources: a step is a guard when its
  name, its template's or its `templateRef`'s says it checks (`check`,
  `test`, `verify`, `validate`, `assert`, `lint`, `scan`...) or it calls a
  `resource` template with a `successCondition` or `failureCondition`; it
  observes everything (`*`) when one of those names says it reads the
  service's health (`health`, `smoke`, `alarm`, `metric`, `probe`,
  `canary`...).  A `when` that makes no alternative is the step's condition
  (Argo runs the steps after a skipped one: RL307 asks what they miss; a
  step's `status`, and an output parameter with a `valueFrom.default`, are
  there even when it is skipped, and so is an output every step using it
  passes whole to an input parameter with a `default`, which Argo then
  gives; a `when` on `{{item}}` filters a loop's items and is no condition
  on the step, nor is a `when` every step calling its template checked
  already on the values it passes).  A
  step whose arguments or called template read the time (`date +%s`,
  `datetime.now()`...) and whose output a later step reading the time (or
  named for elapsed time) uses starts that step's clock.
- A daemon step's service is reached through its `ip` (a fact): a wait
  between two steps that both use one daemon's `ip` is required (what the
  first did to the service, the second goes on with); what they do to it,
  in commands inside containers, is not read.
- Left out: other commands inside containers, retries, `continueOn`,
  `containerSet` dependencies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from ..durations import format_default, parse_duration
from ..finding import Issue
from ..graphs import strong_components
from ..limits import TooLarge
from ..model import DeclaredEdge, EdgeKind, Ref, Span, Stage
from ..source import Document
from . import Adapted, AdapterError, InputFormat, documents
from ._behaviour import is_check, mark_clocks, observes_service, reads_time
from ._builder import RunbookBuilder, StepDraft, strings_in, text

_KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")
_NAME = r"[A-Za-z0-9_][A-Za-z0-9_-]*"
# `steps.X.outputs.result`, `tasks['X'].outputs.parameters['p']`...: not
# preceded by a name part, so that `workflow.steps` or `x_steps` do not match.
_REFERENCE = re.compile(
    rf"(?<![\w.$\]-])(?P<scope>steps|tasks)"
    rf"(?:\.(?P<dotted>{_NAME})|\[\s*(?P<quote>['\"])(?P<quoted>[^'\"]+)(?P=quote)\s*\])"
    r"\.(?P<attribute>outputs\.(?:result|exitCode|(?P<kind>parameters|artifacts)"
    rf"(?:\.(?P<output>{_NAME})|\[\s*(?P<oquote>['\"])(?P<oquoted>[^'\"]+)(?P=oquote)\s*\])?)"
    r"|ip|id|status|exitCode|startedAt|finishedAt|hostNodeName)(?![\w-])"
)
_GLOBAL = re.compile(
    r"(?<![\w.$\]-])workflow\.outputs\.(?P<kind>parameters|artifacts)"
    rf"(?:\.(?P<dotted>{_NAME})|\[\s*(?P<quote>['\"])(?P<quoted>[^'\"]+)(?P=quote)\s*\])"
)
# `when: "{{steps.X.outputs.result}} == heads"`: a choice on one value.
_CHOICE = re.compile(
    r"\s*\{\{\s*(?P<reference>[^{}\s]+)\s*\}\}\s*==\s*"
    r"(?P<value>'[^']*'|\"[^\"]*\"|[^\s'\"{}=!<>&|()]+)\s*"
)
_INPUT_PARAMETER = re.compile(r"\{\{\s*inputs\.parameters\.(?P<name>[A-Za-z0-9_.-]+?)\s*\}\}")
# A value that is one reference and nothing else.
_WHOLE_REFERENCE = re.compile(r"\s*\{\{\s*[^{}\s]+\s*\}\}\s*")
_DEPENDS_NAME = re.compile(r"[^\s&|!()]+")
_RESULT_SUFFIX = re.compile(
    r"\.(?P<result>Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|AllFailed)$"
)
# A task depending on another only through these results runs on how it ended,
# not merely after it (`cleanup` with `depends: deploy.Failed`).
_NOT_SUCCESS = frozenset(("Failed", "Errored", "Skipped", "Omitted", "AllFailed", "AnySucceeded"))
# Where each kind of artifact location keeps its place (the last is required).
_LOCATIONS = {
    "s3": ("bucket", "key"),
    "gcs": ("bucket", "key"),
    "oss": ("bucket", "key"),
    "azure": ("container", "blob"),
    "hdfs": ("path",),
    "artifactory": ("url",),
    "http": ("url",),
    "git": ("repo",),
}
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_MANIFEST_KIND = re.compile(r"^kind:[ \t]*['\"]?([^'\"\s#]+)", re.M)
# A manifest's `source:` block (its indented lines), and a claim's name in it.
_SOURCE_BLOCK = re.compile(r"^([ \t]*)source:[ \t]*\n((?:\1[ \t]+\S.*(?:\n|$))+)", re.M)
_SOURCE_CLAIM = re.compile(r"^[ \t]*(?:persistentVolumeClaimName|name):[ \t]*['\"]?([^'\"\s#]+)", re.M)
_METADATA = re.compile(r"^metadata:[ \t]*\n((?:[ \t]*\n|[ \t]+[^\n]*(?:\n|\Z))*)", re.M)
_METADATA_NAME = re.compile(r"(?P<indent>[ \t]+)(?P<key>name|generateName):(?P<value>.*)")


@dataclass(eq=False)
class _Workflow:
    """One manifest of the stream that holds templates."""

    document: Document
    data: dict[Any, Any]
    spec: dict[Any, Any]
    number: int  # 1-based position among the stream's workflow documents
    templates: dict[str, dict[Any, Any]] = field(default_factory=dict)  # by name, the first of each
    claims: dict[str, str] = field(default_factory=dict)  # volume name -> resource name
    label: str = ""  # its name where ids and facts must tell workflows apart
    # id(template) -> what it does and declares, worked out once however many steps call it
    effects: dict[int, _Effects] = field(default_factory=dict)
    declared: dict[int, _Outputs] = field(default_factory=dict)

    @property
    def name_key(self) -> str | None:
        metadata = self.data.get("metadata")
        if isinstance(metadata, dict):
            for key in ("name", "generateName"):
                if text(metadata.get(key)):
                    return key
        return None

    @property
    def name(self) -> str | None:
        key = self.name_key
        if key is None:
            return None
        name = str(self.data["metadata"][key])
        return name.rstrip("-") if key == "generateName" else name


@dataclass
class _Effects:
    """What a container, script or resource template touches, and the global
    outputs it reads (kind, name, where)."""

    reads: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    globals_used: list[tuple[str, str, Span]] = field(default_factory=list)


@dataclass
class _Outputs:
    """Where a template declares each of its outputs ((kind, name) -> the
    name), and those it exports as global outputs ((kind, global name) -> it)."""

    names: dict[tuple[str, str], Span] = field(default_factory=dict)
    exported: dict[tuple[str, str], Span] = field(default_factory=dict)


@dataclass(eq=False)
class _Entry:
    """A step of a template, while its template is read."""

    draft: StepDraft
    local: str  # its name inside the template
    mapping: dict[Any, Any]
    added: set[tuple[str, str]] = field(default_factory=set)  # (list, name) already there

    def add(self, refs: str, name: str, span: Span) -> bool:
        """Add `name` to the draft's list `refs` (inputs, outputs, reads,
        writes) unless it is there; whether it was added."""
        if (refs, name) in self.added:
            return False
        self.added.add((refs, name))
        getattr(self.draft, refs).append(Ref(name, span))
        return True


@dataclass(eq=False)
class _Flow:
    """A `steps` or `dag` template and how its step ids are written."""

    workflow: _Workflow
    template: dict[Any, Any]
    name: str
    prefix: str  # '' or '<template>/' or '<workflow>/<template>/'
    entries: list[_Entry] = field(default_factory=list)
    by_local: dict[str, _Entry] = field(default_factory=dict)  # the first of each name
    waits: list[tuple[str, str]] = field(default_factory=list)  # its own (source, target) ids

    @property
    def scope(self) -> str:
        """The variable prefix its steps' references use."""
        return "steps" if "steps" in self.template else "tasks"

    @property
    def label(self) -> str:
        """The template as its steps' ids name it (`main`, `wf/main`)."""
        return self.prefix[:-1] if self.prefix else self.name

    def qualified(self, local: str) -> str:
        return self.prefix + local

    def ends(self, last: bool) -> list[str]:
        """The ids of its steps that wait for none of its other steps (its
        first ones), or that none of them waits for (`last`)."""
        linked = {source if last else target for source, target in self.waits}
        ids = dict.fromkeys(entry.draft.id for entry in self.entries)
        return [step_id for step_id in ids if step_id not in linked]


def _spec(data: Any) -> dict[Any, Any] | None:
    """The workflow spec of an Argo manifest of a kind that holds templates."""
    if not isinstance(data, dict):
        return None
    api, kind = data.get("apiVersion"), data.get("kind")
    if not (isinstance(api, str) and api.startswith("argoproj.io/") and kind in _KINDS):
        return None
    spec = data.get("spec")
    if kind == "CronWorkflow" and isinstance(spec, dict):
        spec = spec.get("workflowSpec")
    return spec if isinstance(spec, dict) else None


def _templates(spec: dict[Any, Any] | None) -> list[dict[Any, Any]]:
    templates = spec.get("templates") if spec else None
    if not isinstance(templates, list):
        return []
    return [template for template in templates if isinstance(template, dict)]


def _is_flow(template: dict[Any, Any]) -> bool:
    return "steps" in template or "dag" in template


def detect(document: Document) -> bool:
    """Some document of the stream is an Argo workflow with a steps or dag template."""
    return any(
        _is_flow(template)
        for doc in documents(document)
        for template in _templates(_spec(doc.data))
    )


def build(document: Document, path: str, default_duration: float | None) -> Adapted:
    builder = RunbookBuilder(document, path, FORMAT.name, default_duration, wait_key=FORMAT.wait_key)
    workflows = _workflows(document)
    flows = _flows(workflows)
    for flow in flows:
        if "steps" in flow.template:
            _add_steps_template(builder, flow)
        else:
            _add_dag_template(builder, flow)
        _add_facts(flow)
        _add_alternatives(builder, flow)
        for entry in flow.entries:
            _add_resources(flow, entry)
    for workflow in workflows:
        own = [flow for flow in flows if flow.workflow is workflow]
        _add_global_facts(own, f"{workflow.label}/" if len(workflows) > 1 else "")
        _nest_called_templates(builder, own)
        _run_exit_handler_last(builder, workflow, own)
    _keep_suspend_gates(builder, flows)
    _keep_daemon_waits(builder, flows)
    _default_durations(flows)
    _add_behaviour(builder, flows)
    first = workflows[0] if workflows else None
    if first is not None and first.name_key is not None:
        runbook_id = first.name or PurePath(path).stem
        span = first.document.value_span(first.data["metadata"], first.name_key)
    else:
        runbook_id = PurePath(path).stem
        span = first.document.root_span if first else document.root_span
    return builder.build(runbook_id, span, loops=False)


def _workflows(document: Document) -> list[_Workflow]:
    workflows: list[_Workflow] = []
    for doc in documents(document):
        spec = _spec(doc.data)
        if spec is None:
            continue
        workflow = _Workflow(doc, doc.data, spec, len(workflows) + 1)
        for template in _templates(spec):
            name = text(template.get("name"))
            if name is not None:
                workflow.templates.setdefault(name, template)
        workflow.claims = _volume_claims(spec)
        workflows.append(workflow)
    return workflows


def _flows(workflows: list[_Workflow]) -> list[_Flow]:
    """The steps and dag templates of the stream, with their ids' prefixes."""
    found: list[tuple[_Workflow, dict[Any, Any], str]] = []
    for workflow in workflows:
        for index, template in enumerate(_templates(workflow.spec)):
            if _is_flow(template):
                name = text(template.get("name")) or f"templates[{index}]"
                found.append((workflow, template, name))
    documents_of: dict[str, set[int]] = {}
    for workflow, _, name in found:
        documents_of.setdefault(name, set()).add(workflow.number)
    shared = any(len(numbers) > 1 for numbers in documents_of.values())
    names = [workflow.name or "workflow" for workflow in workflows]
    for workflow, name in zip(workflows, names, strict=True):
        # generated names repeat
        workflow.label = f"{name}@{workflow.number}" if names.count(name) > 1 else name
    flows = []
    for workflow, template, name in found:
        prefix = f"{name}/" if len(found) > 1 else ""
        if shared:
            prefix = f"{workflow.label}/{prefix}"
        flows.append(_Flow(workflow, template, name, prefix))
    return flows


def _core_error(document: Document, container: dict[Any, Any], key: str, message: str) -> AdapterError:
    return AdapterError(Issue(document.value_span(container, key), message))


def _make_room(builder: RunbookBuilder, count: int, what: str) -> None:
    """Refuse waits the format implies in the square of what is written
    (a group gated on a group, alternatives excluding each other) past the limit."""
    if len(builder.edges) + count > builder.limits.max_edges:
        raise TooLarge(f"{what} alone imply {count:,} pairs of steps, over the limit of"
                       f" {builder.limits.max_edges:,} edges")


def _add_step(builder: RunbookBuilder, flow: _Flow, mapping: Any, extent: Span) -> _Entry | None:
    """A step or task mapping, if it has a name (Argo requires one)."""
    if not isinstance(mapping, dict):
        return None
    local = text(mapping.get("name"))
    if local is None:
        return None
    span = flow.workflow.document.value_span(mapping, "name")
    entry = _Entry(builder.step(flow.qualified(local), span, extent=extent), local, mapping)
    flow.entries.append(entry)
    flow.by_local.setdefault(local, entry)
    return entry


def _add_steps_template(builder: RunbookBuilder, flow: _Flow) -> None:
    """Groups are stages; each group waits for the whole group before it."""
    document, template = flow.workflow.document, flow.template
    groups = template["steps"]
    if groups is None:
        return
    if not isinstance(groups, list):
        raise _core_error(
            document, template, "steps",
            f"`steps` of template `{flow.name}` must be a list of step groups",
        )
    previous: list[_Entry] = []
    for position, group in enumerate(groups):
        group_span = document.value_span(groups, position)
        if isinstance(group, list):
            members = [
                _add_step(builder, flow, item, document.value_span(group, index))
                for index, item in enumerate(group)
            ]
        else:  # one step written without its group's list
            members = [_add_step(builder, flow, group, group_span)]
        entries = [entry for entry in members if entry is not None]
        if not entries:
            continue
        stage = f"{flow.label}.steps[{position}]"
        _make_room(builder, len(previous) * len(entries), f"the gate of `{stage}`")
        for entry in entries:
            entry.draft.stage = stage
            for source in previous:
                builder.edges.append(
                    DeclaredEdge(
                        source.draft.id, entry.draft.id, EdgeKind.STAGE_GATE, entry.draft.span, stage=stage
                    )
                )
                flow.waits.append((source.draft.id, entry.draft.id))
        # The first group of a template waits for nothing: no gate to judge.
        builder.stages.append(
            Stage(
                stage,
                group_span,
                flow="parallel",
                gate=bool(previous),
                steps=tuple(entry.draft.id for entry in entries),
            )
        )
        previous = entries


def _add_dag_template(builder: RunbookBuilder, flow: _Flow) -> None:
    """Tasks wait for the tasks their `dependencies` and `depends` name."""
    document, template = flow.workflow.document, flow.template
    dag = template["dag"]
    if dag is None:
        return
    if not isinstance(dag, dict):
        raise _core_error(document, template, "dag", f"`dag` of template `{flow.name}` must be a mapping")
    tasks = dag.get("tasks")
    if tasks is None:
        return
    if not isinstance(tasks, list):
        raise _core_error(document, dag, "tasks", f"`dag.tasks` of template `{flow.name}` must be a list")
    for index, task in enumerate(tasks):
        _add_step(builder, flow, task, document.value_span(tasks, index))
    # With a `target`, Argo runs only the tasks a target depends on, and
    # theirs: a wait also says which tasks run, so none is a mere gate.
    targeted = bool((text(dag.get("target")) or "").strip())
    for entry in flow.entries:
        for name, span, results in _waits(document, entry.mapping):
            source = flow.qualified(name)
            builder.wait(source, entry.draft.id, span, EdgeKind.NEEDS)
            producer = flow.by_local.get(name)
            if producer is None:
                continue
            flow.waits.append((source, entry.draft.id))
            if targeted and producer is not entry:
                builder.require(
                    source, entry.draft.id, span, f"`dag.target` runs `{source}` to reach `{entry.draft.id}`"
                )
            if results and results <= _NOT_SUCCESS and producer is not entry:
                # it uses how the task ended, as `{{tasks.X.status}}` would
                entry.add("inputs", f"{producer.draft.id}.status", span)
                producer.add("outputs", f"{producer.draft.id}.status", producer.draft.span)


def _waits(document: Document, task: dict[Any, Any]) -> Iterator[tuple[str, Span, set[str]]]:
    """The task names a task waits for, each with where it is written and
    the results of it a `depends` expression names."""
    dependencies = task.get("dependencies")
    if isinstance(dependencies, list):
        for index, name in enumerate(dependencies):
            if text(name):
                yield str(name), document.value_span(dependencies, index), set()
    elif text(dependencies):
        yield str(dependencies), document.value_span(task, "dependencies"), set()
    depends = text(task.get("depends"))
    if depends:
        span = document.value_span(task, "depends")
        # `A.Succeeded || A.Failed` waits for A once.
        results: dict[str, set[str]] = {}
        for token in _DEPENDS_NAME.findall(depends):
            suffix = _RESULT_SUFFIX.search(token)
            name = token[: suffix.start()] if suffix else token
            results.setdefault(name, set()).add(suffix["result"] if suffix else "Succeeded")
        for name, named in results.items():
            yield name, span, named


@dataclass(frozen=True)
class _Reference:
    """A step's use of another step's value."""

    producer: str  # local name
    attribute: str  # `outputs.parameters.p`, `status`...
    kind: str | None  # `parameters` or `artifacts` when it names one output
    output: str | None


def _references(flow: _Flow, value: str) -> Iterator[_Reference]:
    for match in _REFERENCE.finditer(value):
        if match["scope"] != flow.scope:
            continue  # the other scope's variables do not resolve in this template
        output = match["output"] or match["oquoted"]
        attribute = match["attribute"]
        if match["oquoted"]:
            attribute = f"outputs.{match['kind']}.{output}"
        yield _Reference(
            match["dotted"] or match["quoted"],
            attribute,
            match["kind"] if output else None,
            output,
        )


def _fact(flow: _Flow, reference: _Reference) -> str:
    producer = flow.by_local.get(reference.producer)
    producer_id = producer.draft.id if producer else flow.qualified(reference.producer)
    return f"{producer_id}.{reference.attribute}"


def _add_facts(flow: _Flow) -> None:
    """Each step's references to other steps' values: inputs of the step,
    outputs of the step they name."""
    document = flow.workflow.document
    for entry in flow.entries:
        for value, container, key in strings_in(entry.mapping):
            for reference in _references(flow, value):
                if reference.producer == entry.local:
                    continue  # a hook's condition on its own step
                fact = _fact(flow, reference)
                if not entry.add("inputs", fact, document.value_span(container, key)):
                    continue
                producer = flow.by_local.get(reference.producer)
                if producer is not None:
                    producer.add("outputs", fact, _output_span(flow, producer, reference))


def _output_span(flow: _Flow, producer: _Entry, reference: _Reference) -> Span:
    """Where the called template declares the output, else the producer's name."""
    called = _called_template(flow.workflow, producer.mapping)
    if reference.kind is not None and reference.output is not None and called is not None:
        declared = _outputs(flow.workflow, called).names.get((reference.kind, reference.output))
        if declared is not None:
            return declared
    return producer.draft.span


def _outputs(workflow: _Workflow, template: dict[Any, Any]) -> _Outputs:
    """The outputs a template declares."""
    known = workflow.declared.get(id(template))
    if known is not None:
        return known
    found = _Outputs()
    outputs = template.get("outputs")
    for kind in ("parameters", "artifacts"):
        declared = outputs.get(kind) if isinstance(outputs, dict) else None
        for item in declared if isinstance(declared, list) else ():
            if not isinstance(item, dict):
                continue
            name, exported = text(item.get("name")), text(item.get("globalName"))
            if name is not None:
                found.names.setdefault((kind, name), workflow.document.value_span(item, "name"))
            if exported:
                found.exported.setdefault((kind, exported), workflow.document.value_span(item, "globalName"))
    workflow.declared[id(template)] = found
    return found


def _add_alternatives(builder: RunbookBuilder, flow: _Flow) -> None:
    """Steps whose `when` compares one step's value with distinct values."""
    document = flow.workflow.document
    # (deciding step, its value compared) -> [(alternative, the value it expects, its `when`)]
    choices: dict[tuple[str, str], list[tuple[_Entry, str, Span]]] = {}
    for entry in flow.entries:
        when = entry.mapping.get("when")
        match = _CHOICE.fullmatch(when) if isinstance(when, str) else None
        if match is None:
            continue
        reference = _REFERENCE.fullmatch(match["reference"])
        if reference is None or reference["scope"] != flow.scope:
            continue
        found = next(_references(flow, match["reference"]))
        decider = flow.by_local.get(found.producer)
        if decider is None or decider is entry:
            continue
        value = match["value"].strip("'\"")
        span = document.value_span(entry.mapping, "when")
        choices.setdefault((found.producer, found.attribute), []).append((entry, value, span))
    for (producer, _), alternatives in choices.items():
        values = [value for _, value, _ in alternatives]
        if len(alternatives) < 2 or len(set(values)) < len(values):
            continue  # steps compared with one value may run together
        _make_room(builder, len(alternatives) ** 2, f"the alternatives `{producer}` decides between")
        decider = flow.by_local[producer]
        for entry, _, span in alternatives:
            decider.draft.decides.append(Ref(entry.draft.id, span))
            entry.draft.excludes.extend(
                Ref(other.draft.id, span) for other, _, _ in alternatives if other is not entry
            )


def _add_global_facts(flows: list[_Flow], prefix: str) -> None:
    """Outputs exported with `globalName` are facts of the steps calling their
    template; `{{workflow.outputs.parameters.G}}` (or `artifacts`) in a step,
    or in the container or script template it calls, is an input."""
    produced: dict[str, list[tuple[_Entry, Span]]] = {}
    used: set[str] = set()
    for flow in flows:
        document = flow.workflow.document
        for entry in flow.entries:
            called = _called_template(flow.workflow, entry.mapping)
            exported = _outputs(flow.workflow, called).exported if called is not None else {}
            own = set()
            for (kind, name), span in exported.items():
                fact = f"{prefix}workflow.outputs.{kind}.{name}"
                produced.setdefault(fact, []).append((entry, span))
                own.add(fact)
            found = list(_global_references(document, entry.mapping))
            if called is not None and not _is_flow(called):
                found += _effects(flow.workflow, called).globals_used
            for kind, name, span in found:
                fact = f"{prefix}workflow.outputs.{kind}.{name}"
                if fact not in own and entry.add("inputs", fact, span):
                    used.add(fact)
    for fact in sorted(used):
        for entry, span in produced.get(fact, ()):
            entry.add("outputs", fact, span)


def _global_references(document: Document, node: Any) -> Iterator[tuple[str, str, Span]]:
    """`workflow.outputs.<kind>.<name>` written in the strings under `node`."""
    for value, container, key in strings_in(node):
        for match in _GLOBAL.finditer(value):
            yield match["kind"], match["dotted"] or match["quoted"], document.value_span(container, key)


def _nest_called_templates(builder: RunbookBuilder, flows: list[_Flow]) -> None:
    """A steps or dag template called by one step only (and not from inside
    itself) runs inside that step: its first steps wait for the caller (and
    all of its steps require it), its last ones are waited for by the steps
    of the group after the caller, and the caller uses the global facts and
    the resources they use (so that its own waits are judged by them).  Waits
    on a dag task calling it are left as they are: a second path to the task
    would make its `dependencies` look redundant."""
    by_name: dict[str, _Flow] = {}
    for flow in flows:
        by_name.setdefault(flow.name, flow)
    sites: dict[_Flow, list[tuple[_Flow, _Entry]]] = {flow: [] for flow in flows}
    for flow in flows:
        for entry in flow.entries:
            called = by_name.get(text(entry.mapping.get("template")) or "")
            if called is not None:
                sites[called].append((flow, entry))
    # A template is inside itself when it calls, directly or not, its caller:
    # the two are then in one strongly connected component of the calls.
    position = {flow: index for index, flow in enumerate(flows)}
    calls: list[list[int]] = [[] for _ in flows]
    for called, found in sites.items():
        for outer, _ in found:
            calls[position[outer]].append(position[called])
    component, _ = strong_components(calls)
    caller = {
        flow: found[0]
        for flow, found in sites.items()
        if len(found) == 1 and component[position[found[0][0]]] != component[position[flow]]
    }
    depth: dict[_Flow, int] = {}  # how many callers up to a template no step calls
    for flow in caller:
        chain, current = [], flow
        while current in caller and current not in depth:
            chain.append(current)
            current = caller[current][0]
        known = depth.get(current, 0)
        for link in reversed(chain):
            known += 1
            depth[link] = known
    nested = sorted(caller, key=depth.__getitem__)

    after: dict[str, list[DeclaredEdge]] = {}  # a step's waiting successors but dag tasks
    for edge in builder.edges:
        if edge.kind is not EdgeKind.NEEDS:
            after.setdefault(edge.source, []).append(edge)
    used = {ref.name for draft in builder.drafts for ref in draft.inputs}
    for flow in nested:  # outer templates first: their callers' successors are known
        outer, entry = caller[flow]
        source = entry.draft.id
        span = outer.workflow.document.value_span(entry.mapping, "template")
        for first in flow.ends(last=False):
            builder.wait(source, first, span)
        for inner in flow.entries:  # so that what it requires, its caller's successors do too
            builder.require(source, inner.draft.id, span, f"`{inner.draft.id}` runs inside `{source}`")
        successors = after.get(source, [])
        lasts = flow.ends(last=True)
        _make_room(builder, len(lasts) * len(successors), f"the last steps of `{flow.name}`")
        for last in lasts:
            for edge in successors:
                builder.wait(last, edge.target, edge.span)
                after.setdefault(last, []).append(builder.edges[-1])
        _produce_template_outputs(flow, entry, used)
    for flow in reversed(nested):  # inner templates first: what they use is complete
        _, entry = caller[flow]
        for inner in flow.entries:
            # facts of a template's own steps resolve inside it: only global ones come from outside
            for ref in inner.draft.inputs:
                if "workflow.outputs." in ref.name and ("outputs", ref.name) not in entry.added:
                    entry.add("inputs", ref.name, entry.draft.span)
            for refs in ("reads", "writes"):
                for ref in getattr(inner.draft, refs):
                    entry.add(refs, ref.name, entry.draft.span)


def _produce_template_outputs(flow: _Flow, caller: _Entry, used: set[str]) -> None:
    """An output of a nested template taken from one of its steps
    (`valueFrom: {parameter: "{{steps.x.outputs...}}"}`, `from:`) is
    produced by that step as much as by the caller, for the steps that use it."""
    outputs = flow.template.get("outputs")
    document = flow.workflow.document
    for kind in ("parameters", "artifacts"):
        declared = outputs.get(kind) if isinstance(outputs, dict) else None
        for item in declared if isinstance(declared, list) else ():
            name = text(item.get("name")) if isinstance(item, dict) else None
            fact = f"{caller.draft.id}.outputs.{kind}.{name}"
            if name is None or fact not in used:
                continue
            for value, container, key in strings_in(item):
                for reference in _references(flow, value):
                    producer = flow.by_local.get(reference.producer)
                    if producer is not None:
                        producer.add("outputs", fact, document.value_span(container, key))


def _run_exit_handler_last(builder: RunbookBuilder, workflow: _Workflow, flows: list[_Flow]) -> None:
    """The workflow's `onExit` template runs when everything else has ended:
    its first steps wait for every step of the workflow's other templates
    (except those its own steps call, which run inside it), as the work
    requires: not only for the last ones, since whatever their waits, Argo
    runs it last."""
    handler_name = text(workflow.spec.get("onExit"))
    handler = next((flow for flow in flows if flow.name == handler_name), None)
    if handler is None:
        return
    inside = {text(entry.mapping.get("template")) for entry in handler.entries}
    span = workflow.document.value_span(workflow.spec, "onExit")
    first = handler.ends(last=False)
    declared = {(edge.source, edge.target) for edge in builder.edges}
    for flow in flows:
        if flow is handler or flow.name in inside:
            continue
        every = list(dict.fromkeys(entry.draft.id for entry in flow.entries))
        _make_room(builder, len(every) * len(first), "the exit handler")
        for source in every:
            for target in first:
                if (source, target) in declared:
                    continue  # it also runs nested where it is called
                builder.wait(source, target, span)
                builder.require(source, target, span, "the exit handler runs after the workflow")


def _keep_suspend_gates(builder: RunbookBuilder, flows: list[_Flow]) -> None:
    """A step calling a `suspend` template (a manual approval, or a delay)
    pauses the workflow where it is: the waits into and out of it are the
    point of it, so the work requires them too."""
    suspended = set()
    for flow in flows:
        for entry in flow.entries:
            called = _called_template(flow.workflow, entry.mapping)
            if called is not None and "suspend" in called:
                suspended.add(entry.draft.id)
    for edge in list(builder.edges):
        if (edge.source in suspended or edge.target in suspended) and edge.source in builder.by_id:
            pause = edge.source if edge.source in suspended else edge.target
            builder.require(
                edge.source, edge.target, edge.span, f"`{pause}` suspends the workflow at this point"
            )


def _keep_daemon_waits(builder: RunbookBuilder, flows: list[_Flow]) -> None:
    """Two steps talking to one daemon step's service (both use its `ip`),
    one waiting for the other, work on the same state: what the first did
    to it (a database created, rows written) is what the second goes on
    with, and the commands that say so run inside containers, unread.  The
    wait is required; steps the declared order leaves concurrent stay so."""
    spans = {(edge.source, edge.target): edge.span for edge in builder.edges}
    for flow in flows:
        daemons: dict[int, set[str]] = {}  # id(draft) -> the `<daemon>.ip` facts it uses
        for entry in flow.entries:
            daemons[id(entry.draft)] = {ref.name for ref in entry.draft.inputs if ref.name.endswith(".ip")}
        by_id = {entry.draft.id: entry.draft for entry in flow.entries}
        for source, target in flow.waits:
            first, then = by_id.get(source), by_id.get(target)
            if first is None or then is None or (source, target) not in spans:
                continue
            shared = sorted(daemons[id(first)] & daemons[id(then)])
            if shared:
                daemon = shared[0][: -len(".ip")]
                builder.require(
                    source, target, spans[(source, target)],
                    f"`{target}` goes on with what `{source}` did through `{daemon}`'s service",
                )


def _default_durations(flows: list[_Flow]) -> None:
    """Argo's default for each kind of step (docs/format.md, Durations): a
    step calling a `suspend` template with a `duration` lasts that long
    (bare digits are seconds, as Argo reads them); a suspend without one
    waits for someone to resume it, and a container, script or resource
    takes what it takes: unknown."""
    for flow in flows:
        for entry in flow.entries:
            called = _called_template(flow.workflow, entry.mapping)
            suspend = called.get("suspend") if called is not None else None
            if not isinstance(suspend, dict):
                continue
            written = suspend.get("duration")
            if isinstance(written, str) and written.strip().isdigit():
                written = f"{written.strip()}s"
            minutes = parse_duration(written) if isinstance(written, str) else None
            entry.draft.duration = format_default(minutes, "a `suspend` step (its `duration`)")


def _add_behaviour(builder: RunbookBuilder, flows: list[_Flow]) -> None:
    """Guards, observations, conditions and clocks, from what steps and the
    templates they call are named and run."""
    decided = {ref.name for draft in builder.drafts for ref in draft.decides}
    readers = set()
    fall_back = _facts_with_fallbacks(builder, flows)
    calls: dict[tuple[int, str], list[_Entry]] = {}  # (id(workflow), template) -> the steps calling it
    for flow in flows:
        for entry in flow.entries:
            called_name = text(entry.mapping.get("template"))
            if called_name is not None:
                calls.setdefault((id(flow.workflow), called_name), []).append(entry)
    implied: dict[tuple[int, str], bool] = {}  # (id(flow), when) -> whether every call checked it
    for flow in flows:
        document = flow.workflow.document
        for entry in flow.entries:
            step, draft = entry.mapping, entry.draft
            called = _called_template(flow.workflow, step)
            reference = step.get("templateRef")
            names = [entry.local, text(step.get("template")) or ""]
            if isinstance(reference, dict):
                names += [text(reference.get("name")) or "", text(reference.get("template")) or ""]
            resource = called.get("resource") if called is not None else None
            checks_resource = isinstance(resource, dict) and (
                "successCondition" in resource or "failureCondition" in resource
            )
            if checks_resource or is_check(*names):
                draft.guard = True
            if observes_service(*names):
                draft.observes.append(Ref("*", draft.span))
            when = step.get("when")
            # A `when` on `{{item}}` filters a loop's items: the step still
            # runs; one every call of its template checked always holds.
            if isinstance(when, str) and when.strip() and draft.id not in decided and "{{item" not in when:
                key = (id(flow), when)
                if key not in implied:
                    callers = calls.get((id(flow.workflow), flow.name), [])
                    implied[key] = _checked_by_every_call(flow, callers, when)
                if not implied[key]:
                    draft.condition = Ref(when.strip(), document.value_span(step, "when"))
            if reads_time(written for written, _, _ in strings_in([step, called])):
                readers.add(draft.id)
            # Argo records how a skipped step ended, and gives an output
            # parameter its `valueFrom.default`: those are never missing.
            kept = {f"{draft.id}.status"} | {
                f"{draft.id}.outputs.parameters.{name}" for name in _defaulted_outputs(called)
            }
            draft.outputs_when_skipped.extend(
                ref for ref in draft.outputs if ref.name in kept or ref.name in fall_back
            )
    mark_clocks(builder.drafts, readers)


def _checked_by_every_call(flow: _Flow, calls: list[_Entry], when: str) -> bool:
    """Whether every step calling `flow`'s template (`calls`; in a Workflow,
    whose templates nothing outside the file calls; not its entrypoint or
    exit handler) has a `when` saying what `when` says once the values the
    call passes for the template's input parameters are put in: the template
    then runs only when `when` holds (`fibonacci` calling its helper only
    when `n != 1`, whose step checks `n != 1` again)."""
    workflow = flow.workflow
    if workflow.data.get("kind") not in ("Workflow", "CronWorkflow") or flow.name in (
        text(workflow.spec.get("entrypoint")), text(workflow.spec.get("onExit"))
    ):
        return False
    # Only the template's own input parameters can be put in: its steps'
    # values mean other things in the caller.
    if _REFERENCE.search(when) or "inputs." in _INPUT_PARAMETER.sub("", when):
        return False
    for call in calls:
        checked = call.mapping.get("when")
        arguments = call.mapping.get("arguments")
        passed = arguments.get("parameters") if isinstance(arguments, dict) else None
        values = {
            str(parameter["name"]): str(parameter["value"])
            for parameter in (passed if isinstance(passed, list) else ())
            if isinstance(parameter, dict) and text(parameter.get("name")) and text(parameter.get("value"))
        }
        if not isinstance(checked, str) or any(
            found["name"] not in values for found in _INPUT_PARAMETER.finditer(when)
        ):
            return False
        said = _with_parameters(when, values)
        if " ".join(said.split()) != " ".join(checked.split()):
            return False
    return bool(calls)


def _with_parameters(written: str, values: dict[str, str]) -> str:
    """`written` with each `{{inputs.parameters.<name>}}` replaced by its value."""
    return _INPUT_PARAMETER.sub(lambda found: values[found["name"]], written)


def _facts_with_fallbacks(builder: RunbookBuilder, flows: list[_Flow]) -> set[str]:
    """The facts every step using them passes whole (`value:
    "{{tasks.x.outputs.parameters.p}}"`) to an input parameter with a
    `default` of the template it calls, and uses nowhere else: when their
    producer was skipped Argo gives that parameter its default, so no use
    of them misses them."""
    covered: dict[int, set[str]] = {}  # id(draft) -> facts it has a default for
    bare: dict[int, set[str]] = {}  # id(draft) -> facts it uses without one
    for flow in flows:
        for entry in flow.entries:
            defaulted = _defaulted_inputs(_called_template(flow.workflow, entry.mapping))
            arguments = entry.mapping.get("arguments")
            passed = arguments.get("parameters") if isinstance(arguments, dict) else None
            holders = {
                id(parameter)
                for parameter in (passed if isinstance(passed, list) else ())
                if isinstance(parameter, dict) and text(parameter.get("name")) in defaulted
            }
            for value, container, key in strings_in(entry.mapping):
                references = [found for found in _references(flow, value) if found.producer != entry.local]
                whole = _WHOLE_REFERENCE.fullmatch(value)
                falls_back = (
                    key == "value" and id(container) in holders and whole is not None
                    and len(references) == 1 and references[0].attribute.startswith("outputs.")
                )
                facts = {_fact(flow, found) for found in references}
                (covered if falls_back else bare).setdefault(id(entry.draft), set()).update(facts)
    users: dict[str, list[StepDraft]] = {}
    for draft in builder.drafts:
        for ref in draft.inputs:
            users.setdefault(ref.name, []).append(draft)
    return {
        fact
        for fact, drafts in users.items()
        if all(
            fact in covered.get(id(draft), ()) and fact not in bare.get(id(draft), ()) for draft in drafts
        )
    }


def _defaulted_inputs(template: dict[Any, Any] | None) -> set[str]:
    """The input parameters of a template that declare a `default`."""
    inputs = template.get("inputs") if template is not None else None
    parameters = inputs.get("parameters") if isinstance(inputs, dict) else None
    return {
        str(parameter["name"])
        for parameter in (parameters if isinstance(parameters, list) else ())
        if isinstance(parameter, dict) and text(parameter.get("name")) and "default" in parameter
    }


def _defaulted_outputs(template: dict[Any, Any] | None) -> list[str]:
    """The output parameters of a template that declare a `valueFrom.default`."""
    outputs = template.get("outputs") if template is not None else None
    parameters = outputs.get("parameters") if isinstance(outputs, dict) else None
    if not isinstance(parameters, list):
        return []
    return [
        str(parameter["name"])
        for parameter in parameters
        if isinstance(parameter, dict)
        and text(parameter.get("name"))
        and isinstance(parameter.get("valueFrom"), dict)
        and "default" in parameter["valueFrom"]
    ]


def _called_template(workflow: _Workflow, step: dict[Any, Any]) -> dict[Any, Any] | None:
    inline = step.get("inline")
    if isinstance(inline, dict):
        return inline
    name = text(step.get("template"))
    return workflow.templates.get(name) if name is not None else None


def _add_resources(flow: _Flow, entry: _Entry) -> None:
    """Artifact locations passed in the step's arguments, and what the
    container, script or resource template it calls touches."""
    document, step = flow.workflow.document, entry.mapping
    for location, span in _artifact_locations(document, step.get("arguments")):
        entry.add("reads", location, span)
    called = _called_template(flow.workflow, step)
    if called is None or _is_flow(called):
        return
    span = document.value_span(step, "template") if "template" in step else document.key_span(step, "inline")
    effects = _effects(flow.workflow, called)
    for name in effects.reads:
        entry.add("reads", name, span)
    for name in effects.writes:
        entry.add("writes", name, span)


def _effects(workflow: _Workflow, template: dict[Any, Any]) -> _Effects:
    """What a container, script or resource template touches."""
    known = workflow.effects.get(id(template))
    if known is not None:
        return known
    effects = _Effects()
    document = workflow.document
    effects.reads += [location for location, _ in _artifact_locations(document, template.get("inputs"))]
    effects.writes += [location for location, _ in _artifact_locations(document, template.get("outputs"))]
    resource = template.get("resource")
    if isinstance(resource, dict) and (kubernetes := _kubernetes_object(resource)) is not None:
        (effects.reads if resource.get("action") == "get" else effects.writes).append(kubernetes)
    if isinstance(resource, dict) and (snapshotted := _snapshot_source(text(resource.get("manifest")) or "")):
        # A VolumeSnapshot copies what is in the claim it names: it reads it.
        effects.reads.append("/".join(["volume", *_path_segments(snapshotted)]))
    claims = {**workflow.claims, **_template_volumes(template)}
    for mount in _volume_mounts(template):
        claim = claims.get(text(mount.get("name")) or "")
        if claim:
            name = "/".join([claim, *_path_segments(text(mount.get("subPath")) or "")])
            (effects.reads if mount.get("readOnly") is True else effects.writes).append(name)
    first_use: dict[tuple[str, str], Span] = {}
    for kind, name, span in _global_references(document, template):
        first_use.setdefault((kind, name), span)
    effects.globals_used = [(kind, name, span) for (kind, name), span in first_use.items()]
    workflow.effects[id(template)] = effects
    return effects


def _artifact_locations(document: Document, holder: Any) -> Iterator[tuple[str, Span]]:
    """`artifact/<kind>/<place>` of each artifact of `holder` (inputs, outputs
    or arguments) with an explicit location, and where its place is written."""
    artifacts = holder.get("artifacts") if isinstance(holder, dict) else None
    if not isinstance(artifacts, list):
        return
    for artifact in artifacts:
        if not isinstance(artifact, dict):
            continue
        for kind, keys in _LOCATIONS.items():
            location = artifact.get(kind)
            if not isinstance(location, dict) or not text(location.get(keys[-1])):
                continue
            segments = [
                segment for key in keys for segment in _path_segments(text(location.get(key)) or "")
            ]
            if segments:
                yield "/".join(["artifact", kind, *segments]), document.value_span(location, keys[-1])
            break


def _path_segments(place: str) -> list[str]:
    """A key, path or URL as resource name segments: no scheme, query or
    empty segment, and no glob characters (`*`, `?`, `[` would match others)."""
    place = _URL_SCHEME.sub("", place).split("?")[0].split("#")[0]
    place = place.replace("*", "_").replace("[", "_")
    return [segment for segment in place.split("/") if segment]


def _kubernetes_object(resource: dict[Any, Any]) -> str | None:
    """`k8s/<kind>/<name>` of a resource template's object, read from its
    manifest (`generateName` when it has no name; `k8s/<kind>` without
    either, `k8s` without a kind), or `k8s/<kind>[/<name>]` from the first of
    its `flags` that is not an option (`delete` by selector); None when
    nothing says (`manifestFrom`)."""
    manifest = text(resource.get("manifest"))
    if manifest:
        kind = _MANIFEST_KIND.search(manifest)
        if kind is None:
            return "k8s"
        return "/".join(["k8s", kind[1].lower(), *_path_segments(_manifest_name(manifest))])
    flags = resource.get("flags")
    for flag in flags if isinstance(flags, list) else ():
        word = text(flag)
        if word and not word.startswith("-"):
            return "/".join(["k8s", *_path_segments(word.lower())])
    return None


def _snapshot_source(manifest: str) -> str | None:
    """The claim a VolumeSnapshot's manifest (written as text) copies:
    `spec.source.persistentVolumeClaimName` (v1), or the `name` in `source`
    (v1alpha1: `{kind: PersistentVolumeClaim, name: ...}`)."""
    kind = _MANIFEST_KIND.search(manifest)
    block = _SOURCE_BLOCK.search(manifest) if kind is not None and kind[1] == "VolumeSnapshot" else None
    claim = _SOURCE_CLAIM.search(block[2]) if block is not None else None
    return None if claim is None else claim[1]


def _manifest_name(manifest: str) -> str:
    """`metadata.name` (else `generateName`) of a manifest written as text,
    found by indentation: it is often no valid YAML (`name: {{...}}`)."""
    block = _METADATA.search(manifest)
    if block is None:
        return ""
    lines = [line for line in block[1].splitlines() if line.strip()]
    indent = len(lines[0]) - len(lines[0].lstrip()) if lines else 0
    names: dict[str, str] = {}
    for line in lines:
        match = _METADATA_NAME.fullmatch(line)
        if match and len(match["indent"]) == indent:
            value = match["value"].split(" #")[0].strip()
            names.setdefault(match["key"], value.strip("'\""))
    return names.get("name") or names.get("generateName") or ""


def _volume_claims(spec: dict[Any, Any]) -> dict[str, str]:
    """Volume name -> resource name, for the volumes a persistent claim backs."""
    claims: dict[str, str] = {}
    templates = spec.get("volumeClaimTemplates")
    for claim in templates if isinstance(templates, list) else ():
        metadata = claim.get("metadata") if isinstance(claim, dict) else None
        name = text(metadata.get("name")) if isinstance(metadata, dict) else None
        segments = _path_segments(name or "")
        if name and segments:
            claims[name] = "/".join(["volume", *segments])
    claims.update(_template_volumes(spec))
    return claims


def _template_volumes(holder: dict[Any, Any]) -> dict[str, str]:
    """`volumes` entries of a spec or template: a persistent claim's name, or
    '' for other volumes (per pod, or read-only configuration), which hide a
    workflow-level volume of the same name."""
    volumes = holder.get("volumes")
    found = {}
    for volume in volumes if isinstance(volumes, list) else ():
        name = text(volume.get("name")) if isinstance(volume, dict) else None
        if not name:
            continue
        claim = volume.get("persistentVolumeClaim")
        claim_name = text(claim.get("claimName")) if isinstance(claim, dict) else None
        segments = _path_segments(claim_name or "")
        found[name] = "/".join(["volume", *segments]) if segments else ""
    return found


def _volume_mounts(template: dict[Any, Any]) -> Iterator[dict[Any, Any]]:
    """Every `volumeMounts` entry of a template's containers."""
    containers: list[Any] = [template.get("container"), template.get("script")]
    container_set = template.get("containerSet")
    if isinstance(container_set, dict):
        containers.append(container_set)
        if isinstance(container_set.get("containers"), list):
            containers.extend(container_set["containers"])
    for key in ("initContainers", "sidecars"):
        if isinstance(template.get(key), list):
            containers.extend(template[key])
    for container in containers:
        mounts = container.get("volumeMounts") if isinstance(container, dict) else None
        for mount in mounts if isinstance(mounts, list) else ():
            if isinstance(mount, dict):
                yield mount


FORMAT = InputFormat(
    name="argo",
    title="Argo Workflows",
    detect=detect,
    build=build,
    keys=("kind",),
    priority=20,
    wait_key="dependencies",
)
