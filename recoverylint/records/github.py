"""GitHub Actions jobs: the REST response of "list jobs for a workflow run"
(`gh api repos/OWNER/REPO/actions/runs/RUN_ID/jobs`: {"total_count",
"jobs": [...]}) or `workflow_job` webhook payloads ({"action",
"workflow_job": {...}}), one file or several, grouped into one record per
`run_id`.  A job is a step: its `name`, `started_at`, `completed_at`,
`conclusion`, and `runner_name` as who ran it.

A job still queued or waiting has a `started_at` (GitHub sets it when the job
is queued) but never started: it is NOT_RUN, with no times.  When several
payloads describe one job (queued, in progress, completed), the furthest on
is kept; a job re-run keeps its latest attempt and counts the attempts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ._source import RecordData
from ._steps import RunFacts, TimedStep, instant_at, text_at, timed_record
from .model import ExecutionRecord, RecordError, RunStatus

FORMAT = "github-actions"
EXPORT = "gh api repos/OWNER/REPO/actions/runs/RUN_ID/jobs --paginate"

_NOT_STARTED = ("queued", "waiting", "pending", "requested")
_STAGES = {"queued": 0, "requested": 0, "pending": 0, "waiting": 0, "in_progress": 1, "completed": 2}
_CONCLUSIONS = {
    "success": RunStatus.SUCCEEDED,
    "neutral": RunStatus.SUCCEEDED,
    "failure": RunStatus.FAILED,
    "startup_failure": RunStatus.FAILED,
    "action_required": RunStatus.NOT_RUN,
    "cancelled": RunStatus.CANCELLED,
    "timed_out": RunStatus.CANCELLED,
    "stale": RunStatus.CANCELLED,
    "skipped": RunStatus.SKIPPED,
}


@dataclass(frozen=True)
class _Job:
    record: RecordData
    body: dict[str, Any]
    order: int  # the job's place in all that was given: the last said wins between equals

    @property
    def rank(self) -> tuple[int, int, int]:
        attempt = self.body.get("run_attempt")
        stage = _STAGES.get(str(self.body.get("status")), 0)
        return (attempt if isinstance(attempt, int) else 1, stage, self.order)


def claims(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("workflow_job"), dict):
        return True
    return isinstance(data.get("jobs"), list) and "total_count" in data


def is_workflow_run(data: Any) -> bool:
    """A `workflow_run` payload: the run's own event, with no job in it."""
    return isinstance(data, dict) and isinstance(data.get("workflow_run"), dict) and "workflow_job" not in data


def read_group(records: Sequence[RecordData]) -> tuple[list[ExecutionRecord], list[RecordError]]:
    """One record per run_id, in the order each run was first given, and the
    error of each run that cannot be read: one bad run never hides the others."""
    runs: dict[Any, dict[Any, list[_Job]]] = {}
    order = 0
    for record in records:
        for job in _jobs(record):
            order += 1
            # Jobs are kept by name: a re-run of a job has a new id but the same name.
            key = _scalar(job.get("name")) or _scalar(job.get("id")) or f"#{order}"
            runs.setdefault(_scalar(job.get("run_id")), {}).setdefault(key, []).append(_Job(record, job, order))
    read: list[ExecutionRecord] = []
    errors: list[RecordError] = []
    for run_id, jobs in runs.items():
        try:
            read.append(_record(run_id, jobs))
        except RecordError as error:
            errors.append(error)
    return read, errors


def _scalar(value: Any) -> str | None:
    """A run id, job id or name as a key (None for what is none of them)."""
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def _jobs(record: RecordData) -> list[dict[str, Any]]:
    data = record.data
    if isinstance(data.get("workflow_job"), dict):
        return [data["workflow_job"]]
    jobs = data["jobs"]
    for index, job in enumerate(jobs):
        if not isinstance(job, dict):
            raise record.error(jobs, index, "a job must be an object")
    return list(jobs)


def _record(run_id: str | None, by_name: dict[Any, list[_Job]]) -> ExecutionRecord:
    steps: list[TimedStep] = []
    for versions in by_name.values():
        latest = max(versions, key=lambda job: job.rank)
        steps.append(_step(latest, attempts=len({job.rank[0] for job in versions})))
    first = min((job for versions in by_name.values() for job in versions), key=lambda job: job.order)
    steps.sort(key=lambda step: (step.start is None, step.start or datetime.min, step.name))
    facts = RunFacts(
        first.record.path,
        FORMAT,
        first.record.start,
        runbook_name=text_at(first.body, "workflow_name"),
        run_name=None if run_id is None else f"run {run_id}",
    )
    return timed_record(facts, steps)


def _step(job: _Job, attempts: int) -> TimedStep:
    record, body = job.record, job.body
    name = text_at(body, "name")
    if name is None:
        raise record.error(body, "id" if "id" in body else "status", "a job has no `name`")
    state = body.get("status")
    status = _status(record, body)
    started = state not in _NOT_STARTED
    return TimedStep(
        name,
        instant_at(record, body, "started_at") if started else None,
        instant_at(record, body, "completed_at") if started else None,
        status,
        record.at(body, "name"),
        record.at(body, "completed_at"),
        who=text_at(body, "runner_name"),
        attempts=attempts,
    )


def _status(record: RecordData, body: dict[str, Any]) -> RunStatus:
    state = body.get("status")
    if state in _NOT_STARTED:
        return RunStatus.NOT_RUN
    if state == "in_progress":
        return RunStatus.RUNNING
    conclusion = body.get("conclusion")
    status = _CONCLUSIONS.get(conclusion) if isinstance(conclusion, str) else None
    if state == "completed" and status is not None:
        return status
    key = "conclusion" if state == "completed" else "status"
    raise RecordError(
        record.at(body, key),
        f"the job `{body.get('name')}` has `{key}` `{body.get(key)}`, not one GitHub Actions reports for a job",
    )
