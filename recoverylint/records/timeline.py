"""A timeline written by people: CSV with a header row, or JSON (a list of
rows, or {"steps": [...]}), each row a step with `step`, `start`, `end` and
optionally `who` and `status` (column names in any order and any case).

Times are all ISO 8601 with a zone (converted to UTC) or all minutes from the
start (numbers); one file mixing the two is refused, and so is a time without
a zone (see _times: nobody's clock is assumed).  A row with no start never
ran; one with a start and no end was still running when it was written."""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..source import editor_lines
from ._source import RecordData, RecordText
from ._steps import RunFacts, TimedStep, timed_record
from ._times import BadTime, parse_instant
from .model import ExecutionRecord, RecordError, RecordPosition, RunStatus, StepRun

FORMAT = "timeline"
COLUMNS = ("step", "start", "end", "who", "status")
REQUIRED = ("step", "start", "end")
EXPECTED = "a timeline: CSV or JSON rows of step, start, end (and optional who, status)"

# What people write for how a step ended, in RunStatus's words.
STATUS_WORDS = {
    **dict.fromkeys(("succeeded", "success", "successful", "ok", "done", "completed", "complete", "passed"),
                    RunStatus.SUCCEEDED),
    **dict.fromkeys(("failed", "failure", "error", "errored"), RunStatus.FAILED),
    **dict.fromkeys(("cancelled", "canceled", "aborted", "stopped", "timed-out", "timed out", "timeout"),
                    RunStatus.CANCELLED),
    **dict.fromkeys(("skipped", "not needed"), RunStatus.SKIPPED),
    **dict.fromkeys(("not-run", "not run", "never run", "never ran", "pending"), RunStatus.NOT_RUN),
    **dict.fromkeys(("running", "in progress", "in-progress", "started"), RunStatus.RUNNING),
}
_KIND_WORDS = {"relative": "minutes from the start", "absolute": "a date and time"}
# A number of minutes this large (190 years) is epoch seconds written by mistake.
EPOCH_LIKE = 1e8
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


@dataclass(frozen=True)
class _Row:
    """One row: its values by lower-case column name, its number (1 for the
    first step), and where each of its values was written."""

    number: int
    values: dict[str, Any]
    where: Callable[[str], RecordPosition]


def is_timeline_csv(text: str) -> bool:
    header = _header_line(text)
    if header is None:
        return False
    delimiter = _delimiter(header)
    names = _header_names(header, delimiter)
    return all(column in names for column in REQUIRED)


def is_timeline_data(data: Any) -> bool:
    rows = data.get("steps") if isinstance(data, dict) else data
    return (
        isinstance(rows, list)
        and bool(rows)
        and all(isinstance(row, dict) for row in rows[:1])
        and "step" in {str(key).lower() for key in rows[0]}
    )


def read_csv_timeline(record: RecordText) -> ExecutionRecord:
    """The record of a CSV timeline, or a RecordError naming the row at fault."""
    header = _header_line(record.text)
    if header is None:
        raise record.error(f"not a record of a run (expected {EXPECTED}): the file is empty")
    rows = _csv_rows(record, _delimiter(header))
    return _timeline(record.path, RecordPosition(record.path, 1, 1), rows)


def read_json_timeline(record: RecordData) -> ExecutionRecord:
    """The record of a JSON timeline, or a RecordError naming the row at fault."""
    data = record.data
    rows = data.get("steps") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise RecordError(record.start, f"not a record of a run (expected {EXPECTED})")
    return _timeline(record.path, record.start, _json_rows(record, rows))


def _header_line(text: str) -> str | None:
    for line in editor_lines(text):
        if line.strip():
            return line
    return None


def _delimiter(header: str) -> str:
    """`,` unless the header is written with `;` or tabs (spreadsheets in some locales)."""
    for delimiter in (",", ";", "\t"):
        if "step" in _header_names(header, delimiter):
            return delimiter
    return ","


def _header_names(header: str, delimiter: str) -> set[str]:
    """The header's names split plainly, for telling a timeline and its
    delimiter before the csv module reads it (quotes around a name dropped)."""
    return {cell.strip().strip('"').strip().lower() for cell in header.split(delimiter)}


def _csv_rows(record: RecordText, delimiter: str) -> Iterator[_Row]:
    lines = editor_lines(record.text)  # the lines an editor shows: positions are theirs
    # Each line with its break: a quoted cell spanning lines keeps it.
    reader = csv.reader((line + "\n" for line in lines), delimiter=delimiter)
    try:
        header: list[str] | None = None
        next_line = 1
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1  # a row's first line: a quoted cell may span more
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = _csv_header(record, cells, line)
                continue
            yield _csv_row(record, header, cells, line, lines[line - 1])
    except csv.Error as error:
        raise record.error(f"malformed CSV: {error}", reader.line_num or 1) from None


def _csv_header(record: RecordText, cells: list[str], line: int) -> list[str]:
    header = [cell.strip().lower() for cell in cells]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise record.error(
            f"not a record of a run (expected {EXPECTED}): the header has no "
            + ", ".join(f"`{column}`" for column in missing),
            line,
        )
    counts = Counter(header)
    repeated = [column for column in COLUMNS if counts[column] > 1]
    if repeated:
        raise record.error(f"the header names `{repeated[0]}` twice", line)
    return header


def _csv_row(record: RecordText, header: list[str], cells: list[str], line: int, text: str) -> _Row:
    values = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name in COLUMNS}
    # A cell's column is known when the line holds the whole row unquoted.
    columns: dict[str, int] = {}
    if '"' not in text:
        offset = 1
        for name, cell in zip(header, cells, strict=False):
            columns.setdefault(name, offset + len(cell) - len(cell.lstrip()))
            offset += len(cell) + 1

    def where(name: str) -> RecordPosition:
        return RecordPosition(record.path, line, columns.get(name, 1))

    return _Row(line - 1, values, where)


def _json_rows(record: RecordData, rows: list[Any]) -> Iterator[_Row]:
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise record.error(rows, index, f"row {index + 1}: a step must be an object of step, start, end")
        keys = {str(key).lower(): key for key in row}

        yield _Row(index + 1, {name: row[key] for name, key in keys.items() if name in COLUMNS},
                   _json_where(record, rows, index, keys))


def _json_where(
    record: RecordData, rows: list[Any], index: int, keys: dict[str, Any]
) -> Callable[[str], RecordPosition]:
    """Where a row's value was written (the row's own place for a value it lacks)."""
    row = rows[index]

    def where(name: str) -> RecordPosition:
        return record.at(row, keys[name]) if name in keys else record.at(rows, index)

    return where


def _timeline(path: str, start: RecordPosition, rows: Iterator[_Row]) -> ExecutionRecord:
    """Rows made into a record: absolute times through timed_record, minutes
    from the start kept as they are."""
    read: list[tuple[_Row, str, Any, Any, RunStatus]] = []
    first_kind: tuple[str, int] | None = None  # ("absolute" or "relative", the row that set it)
    for row in rows:
        name = _text(row.values.get("step"))
        if not name:
            raise RecordError(row.where("step"), f"row {row.number}: the step has no name")
        begin, finish = _time(row, "start"), _time(row, "end")
        for column, moment in (("start", begin), ("end", finish)):
            if moment is None:
                continue
            kind = "relative" if isinstance(moment, float) else "absolute"
            if first_kind is None:
                first_kind = (kind, row.number)
            elif first_kind[0] != kind:
                raise RecordError(
                    row.where(column),
                    f"row {row.number}: `{column}` is {_KIND_WORDS[kind]} but row {first_kind[1]} gave"
                    f" {_KIND_WORDS[first_kind[0]]}: a timeline is written all one way",
                )
        read.append((row, name, begin, finish, _status(row, begin is not None, finish is not None)))
    if first_kind is None or first_kind[0] == "absolute":
        steps = [
            TimedStep(name, begin, finish, status, row.where("step"), row.where("end"), _who(row))
            for row, name, begin, finish, status in read
        ]
        return timed_record(RunFacts(path, FORMAT, start), steps)
    for row, name, begin, finish, _ in read:
        if begin is not None and finish is not None and finish < begin:
            raise RecordError(
                row.where("end"), f"row {row.number}: `{name}` ends ({finish:g} min) before it starts ({begin:g} min)"
            )
    starts = [begin for _, _, begin, _, _ in read if begin is not None]
    ends = [finish for _, _, _, finish, _ in read if finish is not None]
    return ExecutionRecord(
        path=path,
        record_format=FORMAT,
        origin=None,
        steps=tuple(
            StepRun(name, begin, finish, status, row.where("step"), _who(row))
            for row, name, begin, finish, status in read
        ),
        start=min(starts) if starts else None,
        end=max(ends) if ends else None,
    )


def _who(row: _Row) -> str | None:
    return _text(row.values.get("who")) or None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _time(row: _Row, column: str) -> float | datetime | None:
    """Minutes from the start (a number), a UTC instant, or None (no value)."""
    value = row.values.get(column)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if is_number or (isinstance(value, str) and _NUMBER.fullmatch(value.strip())):
        try:
            number = float(value)
        except OverflowError:  # an integer past any float
            number = math.inf
        if not math.isfinite(number) or number < 0:
            raise RecordError(
                row.where(column),
                f"row {row.number}: `{column}` must be minutes from the start (0 or more), not {_text(value)[:40]}",
            )
        if number >= EPOCH_LIKE:
            raise RecordError(
                row.where(column),
                f"row {row.number}: `{column}` looks like epoch seconds;"
                " a timeline's numbers are minutes from the start",
            )
        return number
    try:
        return parse_instant(value)
    except BadTime as error:
        raise RecordError(row.where(column), f"row {row.number}: `{column}`: {error}") from None


def _status(row: _Row, started: bool, ended: bool) -> RunStatus:
    written = _text(row.values.get("status")).lower()
    if written:
        status = STATUS_WORDS.get(written)
        if status is None:
            raise RecordError(
                row.where("status"),
                f"row {row.number}: unknown status `{written}` (expected succeeded, failed, cancelled,"
                " skipped, not-run or running)",
            )
        return status
    if not started:
        return RunStatus.NOT_RUN
    return RunStatus.SUCCEEDED if ended else RunStatus.RUNNING
