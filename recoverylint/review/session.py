"""One run of `review`, as data: the runbook read and planned, its records
read, each reviewed, the learned durations written when asked, and the exit
code.  Nothing here prints or knows of click."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..exits import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from ..session import InternalError, NotPlanned, SessionError, limits_of, options_of_one, same_file, shown_path

if TYPE_CHECKING:
    from .model import Review, UnreadRecord


class NothingReviewed(SessionError):
    """No record could be reviewed: each of `errors` says which and why."""

    def __init__(self, errors: tuple[UnreadRecord, ...]) -> None:
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


@dataclass(frozen=True)
class ReviewRequest:
    runbook: Path
    records: tuple[Path, ...]  # record files, or folders of them
    record_format: str | None = None  # None: detect each record's
    config_file: Path | None = None
    input_format: str | None = None  # the runbook's; None: detect
    max_file_size: int | None = None
    output_file: Path | None = None  # checked: never the runbook or a record
    write_durations: Path | None = None  # where the learned durations go
    force: bool = False  # --write-durations may replace an existing file


@dataclass(frozen=True)
class ReviewRun:
    shown: str  # the runbook, as the user would write it
    review: Review
    # 2 when a record could not be reviewed (Review.errors), else 1 when some
    # incident broke an order the runbook requires
    exit_code: int
    notes: tuple[str, ...] = ()  # for people, on stderr


def run_review(request: ReviewRequest) -> ReviewRun:
    """Review the records against the runbook.  NotPlanned (with the findings
    that say why) when the runbook cannot be planned, InternalError on a bug of
    ours, NothingReviewed when no record can be reviewed, and SessionError
    for files that may not be written.  Records that cannot be read, or are
    of another runbook, are the review's errors: the others are reviewed."""
    from ..engine import check_file
    from ..limits import TooLarge
    from ..plan import build_plan
    from ..records import RECORD_SUFFIXES, read_each_record, record_files
    from .model import UnreadRecord
    from .summary import review_records

    runbook = request.runbook
    limits = limits_of(request.max_file_size)
    files = record_files(list(request.records))
    if not files:  # a folder with no record: reviewing nothing is a mistake, not a clean run
        raise SessionError(
            f"no record found in {', '.join(shown_path(path) for path in request.records)}"
            f" (record files end in {', '.join(RECORD_SUFFIXES)})"
        )
    _check_outputs(request, files)
    options = options_of_one(runbook, request.config_file, request.input_format)
    shown = shown_path(runbook)
    from ..catalog import plan_blocking_codes

    settings = replace(options.settings, select=plan_blocking_codes(), ignore=())
    result = check_file(runbook, shown, True, limits, settings, keep_graphs=True)
    if result.internal_error:
        raise InternalError(shown, result.internal_error, "no record was reviewed")
    graphs = result.graphs
    if result.runbook is None or graphs is None:
        blocking = tuple(item for item in result.findings if item.code in plan_blocking_codes())
        raise NotPlanned(f"{shown} cannot be reviewed until the errors above are fixed", blocking)
    try:
        plan = build_plan(graphs)
        found = read_each_record(files, request.record_format, limits)
        unread = tuple(
            UnreadRecord(error.position.path, error.position.line, error.position.column, error.message)
            for error in found.errors
        )
        review = review_records(graphs, plan, found.records, shown, unread)
    except TooLarge as error:
        raise SessionError(f"{shown}: too large to plan: {error}") from None
    except Exception:  # a bug of ours: reported as for check, never a bare traceback
        import traceback

        raise InternalError(shown, traceback.format_exc(limit=-8), "no record was reviewed") from None
    if not review.incidents:  # nothing to report: every record is unreadable or of another runbook
        raise NothingReviewed(review.errors)
    notes: list[str] = []
    if request.write_durations is not None:
        notes.append(_write_durations(request.write_durations, review))
    violated = any(incident.violations for incident in review.incidents)
    # A record not reviewed is an input error: exit 2, once the review of the others is written.
    exit_code = EXIT_ERROR if review.errors else EXIT_FINDINGS if violated else EXIT_CLEAN
    return ReviewRun(shown, review, exit_code, tuple(notes))


def _check_outputs(request: ReviewRequest, records: list[Path]) -> None:
    """Neither the report nor the durations file may be the runbook or a
    record; the durations file replaces an existing one only with --force
    (as `convert` treats its output)."""
    inputs = [request.runbook, *records]
    for option, file in (("--output", request.output_file), ("--write-durations", request.write_durations)):
        if file is None:
            continue
        for given in inputs:
            if same_file(file, given):
                raise SessionError(
                    f"{option} {file} is {shown_path(given)}, an input of the review; choose another file"
                )
    durations = request.write_durations
    if durations is not None and request.output_file is not None and (
        os.path.abspath(durations) == os.path.abspath(request.output_file) or same_file(durations, request.output_file)
    ):
        raise SessionError(f"--output and --write-durations are both {durations}; choose two files")
    if durations is not None and durations.exists() and not request.force:
        raise SessionError(f"{durations} exists; pass --force to replace it")


def durations_text(review: Review) -> str:
    """The learned durations as a durations file (`check --durations`, `plan
    --durations`): runbook id -> step id -> minutes, or {min, likely, max}
    with the shortest run, the median and the slowest run when the runs differ.
    Written as JSON (which is YAML too), one step a line."""
    from ..words import minutes_number

    steps: dict[str, float | dict[str, float]] = {}
    for step, learned in review.durations.items():
        low, likely, high = (
            minutes_number(learned.median if learned.minimum is None else learned.minimum),
            minutes_number(learned.median),
            minutes_number(learned.p90 if learned.maximum is None else learned.maximum),
        )
        steps[step] = likely if low == likely == high else {"min": low, "likely": likely, "max": high}
    lines = [f"    {json.dumps(step, ensure_ascii=False)}: {json.dumps(minutes)}" for step, minutes in steps.items()]
    body = ",\n".join(lines)
    return f"{{\n  {json.dumps(review.runbook_id, ensure_ascii=False)}: {{\n{body}\n  }}\n}}\n"


def _write_durations(file: Path, review: Review) -> str:
    from ..files import write_atomically
    from ..words import counted

    try:
        write_atomically(file, durations_text(review))
    except OSError as error:
        raise SessionError(f"could not write {file}: {error.strerror or error}") from None
    return f"Wrote the learned durations of {counted(len(review.durations), 'step')} to {file}."
