"""A record file read as data, and where each part of it was written.

Every record is read through `source.read_bytes` (files.read_file: the size
cap, no FIFO or device read) and decoded as the project decodes runbooks.
JSON is checked by the json module (its grammar, its error positions) and
then built again by the project's YAML parser, JSON being YAML, for the line
and column of each value; a JSON text that parser refuses (a tab where YAML
wants none) is still read, its facts then placed at the record's start."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..source import Document, Limits, SourceError, decode, parse, read_bytes
from .model import RecordError, RecordPosition


@dataclass(frozen=True)
class RecordText:
    """A record file's decoded text."""

    path: str
    text: str

    def error(self, message: str, line: int = 1, column: int = 1) -> RecordError:
        return RecordError(RecordPosition(self.path, line, column), message)


def read_record_text(path: Path, limits: Limits) -> RecordText:
    """The UTF-8 text of a record file, or a RecordError saying why not."""
    try:
        return RecordText(str(path), decode(read_bytes(path, limits), "a record"))
    except SourceError as error:
        raise RecordError(RecordPosition(str(path), error.line, error.column), error.message) from None


class RecordData:
    """Plain data of a JSON or YAML record and the positions of its values."""

    def __init__(
        self, path: str, data: Any, document: Document | None, start: RecordPosition | None = None
    ) -> None:
        self.path = path
        self.data = data
        self.document = document
        # Where facts are placed when the document does not say: data decoded
        # from inside the file (Argo's compressedNodes) is placed where it was.
        self._start = start or RecordPosition(path, 1, 1)

    def at(self, container: Any, key: Any) -> RecordPosition:
        """Where the value at `key` of `container` (a mapping or a list taken
        from `data`) was written; the record's start when that is not known."""
        if self.document is not None:
            try:
                span = self.document.value_span(container, key)
            except (KeyError, IndexError, TypeError):
                return self.start
            return RecordPosition(self.path, span.line, span.column)
        return self.start

    @property
    def start(self) -> RecordPosition:
        if self.document is not None:
            span = self.document.root_span
            return RecordPosition(self.path, span.line, span.column)
        return self._start

    def error(self, container: Any, key: Any, message: str) -> RecordError:
        return RecordError(self.at(container, key), message)


def looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def parse_record_data(record: RecordText, limits: Limits) -> RecordData:
    """The data of a JSON or YAML record, or a RecordError with where it is malformed."""
    if looks_like_json(record.text):
        try:
            data = json.loads(record.text)
        except json.JSONDecodeError as error:
            raise record.error(f"malformed JSON: {error.msg}", error.lineno, error.colno) from None
        except RecursionError:
            raise record.error("malformed JSON: nested too deep") from None
        except ValueError as error:  # an integer of more digits than Python converts
            raise record.error(f"malformed JSON: {error}") from None
        try:
            document = parse(record.text, limits)
        except SourceError:
            return RecordData(record.path, data, None)
        return RecordData(record.path, document.data, document)
    try:
        document = parse(record.text, limits)
    except SourceError as error:
        raise record.error(error.message, error.line, error.column) from None
    if document.rest:
        span = document.rest[0].start_span
        raise record.error("a second YAML document: a record file holds one run", span.line, span.column)
    return RecordData(record.path, document.data, document)
