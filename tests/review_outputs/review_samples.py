"""Reviews built by hand for the markdown and html outputs' tests: one of
ordinary incidents, one whose every name is written to break escaping."""

from __future__ import annotations

from datetime import datetime, timezone

from recoverylint.records.model import ExecutionRecord, RecordPosition, RunStatus, StepRun
from recoverylint.review.model import (
    GateCost,
    IncidentReview,
    Interval,
    LearnedDuration,
    MonthTrend,
    Review,
    ReviewSummary,
    RoleBusy,
    Unmatched,
    Violation,
    Wait,
    WaitCause,
)

OK = RunStatus.SUCCEEDED


def record(path: str, record_format: str, origin: datetime | None, names: list[str]) -> ExecutionRecord:
    steps = tuple(StepRun(name, None, None, OK, RecordPosition(path, line, 1)) for line, name in enumerate(names, 1))
    return ExecutionRecord(path, record_format, origin, steps)


def incident(
    path: str,
    record_format: str,
    origin: datetime | None,
    intervals: tuple[Interval, ...],
    required: tuple[Interval, ...],
    **rest: object,
) -> IncidentReview:
    end = max(interval.end for interval in intervals)
    required_end = max(interval.end for interval in required)
    fields: dict[str, object] = {
        "waits": (),
        "violations": (),
        "parallel_share": 0.0,
        "busy": (),
        "unmatched": (),
    }
    fields.update(rest)
    return IncidentReview(
        record=record(path, record_format, origin, [interval.step for interval in intervals]),
        started_at=origin,
        ended_at=None if origin is None else origin.replace(minute=origin.minute) + (end * _MINUTE),
        actual_minutes=end,
        required_minutes=required_end,
        intervals=intervals,
        required_intervals=required,
        **fields,  # type: ignore[arg-type]
    )


_MINUTE = datetime(2000, 1, 1, 0, 1) - datetime(2000, 1, 1)


def run(step: str, start: float, end: float, role: str | None, who: str | None = None) -> Interval:
    return Interval(step, start, end, OK, role, who)


def ordinary() -> Review:
    """Three incidents of a database failover runbook: a gate and an early
    verification in March, a role with one person in a drill without
    absolute times, in April a wait partly for a gate, partly unexplained."""
    first = incident(
        "records/2026-03-04-ssm.json",
        "ssm",
        datetime(2026, 3, 4, 14, 5, tzinfo=timezone.utc),
        (
            run("page-oncall", 0, 2, "incident-commander", "ana"),
            run("diagnose", 2, 12, "dba", "bo"),
            run("notify-status", 2, 20, "comms", "cy"),
            run("approve-failover", 12, 15, "incident-commander", "ana"),
            run("failover", 20, 35, "dba", "bo"),
            run("verify", 33, 45, "sre", "di"),
        ),
        (
            run("page-oncall", 0, 2, "incident-commander"),
            run("diagnose", 2, 12, "dba"),
            run("notify-status", 2, 20, "comms"),
            run("approve-failover", 12, 15, "incident-commander"),
            run("failover", 15, 30, "dba"),
            run("verify", 30, 42, "sre"),
        ),
        waits=(Wait("failover", ("notify-status",), 5.0, WaitCause.GATE),),
        critical_path=("page-oncall", "diagnose", "approve-failover", "failover", "verify"),
        violations=(
            Violation(
                "RV101",
                ("verify", "failover"),
                "`verify` started at 33 min, before `failover`, the change it verifies, finished at 35 min",
            ),
        ),
        parallel_share=0.4,
        busy=(RoleBusy("dba", ((2.0, 12.0), (20.0, 35.0))),),
    )
    drill = incident(
        "records/drill.csv",
        "timeline",
        None,
        (
            run("page-oncall", 0, 1, "incident-commander", "ana"),
            run("diagnose", 1, 9, "dba", "bo"),
            run("failover", 9, 21, "dba", "bo"),
            run("snapshot", 9, 9, "dba", "bo"),
            run("verify", 21, 30, "sre", "di"),
        ),
        (
            run("page-oncall", 0, 1, "incident-commander"),
            run("diagnose", 1, 9, "dba"),
            run("snapshot", 9, 9, "dba"),
            run("failover", 9, 21, "dba"),
            run("verify", 21, 30, "sre"),
        ),
        waits=(Wait("snapshot", ("failover",), 3.5, WaitCause.STAFF, role="dba"),),
        # The wait of `snapshot` (9-9) did not delay the end: off the path.
        critical_path=("page-oncall", "diagnose", "failover", "verify"),
        unmatched=(Unmatched("coffee break", "record"), Unmatched("notify-status", "runbook")),
        busy=(RoleBusy("dba", ((1.0, 21.0),)),),
    )
    april = incident(
        "records/2026-04-19-argo.yaml",
        "argo",
        datetime(2026, 4, 19, 2, 40, tzinfo=timezone.utc),
        (
            run("page-oncall", 0, 3, "incident-commander"),
            run("diagnose", 3, 10, "dba"),
            run("notify-status", 3, 12, "comms"),
            run("approve-failover", 10, 11, "incident-commander"),
            run("failover", 12, 24, "dba"),
            run("verify", 24, 31, "sre"),
        ),
        (
            run("page-oncall", 0, 3, "incident-commander"),
            run("diagnose", 3, 10, "dba"),
            run("notify-status", 3, 12, "comms"),
            run("approve-failover", 10, 11, "incident-commander"),
            run("failover", 11, 23, "dba"),
            run("verify", 23, 30, "sre"),
        ),
        waits=(
            Wait("failover", ("notify-status",), 0.5, WaitCause.GATE),
            Wait("failover", (), 0.5, WaitCause.UNEXPLAINED),
            Wait("verify", (), 0.5, WaitCause.UNEXPLAINED),
        ),
        critical_path=("page-oncall", "diagnose", "approve-failover", "failover", "verify"),
        parallel_share=0.3,
    )
    return Review(
        runbook_id="payments-db",
        runbook_path="runbooks/payments-db.yaml",
        incidents=(first, drill, april),
        summary=ReviewSummary(
            incidents=3,
            mttr_minutes=35.333333,
            p50_minutes=31.0,
            p90_minutes=45.0,
            parallel_incidents=2,
            trend=(MonthTrend("2026-03", 1, 45.0), MonthTrend("2026-04", 1, 31.0)),
            most_lost=("records/2026-03-04-ssm.json", "records/2026-04-19-argo.yaml"),
            costly_gates=(GateCost("failover", ("notify-status",), 5.5, 2),),
        ),
        durations={
            "page-oncall": LearnedDuration(2.0, 3.0, 3),
            "diagnose": LearnedDuration(8.0, 10.0, 3),
            "notify-status": LearnedDuration(13.5, 18.0, 2),
            "failover": LearnedDuration(12.0, 15.0, 3),
            "verify": LearnedDuration(9.0, 12.0, 3),
        },
    )


# Names that are markup, Markdown, Mermaid syntax, a Gantt statement or a date.
SCRIPT = "<script>window.__pwned=1</script>"
QUOTE = '"><img src=x onerror="window.__pwned=2">'
HOSTILE_STEPS = (
    SCRIPT,
    QUOTE,
    "pipe|`tick`` *star* _under_ [link](x) &amp; $x$ ~~s~~ \\ #1; %%",
    "section",
    "2024-01-01-close",
    "click",
)
HOSTILE_ROLE = "<b>role</b> | `r`"
HOSTILE_RECORD = f'records/{SCRIPT}"quoted".json'


def hostile() -> Review:
    """Every name from a file written to break escaping: step ids, a role,
    the record's path, the runbook's id and path, a violation's message."""
    steps = HOSTILE_STEPS
    intervals = tuple(
        run(step, index * 4.0, index * 4.0 + (0 if step == "section" else 5), HOSTILE_ROLE if index % 2 else None)
        for index, step in enumerate(steps)
    )
    required = tuple(
        run(step, index * 3.0, index * 3.0 + (0 if step == "section" else 4), HOSTILE_ROLE if index % 2 else None)
        for index, step in enumerate(steps)
    )
    only = incident(
        HOSTILE_RECORD,
        "timeline",
        datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc),
        intervals,
        required,
        waits=(
            Wait(steps[1], (steps[0],), 2.0, WaitCause.GATE),
            Wait(steps[2], (steps[1],), 1.0, WaitCause.STAFF, role=HOSTILE_ROLE),
        ),
        critical_path=steps,
        violations=(Violation("RV103", (steps[0], steps[1]), f"{SCRIPT} and {QUOTE} overlapped on `{QUOTE}`"),),
        parallel_share=0.25,
        unmatched=(Unmatched(SCRIPT + " record", "record"), Unmatched(QUOTE + " runbook", "runbook")),
    )
    return Review(
        runbook_id=SCRIPT,
        runbook_path=f"{QUOTE}.yaml",
        incidents=(only,),
        summary=ReviewSummary(
            incidents=1,
            mttr_minutes=only.actual_minutes,
            p50_minutes=only.actual_minutes,
            p90_minutes=only.actual_minutes,
            parallel_incidents=1,
            trend=(MonthTrend("2026-05", 1, only.actual_minutes),),
            most_lost=(HOSTILE_RECORD,),
            costly_gates=(GateCost(steps[1], (steps[0],), 2.0, 1),),
        ),
        durations={step: LearnedDuration(5.0, 5.0, 1) for step in steps if step != "section"},
    )
