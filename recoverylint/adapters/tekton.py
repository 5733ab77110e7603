"""Tekton pipelines: a `Pipeline`, or a `PipelineRun` with an embedded
`pipelineSpec`, read as a runbook.

- A file is Tekton when one of its `---` documents has an `apiVersion` under
  `tekton.dev/` and is a `Pipeline` whose `spec` has `tasks`, or a
  `PipelineRun` whose `spec.pipelineSpec` has `tasks`.  Files holding only
  `Task`, `TaskRun` or `StepAction` documents are not pipelines.  A
  `PipelineRun` naming its pipeline by `pipelineRef` (in the file or through a
  resolver) adds no steps.
- Steps: each entry of `tasks`, then of `finally`, of each pipeline in file
  order (id: its `name`, title: its `displayName`).  When the file holds
  several pipelines, ids are `<pipeline>/<task>`, the pipeline named by its
  `metadata.name` (a `PipelineRun`'s `generateName` without the trailing `-`).
  The runbook is named after the first pipeline, else after the file.
- O: tasks run in parallel unless `runAfter` lists others (a `needs` wait).
  Tekton also runs a task after every task whose results it uses, so a result
  reference adds a wait (at the string holding it) when `runAfter` does not
  list that task.  Each `finally` task waits for every task (Tekton runs it
  last, whatever the waits); the pipeline's cleanup is meant to come after all of it, so D
  requires every task before each `finally` task and those waits are never
  false gates.  A cycle is RL103 (Tekton has no loops).
- Facts: `$(tasks.X.results.Y)` (with `[*]`, `[i]`, `.key`, or as
  `results['Y']`) anywhere in a task (params, `when`, matrix, an embedded
  `taskSpec` using propagated results) is an input `X.Y` of the task and an
  output of `X`, declared where X's `taskSpec`, or the `Task` of the file it
  runs, declares the result (else at X's name).  The matrix context
  `$(tasks.X.matrix.length)`, `$(tasks.X.matrix.Y.length)` and the artifacts
  `$(tasks.X.outputs.N)`, `$(tasks.X.inputs.N)` are facts of `X` too
  (`X.matrix.length`, `X.outputs.N`...), without an added wait: `runAfter`
  must order them.  `$(tasks.X.status)`, `$(tasks.X.reason)` and
  `$(tasks.status)` in `finally` tasks are not facts (finally tasks come after
  every task anyway).  A reference to a task the pipeline lacks is RL102.
- Resources: workspaces.  A task binding `{name: w, workspace: shared,
  subPath: s}` uses `workspace/shared/s` (`workspace` defaults to `name`; a
  subPath is kept up to its first segment holding a variable, and a `..`
  makes the use the whole workspace).  An embedded `taskSpec` using
  `$(workspaces.shared.path)` without a binding of that name uses the
  pipeline workspace `shared` Tekton propagates to it.  The use is a
  read when the task's declaration of the workspace (its `taskSpec`, or the
  `Task` of the file its `taskRef` names) says `readOnly: true`, or when the
  file's PipelineRuns bind that pipeline workspace to `configMap`, `secret`,
  `projected` or read-only `csi` volumes only; otherwise a write (a task may
  change anything it mounts read-write).  A task whose steps the file
  holds (its `taskSpec`, or a `Task` of the file), each a plain shell
  `script` (no `workingDir`, `command`, mounts, or workspace path in `env`)
  of commands the shell tables know and no change of folder, uses only the
  files and folders its scripts name in each workspace
  (`workspace/shared/s/<path>`; shell.paths_used: `tee` and `>` write,
  `cat`, `grep`... read), `$(params.p)` read as the value the file gives;
  one that writes to a path only the run knows uses the workspace whole.
  A workspace the runs bind to `emptyDir` only is private to each task: no
  shared resource.  With several
  pipelines, names are `workspace/<pipeline>/<workspace>`: pipelines share no
  volume.
- What tasks do beyond facts and resources: a task whose name, display
  name or task reference (a resolver's `name` parameter too) says it checks
  (`test`, `lint`, `scan`, `check`, `verify`, `validate`...) is a guard: its
  failure stops the pipeline, so every later task writing a workspace
  requires it.  One so named for the service's health (`health`, `smoke`,
  `alarm`, `metric`, `probe`, `canary`...) observes everything (`*`).  A
  task whose params or task reads the time (`date +%s`, `datetime.now()`...)
  and whose result a later task reading the time (or named for elapsed
  time) uses starts that task's clock.
- RL002: `tasks`, `finally` or a `runAfter` that is not a list.  Other
  entries of the wrong type are skipped.
- Left out: `when` expressions are conditions on a run, not alternatives one
  step chooses, nor conditions RL307 asks about (Tekton skips the tasks using
  a skipped task's results along with it) (a skipped task is taken as run, so tasks that can never run
  together may still be reported as racing); tasks of a pipeline a task runs
  (`pipelineRef`/`pipelineSpec` in a task) are not steps of the caller;
  `timeout` is a limit, not a duration (every task's duration is unknown
  unless the configuration states a `default_duration`); params are not facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from ..finding import Issue
from ..model import EdgeKind, Ref, Span
from ..source import Document
from . import Adapted, AdapterError, InputFormat, documents
from ._behaviour import is_check, mark_clocks, observes_service, reads_time
from ._builder import RunbookBuilder, StepDraft, strings_in, text

if TYPE_CHECKING:
    from ..shell import Script

_NAME = "tekton"
_WAIT_KEY = "runAfter"
_FINALLY_REASON = "a `finally` task runs after every task of its pipeline"
_RESULT_REF = re.compile(
    r"\$\(\s*tasks\.([A-Za-z0-9_-]+)\.results"
    r"(?:\.([A-Za-z0-9_-]+)|\[\s*(['\"])([^'\"]+)\3\s*\])"
)
# Other values of a task: the length of its matrix (or of one of its
# results' fan-out), and its artifacts.
_CONTEXT_REF = re.compile(
    r"\$\(\s*tasks\.([A-Za-z0-9_-]+)\."
    r"(matrix(?:\.[A-Za-z0-9_-]+)?\.length|(?:inputs|outputs)\.[A-Za-z0-9_-]+)\s*\)"
)
_WORKSPACE_PATH = re.compile(r"\$\(\s*workspaces\.([A-Za-z0-9_-]+)\.path\s*\)")
# Volume sources Kubernetes always mounts read-only.
_READ_ONLY_SOURCES = ("configMap", "secret", "projected")
_READ, _PRIVATE, _SHARED = "read", "private", "shared"


def _tekton(data: Any, kind: str) -> bool:
    return (
        isinstance(data, dict)
        and data.get("kind") == kind
        and isinstance(data.get("apiVersion"), str)
        and data["apiVersion"].startswith("tekton.dev/")
    )


def _pipeline_spec(data: Any) -> dict[Any, Any] | None:
    """The pipeline spec a document defines (a Pipeline's, or a PipelineRun's
    embedded one), if it has `tasks`."""
    if _tekton(data, "Pipeline"):
        spec = data.get("spec")
    elif _tekton(data, "PipelineRun") and isinstance(data.get("spec"), dict):
        spec = data["spec"].get("pipelineSpec")
    else:
        return None
    return spec if isinstance(spec, dict) and "tasks" in spec else None


def detect(document: Document) -> bool:
    return any(_pipeline_spec(doc.data) is not None for doc in documents(document))


@dataclass
class _Pipeline:
    """One pipeline of the file, and what the file says about running it."""

    document: Document
    spec: dict[Any, Any]
    name: str | None
    name_span: Span  # where the name is written, else the document
    label: str = ""  # unique in the file: the step id prefix when there are several
    # workspace -> how runs of the file bind it (_READ, _PRIVATE or _SHARED)
    bindings: dict[str, str] = field(default_factory=dict)


@dataclass
class _Task:
    """A pipeline task and its step."""

    mapping: dict[Any, Any]
    draft: StepDraft
    finally_: bool
    outputs: set[str] = field(default_factory=set)  # the facts among draft.outputs


class _Reader:
    def __init__(self, document: Document, path: str, default_duration: float | None) -> None:
        self.builder = RunbookBuilder(document, path, _NAME, default_duration, wait_key=_WAIT_KEY)
        docs = documents(document)
        self.tasks_by_name: dict[str, tuple[Document, dict[Any, Any]]] = {}  # Task documents
        for doc in docs:
            name = _metadata_name(doc.data)
            if _tekton(doc.data, "Task") and name and isinstance(doc.data.get("spec"), dict):
                self.tasks_by_name.setdefault(name, (doc, doc.data["spec"]))
        self.pipelines = _pipelines(docs)
        self.qualified = len(self.pipelines) > 1

    def read(self) -> Adapted:
        for pipeline in self.pipelines:
            self.pipeline(pipeline)
        stem = PurePath(self.builder.path).stem
        if not self.pipelines:
            return self.builder.build(stem, self.builder.document.root_span)
        first = self.pipelines[0]
        return self.builder.build(
            stem if first.name is None else first.label,
            first.name_span,
            title=text(first.spec.get("displayName")),
        )

    def step_id(self, pipeline: _Pipeline, name: str) -> str:
        return f"{pipeline.label}/{name}" if self.qualified else name

    def pipeline(self, pipeline: _Pipeline) -> None:
        doc = pipeline.document
        tasks: dict[str, _Task] = {}  # step id -> the first task of that id
        ordered: list[_Task] = []
        for key in ("tasks", "finally"):
            entries = pipeline.spec.get(key)
            if entries is None:
                continue
            if not isinstance(entries, list):
                raise AdapterError(
                    Issue(doc.value_span(pipeline.spec, key), f"`{key}` must be a list of pipeline tasks")
                )
            for index, entry in enumerate(entries):
                name = text(entry.get("name")) if isinstance(entry, dict) else None
                if name is None:
                    continue
                draft = self.builder.step(
                    self.step_id(pipeline, name),
                    doc.value_span(entry, "name"),
                    title=text(entry.get("displayName")),
                    extent=doc.value_span(entries, index),
                )
                task = _Task(entry, draft, key == "finally")
                tasks.setdefault(draft.id, task)
                ordered.append(task)
        for task in ordered:
            self.waits(pipeline, task, tasks)
            self.workspaces(pipeline, task)
        self.behaviour(pipeline, ordered)
        regular = [task for task in ordered if not task.finally_]
        for cleanup in (task for task in ordered if task.finally_):
            for task in regular:
                # After every task, not only the last ones: whatever waits change, it still comes last.
                self.builder.wait(task.draft.id, cleanup.draft.id, cleanup.draft.span)
                self.builder.require(task.draft.id, cleanup.draft.id, cleanup.draft.span, _FINALLY_REASON)

    def behaviour(self, pipeline: _Pipeline, ordered: list[_Task]) -> None:
        """Guards and observations from the names of tasks and of what they
        run; stopwatches from tasks reading the time."""
        readers = set()
        for task in ordered:
            mapping, draft = task.mapping, task.draft
            names = [text(mapping.get("name")) or "", text(mapping.get("displayName")) or ""]
            ref = mapping.get("taskRef")
            if isinstance(ref, dict):
                names.append(text(ref.get("name")) or "")
                params = ref.get("params")  # a resolver's `name` parameter names the task
                if isinstance(params, list):
                    names += [
                        text(param.get("value")) or ""
                        for param in params
                        if isinstance(param, dict) and param.get("name") == "name"
                    ]
            if is_check(*names):
                draft.guard = True
            if observes_service(*names):
                draft.observes.append(Ref("*", draft.span))
            declared = self.task_spec(pipeline, mapping)
            if reads_time(written for written, _, _ in strings_in([mapping, declared[1] if declared else None])):
                readers.add(draft.id)
        mark_clocks([task.draft for task in ordered], readers)

    def waits(self, pipeline: _Pipeline, task: _Task, tasks: dict[str, _Task]) -> None:
        """Add the task's waits and the facts it uses."""
        doc, mapping, draft = pipeline.document, task.mapping, task.draft
        listed: set[str] = set()  # the tasks it waits for
        run_after = mapping.get("runAfter")
        if run_after is not None and not isinstance(run_after, list):
            raise AdapterError(
                Issue(doc.value_span(mapping, "runAfter"), "`runAfter` must be a list of task names")
            )
        waited_for: list[Any] = run_after or []
        for index, entry in enumerate(waited_for):
            name = text(entry)
            if name is None:
                continue
            source = self.step_id(pipeline, name)
            self.builder.wait(source, draft.id, doc.value_span(waited_for, index), EdgeKind.NEEDS)
            listed.add(source)
        inputs = {ref.name for ref in draft.inputs}
        for value, container, key in _strings_outside_child_pipelines(mapping):
            if "$(" not in value:
                continue
            span = doc.value_span(container, key)
            for match in _RESULT_REF.finditer(value):
                producer = self.step_id(pipeline, match.group(1))
                result = match.group(2) or match.group(4)
                fact = f"{producer}.{result}"
                if fact not in inputs and producer in tasks:  # (an unknown one is RL102)
                    inputs.add(fact)
                    draft.inputs.append(Ref(fact, span))
                    self.output(pipeline, tasks[producer], fact, result)
                if producer in listed:
                    continue
                listed.add(producer)
                if not task.finally_:
                    # Tekton orders a task after the tasks whose results it uses.
                    self.builder.wait(producer, draft.id, span)
                elif producer not in tasks:  # (finally tasks come after all tasks anyway)
                    self.builder.unknown(producer, span, "the step")
            for match in _CONTEXT_REF.finditer(value):
                producer = self.step_id(pipeline, match.group(1))
                fact = f"{producer}.{match.group(2)}"
                if fact not in inputs and producer in tasks:
                    inputs.add(fact)
                    draft.inputs.append(Ref(fact, span))
                    self.output(pipeline, tasks[producer], fact, None)

    def output(self, pipeline: _Pipeline, producer: _Task, fact: str, result: str | None) -> None:
        """`fact` among the outputs of `producer`, where its task declares the
        result if it does."""
        if fact in producer.outputs:
            return
        producer.outputs.add(fact)
        span = producer.draft.span
        declared = self.task_spec(pipeline, producer.mapping)
        if declared is not None and result is not None:
            doc, spec = declared
            results = spec.get("results")
            for entry in results if isinstance(results, list) else ():
                if isinstance(entry, dict) and text(entry.get("name")) == result:
                    span = doc.value_span(entry, "name")
                    break
        producer.draft.outputs.append(Ref(fact, span))

    def task_spec(self, pipeline: _Pipeline, mapping: dict[Any, Any]) -> tuple[Document, dict[Any, Any]] | None:
        """The task a pipeline task runs: its embedded `taskSpec`, or the `Task`
        of this file its `taskRef` names (with the document holding it)."""
        spec = mapping.get("taskSpec")
        if isinstance(spec, dict):
            return pipeline.document, spec
        ref = mapping.get("taskRef")
        if isinstance(ref, dict) and "resolver" not in ref and "apiVersion" not in ref:
            name = text(ref.get("name"))
            if name is not None:
                return self.tasks_by_name.get(name)
        return None

    def workspaces(self, pipeline: _Pipeline, task: _Task) -> None:
        doc, mapping, draft = pipeline.document, task.mapping, task.draft
        declared = self.task_spec(pipeline, mapping)
        declarations = _workspace_declarations(declared[1] if declared else None)
        scripted = None if declared is None else _scripted_uses(declared[1], _literal_params(mapping, declared[1]))
        bound: set[str] = set()
        given = mapping.get("workspaces")
        bindings: list[Any] = given if isinstance(given, list) else []
        for index, binding in enumerate(bindings):
            if not isinstance(binding, dict):
                continue
            name = text(binding.get("name"))
            workspace = text(binding.get("workspace")) or name
            if workspace is None:
                continue
            if name is not None:
                bound.add(name)
            where = "workspace" if "workspace" in binding else "name"
            span = doc.value_span(binding, where) if where in binding else doc.value_span(bindings, index)
            read_only = name is not None and declarations.get(name, False)
            sub_path = text(binding.get("subPath"))
            if scripted is None or name is None:
                self.use(pipeline, draft, workspace, sub_path, span, read_only)
            else:  # the files its scripts name there, alone
                for path, writes in scripted.get(name, ()):
                    self.use(pipeline, draft, workspace, sub_path, span, read_only or not writes, path)
        spec = mapping.get("taskSpec")
        if not isinstance(spec, dict):
            return  # Tekton propagates workspaces to embedded specs only
        used: set[str] = set()
        for value, container, key in strings_in(spec):
            for match in _WORKSPACE_PATH.finditer(value):
                workspace = match.group(1)
                if workspace not in bound and workspace not in used:
                    used.add(workspace)
                    read_only = declarations.get(workspace, False)
                    span = doc.value_span(container, key)
                    if scripted is None:
                        self.use(pipeline, draft, workspace, None, span, read_only)
                    else:
                        for path, writes in scripted.get(workspace, ()):
                            self.use(pipeline, draft, workspace, None, span, read_only or not writes, path)

    def use(
        self,
        pipeline: _Pipeline,
        draft: StepDraft,
        workspace: str,
        sub_path: str | None,
        span: Span,
        read_only: bool,
        path: str = "",
    ) -> None:
        """A use of `workspace` (bound with `sub_path`), or of `path` in it."""
        binding = pipeline.bindings.get(workspace, _SHARED)
        if binding == _PRIVATE:
            return
        prefix = ["workspace", pipeline.label] if self.qualified else ["workspace"]
        name = "/".join(prefix + _known_segments(workspace, sub_path, path))
        refs = draft.reads if read_only or binding == _READ else draft.writes
        if all(ref.name != name for ref in refs):
            refs.append(Ref(name, span))


def _strings_outside_child_pipelines(mapping: dict[Any, Any]) -> Iterator[tuple[str, Any, Any]]:
    """Strings of a pipeline task, less those of a pipeline it embeds (whose
    `$(tasks...)` name that pipeline's tasks)."""
    return strings_in(mapping, leaving_out=("pipelineSpec",))


def _known_segments(workspace: str, sub_path: str | None, path: str = "") -> list[str]:
    """The path segments of a workspace use (of `path` in its `sub_path`), up
    to the first one whose value is unknown until the run (a variable) or
    would read as a glob: the use then covers all that lies under the known
    part (the whole workspace after a `..`)."""
    known: list[str] = []
    for segment in [workspace, *(sub_path or "").split("/"), *path.split("/")]:
        if segment in ("", "."):
            continue
        if segment == "..":
            del known[1:]
            break
        if "$" in segment or any(char in segment for char in "*?[{`"):
            break
        known.append(segment)
    return known


# Where a task's scripts are read to find which files of its workspaces they
# use (_scripted_uses): `$(workspaces.w.path)` is read as `<_ROOT>/w`.
_ROOT = "/recoverylint-workspaces"
_VARIABLE = re.compile(r"\$\(\s*([^()\s]+?)\s*\)")
_WORKSPACE_VARIABLE = re.compile(r"workspaces\.([A-Za-z0-9_-]+)\.path")
_PARAM_VARIABLE = re.compile(r"params(?:\.([A-Za-z0-9_.-]+)|\[\s*(['\"])([^'\"]+)\2\s*\])")
_RESULT_PATH = re.compile(r"results\.([A-Za-z0-9_-]+)\.path")
# A script run by a shell: none of these, or one of these interpreters.
_SHELL_SCRIPT = re.compile(r"(?!#!)|#!\s*(?:/usr)?/bin/(?:env\s+)?(?:sh|bash|ash|dash|zsh)\b")
# Where Tekton mounts workspaces (`/workspace/<name>`), which a script may
# name instead of `$(workspaces.<name>.path)`; a step's default folder.
_MOUNTED = "/workspace"
# What a step may hold for its script to be read: nothing else that runs or
# mounts anything (`command`, `args`, `workingDir`, `volumeMounts`, a `ref`,
# output written to a path by `stdoutConfig`...).
_SCRIPT_STEP_KEYS = frozenset(
    {"name", "displayName", "image", "script", "env", "computeResources", "resources", "securityContext",
     "imagePullPolicy", "timeout", "onError"}
)


def _literal_params(mapping: dict[Any, Any], spec: dict[Any, Any]) -> dict[str, str]:
    """Param name -> the value a task's scripts read, where it is a plain
    string the file gives: the pipeline task's `params`, else the default
    the task declares."""
    values: dict[str, str] = {}
    for source, key in ((spec.get("params"), "default"), (mapping.get("params"), "value")):
        for entry in source if isinstance(source, list) else ():
            if isinstance(entry, dict) and (name := text(entry.get("name"))) is not None:
                value = entry.get(key)
                if isinstance(value, str) and "$(" not in value:
                    values[name] = value
                elif key == "value":
                    values.pop(name, None)  # given at the run: unknown
    return values


def _scripted_uses(spec: dict[Any, Any], params: dict[str, str]) -> dict[str, list[tuple[str, bool]]] | None:
    """Workspace name -> (path in it, whether it is written) of each file or
    folder the task's steps use there, when every step is a shell script
    whose use of files the shell tables tell (shell.paths_used), Tekton's
    variables read as a run gives them (a param the file does not give is
    unknown).  None when any step is of another kind, or a script of
    another language or of an unknown command: the task then uses each
    workspace it binds whole, and may write anything it mounts read-write."""
    from ..shell import paths_used, read_script

    steps = spec.get("steps")
    if not isinstance(steps, list) or not steps or "sidecars" in spec or "stepTemplate" in spec:
        return None
    declared = spec.get("workspaces")
    entries = declared if isinstance(declared, list) else []
    if any(isinstance(entry, dict) and "mountPath" in entry for entry in entries):
        return None  # mounted where its scripts may name it without $(workspaces...)
    uses: dict[str, list[tuple[str, bool]]] = {}
    for step in steps:
        if not isinstance(step, dict) or not isinstance(step.get("script"), str) or set(step) - _SCRIPT_STEP_KEYS:
            return None
        if any("$(workspaces." in value for value, _, _ in strings_in(step.get("env"))):
            return None  # a workspace's path handed over in a variable
        if not _SHELL_SCRIPT.match(step["script"]) or _MOUNTED in step["script"]:
            return None  # another language, or a workspace named where Tekton mounts it
        run = _VARIABLE.sub(lambda match: _run_value(match, params), step["script"])
        script = read_script(run)
        found = paths_used(script, _ROOT)
        # A workspace's path named outside a command's words (`for f in ...`, `DIR=...`): of unknown use.
        if found is None or run.count(_ROOT) > _in_words(script, _ROOT):
            return None
        for use in found:
            workspace, _, path = use.path[len(_ROOT) + 1 :].partition("/")
            if workspace:
                uses.setdefault(workspace, []).append((path, use.writes))
    return uses


def _in_words(script: Script, text: str) -> int:
    """How many times `text` is written in the words and redirected files of the script's commands."""
    return sum(
        word.count(text)
        for command in script.commands
        for word in (*command.words, *(file for _, file in command.redirects))
    )


def _run_value(variable: re.Match[str], params: dict[str, str]) -> str:
    """What a run puts in a script for a Tekton variable: a workspace's path
    (under _ROOT), a result's file, a param the file gives; `*` (any) for
    what only the run knows."""
    name = variable.group(1)
    if found := _WORKSPACE_VARIABLE.fullmatch(name):
        return f"{_ROOT}/{found.group(1)}"
    if found := _RESULT_PATH.fullmatch(name):
        return f"/tekton/results/{found.group(1)}"
    if found := _PARAM_VARIABLE.fullmatch(name):
        value = params.get(found.group(1) or found.group(3))
        if value is not None:
            return value
    return "*"


def _workspace_declarations(spec: dict[Any, Any] | None) -> dict[str, bool]:
    """Workspace name -> declared `readOnly: true`, of a task spec."""
    declarations: dict[str, bool] = {}
    entries = spec.get("workspaces") if spec else None
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict) and (name := text(entry.get("name"))) is not None:
            declarations.setdefault(name, entry.get("readOnly") is True)
    return declarations


def _metadata_name(data: Any) -> str | None:
    metadata = data.get("metadata") if isinstance(data, dict) else None
    return text(metadata.get("name")) if isinstance(metadata, dict) else None


def _pipeline_name(doc: Document) -> tuple[str | None, Span]:
    """A pipeline's name and where it is written: a Pipeline's `metadata.name`;
    a PipelineRun's, or its `generateName` without the trailing `-`."""
    metadata = doc.data.get("metadata")
    if not isinstance(metadata, dict):
        return None, doc.root_span
    keys = ("name", "generateName") if _tekton(doc.data, "PipelineRun") else ("name",)
    for key in keys:
        name = text(metadata.get(key))
        if name is not None and (key == "name" or name.rstrip("-")):
            return (name if key == "name" else name.rstrip("-")), doc.value_span(metadata, key)
    return None, doc.root_span


def _pipelines(docs: list[Document]) -> list[_Pipeline]:
    """The pipelines of the file in order, with unique labels and the way the
    file's PipelineRuns bind their workspaces."""
    pipelines: list[_Pipeline] = []
    runs_by_pipeline: dict[str, list[Any]] = {}  # pipelineRef name -> runs' workspace bindings
    for doc in docs:
        spec = _pipeline_spec(doc.data)
        if spec is not None:
            pipeline = _Pipeline(doc, spec, *_pipeline_name(doc))
            if _tekton(doc.data, "PipelineRun"):
                pipeline.bindings = _bindings([doc.data["spec"].get("workspaces")])
            pipelines.append(pipeline)
        elif _tekton(doc.data, "PipelineRun") and isinstance(doc.data.get("spec"), dict):
            run = doc.data["spec"]
            ref = run.get("pipelineRef")
            name = text(ref.get("name")) if isinstance(ref, dict) and "resolver" not in ref else None
            if name is not None:
                runs_by_pipeline.setdefault(name, []).append(run.get("workspaces"))
    labels: set[str] = set()
    for number, pipeline in enumerate(pipelines, 1):
        if not _tekton(pipeline.document.data, "PipelineRun") and pipeline.name in runs_by_pipeline:
            pipeline.bindings = _bindings(runs_by_pipeline[pipeline.name])
        label = base = pipeline.name or f"pipeline-{number}"
        copy = 1
        while label in labels:  # two runs may share a generateName
            copy += 1
            label = f"{base}-{copy}"
        labels.add(label)
        pipeline.label = label
    return pipelines


def _bindings(runs: list[Any]) -> dict[str, str]:
    """Pipeline workspace -> _READ when every run binds it to a read-only
    volume, _PRIVATE when every run binds it to an emptyDir (one per task),
    _SHARED otherwise."""
    kinds: dict[str, set[str]] = {}
    for bindings in runs:
        for binding in bindings if isinstance(bindings, list) else ():
            name = text(binding.get("name")) if isinstance(binding, dict) else None
            if name is not None:
                kinds.setdefault(name, set()).add(_volume_kind(binding))
    return {name: found.pop() if len(found) == 1 else _SHARED for name, found in kinds.items()}


def _volume_kind(binding: dict[Any, Any]) -> str:
    if any(key in binding for key in _READ_ONLY_SOURCES):
        return _READ
    csi = binding.get("csi")
    if isinstance(csi, dict) and csi.get("readOnly") is True:
        return _READ
    if "emptyDir" in binding:
        return _PRIVATE
    return _SHARED


def build(document: Document, path: str, default_duration: float | None) -> Adapted:
    return _Reader(document, path, default_duration).read()


FORMAT = InputFormat(
    name=_NAME, title="Tekton", detect=detect, build=build, keys=("kind",), priority=30, wait_key=_WAIT_KEY
)
