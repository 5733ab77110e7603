"""A Tekton PipelineRun with its TaskRuns: a `kubectl get -o json` List that
holds both, or files given together (a PipelineRun file, TaskRun files, a
JSON array of TaskRuns).  Per-task times are the TaskRuns' own
`status.startTime`/`completionTime`; the task's name in the pipeline is the
TaskRun's label `tekton.dev/pipelineTask` (else what the PipelineRun's
`status.childReferences` or `status.taskRuns` says of it).

A TaskRun belongs to the PipelineRun its label `tekton.dev/pipelineRun`
names, else to the one whose status lists it, else to one owning it; when
none says, to the only PipelineRun given.  Grouping is by name, in one pass."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ._source import RecordData
from ._steps import RunFacts, TimedStep, instant_at, text_at, timed_record
from .model import ExecutionRecord, RecordError, RunStatus

FORMAT = "tekton"
EXPORT = "kubectl get taskrun -l tekton.dev/pipelineRun=NAME -o json"
_RUN_KINDS = ("PipelineRun", "TaskRun")
_CANCELLED = ("Cancelled", "PipelineRunCancelled", "TaskRunCancelled", "StoppedRunFinally", "CancelledRunFinally",
              "PipelineRunTimeout", "TaskRunTimeout", "TimedOut", "PipelineRunStopping")


@dataclass(frozen=True)
class _Object:
    """A PipelineRun or TaskRun, and the file it was read from."""

    record: RecordData
    body: dict[str, Any]

    @property
    def name(self) -> str | None:
        return text_at(self.body, "metadata", "name")

    @property
    def shown(self) -> str:
        """Its name in a message: metadata.name, else generateName."""
        return self.name or text_at(self.body, "metadata", "generateName") or "(unnamed)"

    def label(self, key: str) -> str | None:
        return text_at(self.body, "metadata", "labels", key)


def claims(data: Any) -> bool:
    return any(True for _ in _run_objects(data))


def _run_objects(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict) and data.get("kind") == "List" and isinstance(data.get("items"), list):
        items = data["items"]
    elif isinstance(data, list):
        items = data
    else:
        items = [data]
    return [
        item for item in items
        if isinstance(item, dict) and item.get("kind") in _RUN_KINDS
        and str(item.get("apiVersion", "")).startswith("tekton.dev/")
    ]


def read_group(records: Sequence[RecordData]) -> tuple[list[ExecutionRecord], list[RecordError]]:
    """One record per PipelineRun (and one for TaskRuns given with none), and
    the error of each run that cannot be read: one bad run never hides the others."""
    pipeline_runs: list[_Object] = []
    task_runs: list[_Object] = []
    for record in records:
        for body in _run_objects(record.data):
            (pipeline_runs if body["kind"] == "PipelineRun" else task_runs).append(_Object(record, body))
    by_name = {run.name: index for index, run in enumerate(pipeline_runs) if run.name}
    listed = {child: index for index, run in enumerate(pipeline_runs) for child in _children(run.body)}
    # Each PipelineRun's TaskRuns by its place in pipeline_runs; TaskRuns that
    # name a PipelineRun not given, by that name; those naming none, under None.
    groups: dict[int | str | None, list[_Object]] = {index: [] for index in range(len(pipeline_runs))}
    errors: list[RecordError] = []
    for task_run in task_runs:
        try:
            owner = _owner(task_run, by_name, listed, len(pipeline_runs))
        except RecordError as error:
            errors.append(error)
            continue
        groups.setdefault(owner, []).append(task_run)
    read: list[ExecutionRecord] = []
    for key, members in groups.items():
        try:
            read.append(_record(pipeline_runs[key] if isinstance(key, int) else None, members))
        except RecordError as error:
            errors.append(error)
    return read, errors


def _children(body: dict[str, Any]) -> dict[str, str | None]:
    """The TaskRuns a PipelineRun's status lists, with their task's name."""
    status = body.get("status")
    found: dict[str, str | None] = {}
    if not isinstance(status, dict):
        return found
    references = status.get("childReferences")
    if isinstance(references, list):
        for reference in references:
            if isinstance(reference, dict) and isinstance(reference.get("name"), str):
                found[reference["name"]] = text_at(reference, "pipelineTaskName")
    embedded = status.get("taskRuns")
    if isinstance(embedded, dict):
        for name, entry in embedded.items():
            found[str(name)] = text_at(entry, "pipelineTaskName")
    return found


def _owner(
    task_run: _Object, by_name: dict[str, int], listed: dict[str, int], pipeline_runs: int
) -> int | str | None:
    """The place of the PipelineRun a TaskRun belongs to, else the name of one not given, else None."""
    labelled = task_run.label("tekton.dev/pipelineRun")
    if labelled:
        return by_name.get(labelled, labelled)
    if task_run.name in listed:
        return listed[task_run.name]
    metadata = task_run.body.get("metadata")
    owners = metadata.get("ownerReferences") if isinstance(metadata, dict) else None
    if isinstance(owners, list):
        for owner in owners:
            name = text_at(owner, "name") if isinstance(owner, dict) and owner.get("kind") == "PipelineRun" else None
            if name is not None and name in by_name:
                return by_name[name]
    if pipeline_runs == 1:
        return 0
    if not pipeline_runs:
        return None
    raise RecordError(
        task_run.record.at(task_run.body, "metadata"),
        f"cannot tell which of the {pipeline_runs} PipelineRuns given the TaskRun `{task_run.shown}` belongs"
        " to: it has no tekton.dev/pipelineRun label and no PipelineRun lists it",
    )


def _record(owner: _Object | None, task_runs: list[_Object]) -> ExecutionRecord:
    first = owner or task_runs[0]
    record = first.record
    task_names = _children(owner.body) if owner else {}
    steps: list[TimedStep] = []
    seen: set[str] = set()
    for task_run in task_runs:
        name = task_run.name or ""
        if name in seen:
            continue
        seen.add(name)
        task = task_run.label("tekton.dev/pipelineTask") or task_names.get(name) or name
        where = "labels" if task_run.label("tekton.dev/pipelineTask") else "name"
        steps.append(_step(task_run.record, task_run.body, task, where))
    if owner is not None:
        steps.extend(_embedded_steps(owner, seen))
        _check_none_missing(owner, seen)
    if owner is not None and not steps and not isinstance(owner.body.get("status"), dict):
        raise RecordError(
            record.at(owner.body, "metadata"),
            f"the PipelineRun `{owner.shown}` has no status: it has not run, or was exported without it",
        )
    if owner is not None and not steps:
        raise RecordError(
            record.at(owner.body, "status") if "status" in owner.body else record.at(owner.body, "metadata"),
            f"the PipelineRun `{owner.shown}` comes with none of its TaskRuns, where its tasks' times are: give"
            f" them with it (`{EXPORT}`)",
        )
    steps.sort(key=lambda step: (step.start is None, step.start or datetime.min, step.name))
    if owner is not None:
        steps.extend(_skipped(owner))
    status = owner.body.get("status") if owner else None
    status = status if isinstance(status, dict) else {}
    facts = RunFacts(
        record.path,
        FORMAT,
        record.at(first.body, "metadata"),
        runbook_name=_runbook_name(owner, task_runs),
        run_name=first.name,
        start=instant_at(record, status, "startTime"),
        end=instant_at(record, status, "completionTime"),
        status=_condition(status) if owner and status else None,
        end_position=record.at(status, "completionTime"),
    )
    return timed_record(facts, steps)


def _step(record: RecordData, body: dict[str, Any], task: str, where: str) -> TimedStep:
    status = body.get("status")
    status = status if isinstance(status, dict) else {}
    start = instant_at(record, status, "startTime")
    attempts = 1
    retries = status.get("retriesStatus")
    if isinstance(retries, list) and retries:
        # Earlier attempts, each with its own times: the step ran from the first one's start.
        attempts += len(retries)
        starts = [instant_at(record, retry, "startTime") for retry in retries]
        start = min([moment for moment in [*starts, start] if moment is not None], default=None)
    metadata = body.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    position = (
        record.at(metadata.get("labels"), "tekton.dev/pipelineTask") if where == "labels"
        else record.at(metadata, "name")
    )
    return TimedStep(
        task,
        start,
        instant_at(record, status, "completionTime"),
        _condition(status, started=start is not None),
        position,
        record.at(status, "completionTime"),
        attempts=attempts,
    )


def _embedded_steps(owner: _Object, seen: set[str]) -> list[TimedStep]:
    """TaskRuns whose status the PipelineRun itself holds (status.taskRuns, before Tekton v1)."""
    status = owner.body.get("status")
    embedded = status.get("taskRuns") if isinstance(status, dict) else None
    if not isinstance(embedded, dict):
        return []
    steps = []
    for name, entry in embedded.items():
        if str(name) in seen or not isinstance(entry, dict) or not isinstance(entry.get("status"), dict):
            continue
        seen.add(str(name))
        task = text_at(entry, "pipelineTaskName") or str(name)
        steps.append(_step(owner.record, {"metadata": {"name": str(name)}, "status": entry["status"]}, task, "name"))
    return steps


def _check_none_missing(owner: _Object, seen: set[str]) -> None:
    """A TaskRun the PipelineRun lists but that is not given: its task ran, at
    times only it holds, so the record would be short of a step; refused."""
    status = owner.body.get("status")
    references = status.get("childReferences") if isinstance(status, dict) else None
    for reference in references if isinstance(references, list) else []:
        if not isinstance(reference, dict) or reference.get("kind", "TaskRun") != "TaskRun":
            continue  # a custom task's run (Run, CustomRun) is not read
        name = text_at(reference, "name")
        if name is not None and seen and name not in seen:
            task = text_at(reference, "pipelineTaskName") or name
            raise RecordError(
                owner.record.at(reference, "name"),
                f"the PipelineRun `{owner.shown}` lists the TaskRun `{name}` (task `{task}`), which is not given:"
                f" give all its TaskRuns with it (`{EXPORT}`)",
            )


def _skipped(owner: _Object) -> list[TimedStep]:
    status = owner.body.get("status")
    skipped = status.get("skippedTasks") if isinstance(status, dict) else None
    if not isinstance(skipped, list):
        return []
    return [
        TimedStep(entry["name"], None, None, RunStatus.SKIPPED, owner.record.at(entry, "name"),
                  owner.record.at(entry, "name"))
        for entry in skipped
        if isinstance(entry, dict) and isinstance(entry.get("name"), str)
    ]


def _condition(status: dict[str, Any], started: bool = True) -> RunStatus:
    """The run's end from its `Succeeded` condition, as Tekton reports it."""
    conditions = status.get("conditions")
    for condition in conditions if isinstance(conditions, list) else []:
        if not isinstance(condition, dict) or condition.get("type") != "Succeeded":
            continue
        if condition.get("status") == "True":
            return RunStatus.SUCCEEDED
        if condition.get("status") == "False":
            return RunStatus.CANCELLED if condition.get("reason") in _CANCELLED else RunStatus.FAILED
    return RunStatus.RUNNING if started else RunStatus.NOT_RUN


def _runbook_name(owner: _Object | None, task_runs: list[_Object]) -> str | None:
    if owner is not None:
        return text_at(owner.body, "spec", "pipelineRef", "name") or owner.label("tekton.dev/pipeline")
    return next((name for run in task_runs if (name := run.label("tekton.dev/pipeline"))), None)
