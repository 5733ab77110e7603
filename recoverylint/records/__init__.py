"""Records of finished runs, read from what engines and teams write down:
one reader module per record format, each producing `model.ExecutionRecord`.

`read_each_record` reads every file through files.read_file (source.read_bytes),
detects each file's format from its content unless one is forced, and groups
the files that together describe one run: a Tekton PipelineRun and its
TaskRuns, the GitHub Actions jobs of one run_id."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..source import Limits
from . import argo, github, ssm, tekton, timeline
from ._source import RecordData, RecordText, looks_like_json, parse_record_data, read_record_text
from .model import ExecutionRecord, RecordError, RecordPosition

RECORD_FORMATS = (ssm.FORMAT, argo.FORMAT, tekton.FORMAT, github.FORMAT, timeline.FORMAT)
RECORD_SUFFIXES = (".json", ".yaml", ".yml", ".csv")

# What each format is, in the words of an error about a file that is not one.
DESCRIPTIONS = {
    ssm.FORMAT: "an SSM automation execution",
    argo.FORMAT: "an Argo Workflow with its status",
    tekton.FORMAT: "a Tekton PipelineRun or TaskRuns",
    github.FORMAT: "GitHub Actions jobs",
    timeline.FORMAT: "a timeline of step, start, end",
}
_EVERY_FORMAT = ", ".join(list(DESCRIPTIONS.values())[:-1]) + " or " + DESCRIPTIONS[timeline.FORMAT]

# Files of these formats are read together: one run may be written in several.
_GROUPED = {tekton.FORMAT: tekton.read_group, github.FORMAT: github.read_group}
_CLAIMS = {
    ssm.FORMAT: ssm.claims,
    argo.FORMAT: argo.claims,
    tekton.FORMAT: tekton.claims,
    github.FORMAT: github.claims,
    timeline.FORMAT: timeline.is_timeline_data,
}


def record_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, each folder replaced by the record files under it
    (*.json, *.yaml, *.yml, *.csv in any case, sorted; links to folders not
    followed).  Each real file comes once, under the first name that reaches
    it (a file named and also in a named folder is one record)."""
    from ..discovery import file_identity

    found: list[Path] = []
    seen: set[object] = set()
    for path in paths:
        if not path.is_dir():
            candidates = [path]
        else:
            candidates = []
            for folder, folders, names in os.walk(path):
                folders[:] = [name for name in folders if not name.startswith(".")]
                candidates.extend(
                    Path(folder, name)
                    for name in names
                    if name.lower().endswith(RECORD_SUFFIXES) and not name.startswith(".")
                )
            candidates.sort()
        for file in candidates:
            # A file that cannot be reached is kept under its name: reading it says why.
            identity: object = file_identity(file) or os.path.abspath(file)
            if identity not in seen:
                seen.add(identity)
                found.append(file)
    return found


@dataclass(frozen=True)
class RecordsRead:
    """The records read from the files given, and the error of each file (or
    run) that could not be read, in the order of their files."""

    records: tuple[ExecutionRecord, ...]
    errors: tuple[RecordError, ...]


def read_each_record(
    paths: Sequence[Path], record_format: str | None = None, limits: Limits = Limits()
) -> RecordsRead:
    """One record per run in the files (folders expanded), in the order of
    their first file, and a RecordError (file, line and column) for each file
    that is not a record or cannot be read as one: one bad file never stops
    the others being read."""
    if record_format is not None and record_format not in RECORD_FORMATS:
        raise ValueError(f"unknown record format {record_format!r}: one of {', '.join(RECORD_FORMATS)}")
    read: list[tuple[int, ExecutionRecord]] = []
    errors: list[tuple[int, RecordError]] = []
    together: dict[str, list[RecordData]] = {name: [] for name in _GROUPED}
    first_index: dict[str, int] = {}
    for index, path in enumerate(record_files(paths)):
        first_index.setdefault(str(path), index)
        try:
            _read_file(path, index, record_format, limits, read, together)
        except RecordError as error:
            errors.append((index, error))
    for found, members in together.items():
        if members:
            records, failed = _GROUPED[found](members)
            read.extend((first_index[record.path], record) for record in records)
            errors.extend((first_index.get(error.position.path, len(first_index)), error) for error in failed)
    read.sort(key=lambda entry: entry[0])
    errors.sort(key=lambda entry: entry[0])
    return RecordsRead(tuple(record for _, record in read), tuple(error for _, error in errors))


def read_records(
    paths: Sequence[Path], record_format: str | None = None, limits: Limits = Limits()
) -> tuple[ExecutionRecord, ...]:
    """Every record in the files, as read_each_record reads them, or the
    RecordError of the first file that cannot be read: all or nothing."""
    found = read_each_record(paths, record_format, limits)
    if found.errors:
        raise found.errors[0]
    return found.records


def _read_file(
    path: Path, index: int, record_format: str | None, limits: Limits,
    read: list[tuple[int, ExecutionRecord]], together: dict[str, list[RecordData]],
) -> None:
    """Read one file: its record into `read`, or its data into `together` when
    its format is read with other files; RecordError when it cannot be."""
    text = read_record_text(path, limits)
    if _is_csv(text):
        if record_format not in (None, timeline.FORMAT):
            raise _not_a_record(RecordPosition(text.path, 1, 1), record_format)
        read.append((index, timeline.read_csv_timeline(text)))
        return
    data = parse_record_data(text, limits)
    found = _format_of(data, record_format)
    if found in _GROUPED:
        together[found].append(data)
    else:
        read.append((index, _read_single(found, data, limits)))


def _is_csv(text: RecordText) -> bool:
    return not looks_like_json(text.text) and (text.path.endswith(".csv") or timeline.is_timeline_csv(text.text))


def _format_of(data: RecordData, record_format: str | None) -> str:
    candidates = (record_format,) if record_format else RECORD_FORMATS
    for name in candidates:
        if _CLAIMS[name](data.data):
            return name
    raise _not_a_record(data.start, record_format, _hint(data.data))


def _read_single(found: str, data: RecordData, limits: Limits) -> ExecutionRecord:
    if found == ssm.FORMAT:
        return ssm.read(data)
    if found == argo.FORMAT:
        return argo.read(data, limits)
    return timeline.read_json_timeline(data)


def _hint(data: Any) -> str:
    """What to export instead, for the files engines write that are near a record but are not one."""
    if github.is_workflow_run(data):
        return f": a workflow_run payload has no job times; export the run's jobs with `{github.EXPORT}`"
    if isinstance(data, dict) and "AutomationExecutionMetadataList" in data:
        return f": a list of executions has no step times; export one execution with `{ssm.EXPORT}`"
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind in ("Pipeline", "Task", "WorkflowTemplate", "ClusterWorkflowTemplate"):
        return f": a {kind} is a definition, not a run; give the run's record"
    return ""


def _not_a_record(where: RecordPosition, record_format: str | None, hint: str = "") -> RecordError:
    expected = _EVERY_FORMAT if record_format is None else DESCRIPTIONS[record_format]
    return RecordError(where, f"not a record of a run (expected {expected}){hint}")
