"""AWS Systems Manager Automation: the output of
`aws ssm get-automation-execution --automation-execution-id ID`
(`AutomationExecution` with `StepExecutions[]`) or of
`aws ssm describe-automation-step-executions --automation-execution-id ID`
(`StepExecutions[]` at the top).  Times are epoch seconds (the CLI's JSON) or
ISO 8601; a step that never ran has none."""

from __future__ import annotations

from typing import Any

from ._source import RecordData
from ._steps import RunFacts, TimedStep, instant_at, text_at, timed_record
from .model import ExecutionRecord, RecordError, RunStatus

FORMAT = "ssm"
EXPORT = "aws ssm get-automation-execution --automation-execution-id ID --output json"

# Every StepStatus and AutomationExecutionStatus the API documents.
_STATUSES = {
    **dict.fromkeys(("Success", "CompletedWithSuccess", "Approved", "ChangeCalendarOverrideApproved"),
                    RunStatus.SUCCEEDED),
    **dict.fromkeys(("Failed", "CompletedWithFailure", "Rejected", "ChangeCalendarOverrideRejected"),
                    RunStatus.FAILED),
    **dict.fromkeys(("TimedOut", "Cancelled", "Cancelling", "Exited"), RunStatus.CANCELLED),
    **dict.fromkeys(("InProgress", "Waiting", "RunbookInProgress", "PendingApproval",
                     "PendingChangeCalendarOverride"), RunStatus.RUNNING),
    **dict.fromkeys(("Pending", "Scheduled"), RunStatus.NOT_RUN),
}


def claims(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    execution = data.get("AutomationExecution")
    if isinstance(execution, dict):
        return True
    return isinstance(data.get("StepExecutions"), list)


def read(record: RecordData) -> ExecutionRecord:
    data = record.data
    execution = data.get("AutomationExecution")
    run = execution if isinstance(execution, dict) else data
    steps = run.get("StepExecutions")
    if not isinstance(steps, list):
        raise record.error(run, "StepExecutions" if "StepExecutions" in run else "AutomationExecution",
                           "`StepExecutions` must be a list of steps")
    facts = RunFacts(
        record.path,
        FORMAT,
        record.start,
        runbook_name=text_at(run, "DocumentName"),
        start=instant_at(record, run, "ExecutionStartTime"),
        end=instant_at(record, run, "ExecutionEndTime"),
        status=_status(record, run, "AutomationExecutionStatus") if run is execution else None,
        end_position=record.at(run, "ExecutionEndTime"),
    )
    return timed_record(facts, [_step(record, steps, index) for index in range(len(steps))])


def _step(record: RecordData, steps: list[Any], index: int) -> TimedStep:
    step = steps[index]
    if not isinstance(step, dict):
        raise record.error(steps, index, "a step execution must be a mapping")
    name = text_at(step, "StepName")
    if name is None:
        raise record.error(steps, index, "a step execution has no `StepName`")
    start = instant_at(record, step, "ExecutionStartTime")
    status = _status(record, step, "StepStatus")
    if status is None:
        status = RunStatus.NOT_RUN if start is None else RunStatus.RUNNING
    elif status is RunStatus.RUNNING and start is None:
        status = RunStatus.NOT_RUN  # waiting for its turn (or an approval), never started
    return TimedStep(
        name,
        start,
        instant_at(record, step, "ExecutionEndTime"),
        status,
        record.at(step, "StepName"),
        record.at(step, "ExecutionEndTime") if "ExecutionEndTime" in step else record.at(steps, index),
    )


def _status(record: RecordData, mapping: dict[str, Any], key: str) -> RunStatus | None:
    value = mapping.get(key)
    if value is None:
        return None
    status = _STATUSES.get(value) if isinstance(value, str) else None
    if status is None:
        raise RecordError(record.at(mapping, key), f"`{key}` `{value}` is not a status SSM Automation reports")
    return status
