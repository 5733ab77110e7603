"""Records of finished runs, read from what engines and teams write down:
one reader module per record format, each producing `model.ExecutionRecord`.

`read_records` reads every file through files.read_file (source.read_bytes),
detects each file's format from its content unless one is forced, and groups
the files that together describe one run."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..source import Limits
from . import timeline
from ._source import RecordText, looks_like_json, parse_record_data, read_record_text
from .model import ExecutionRecord, RecordError, RecordPosition

RECORD_FORMATS = ("timeline",)
RECORD_SUFFIXES = (".json", ".yaml", ".yml", ".csv")

_EXPECTED = timeline.EXPECTED


def record_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, each folder replaced by the record files under it
    (*.json, *.yaml, *.yml, *.csv, sorted; links to folders not followed)."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        inside: list[Path] = []
        for folder, folders, names in os.walk(path):
            folders[:] = [name for name in folders if not name.startswith(".")]
            inside.extend(
                Path(folder, name)
                for name in names
                if name.endswith(RECORD_SUFFIXES) and not name.startswith(".")
            )
        found.extend(sorted(inside))
    return found


def read_records(
    paths: Sequence[Path], record_format: str | None = None, limits: Limits = Limits()
) -> tuple[ExecutionRecord, ...]:
    """One record per run in the files (folders expanded), in the order of
    their first file; RecordError, with the file, line and column, for a file
    that is not a record or cannot be read as one."""
    if record_format is not None and record_format not in RECORD_FORMATS:
        raise ValueError(f"unknown record format {record_format!r}: one of {', '.join(RECORD_FORMATS)}")
    records: list[ExecutionRecord] = []
    for path in record_files(paths):
        records.append(_read_one(read_record_text(path, limits), record_format, limits))
    return tuple(records)


def _read_one(record: RecordText, record_format: str | None, limits: Limits) -> ExecutionRecord:
    if not looks_like_json(record.text) and (
        record.path.endswith(".csv") or timeline.is_timeline_csv(record.text)
    ):
        if record_format not in (None, timeline.FORMAT):
            raise _not_a_record(record.path, RecordPosition(record.path, 1, 1), record_format)
        return timeline.read_csv_timeline(record)
    data = parse_record_data(record, limits)
    if record_format in (None, timeline.FORMAT) and timeline.is_timeline_data(data.data):
        return timeline.read_json_timeline(data)
    raise _not_a_record(record.path, data.start, record_format)


def _not_a_record(path: str, where: RecordPosition, record_format: str | None) -> RecordError:
    expected = _EXPECTED if record_format is None else f"a {record_format} record"
    return RecordError(where, f"not a record of a run (expected {expected})")
