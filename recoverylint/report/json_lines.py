"""`--format json-lines`: one JSON object per finding, one a line.

Each object has the keys of a finding in the `json` format; there is nothing
else (no summary line), so a consumer can stream the output and every line is
a finding.  Files that could not be checked are reported on stderr by the
command, as with `json`.
"""

from __future__ import annotations

from collections.abc import Sequence
from json.encoder import encode_basestring_ascii
from typing import TYPE_CHECKING

from . import Report, ReportPart, joined

if TYPE_CHECKING:
    from ..finding import Finding


def render(report: Report) -> str:
    """Every finding as one line of compact JSON."""
    # ASCII only: U+2028, U+2029 and U+0085 in a string would otherwise be
    # written as they are, and consumers that split lines at more than `\n`
    # (Python's str.splitlines) would cut the object in two.
    return joined(pieces_utf8(report)).decode()


def pieces_utf8(report: Report) -> list[ReportPart]:
    """The report in UTF-8, in the pieces it is written in (see json.pieces_utf8)."""
    if report.written is not None:  # each file's part, written where it was checked or kept by the cache
        return [file.parts["json-lines"] for file in report.written]
    return [file_part(report.findings)]


def file_part(findings: Sequence[Finding]) -> bytes:
    """One file's findings, one line each (ASCII)."""
    return "".join(record + "\n" for record in finding_records(findings)).encode()


def finding_records(findings: Sequence[Finding]) -> list[str]:
    """Each finding as the `json` and `json-lines` formats show it: the keys
    code, name, severity, message, path, line, column, end_line, end_column
    and suggestion, written as json.dumps writes such a dict (separators
    ", " and ": "; ASCII, every other character escaped)."""
    # Written directly rather than by json.dumps of a dict per finding (half
    # the cost, a check writes tens of thousands): the strings go through the
    # encoder json.dumps itself uses, the integers as json.dumps writes them.
    # A severity is a str whose text is its value, so it is encoded as it is.
    encode = encode_basestring_ascii
    return [
        f'{{"code": {encode(item.code)}, "name": {encode(item.name)}, "severity": {encode(item.severity)}, '
        f'"message": {encode(item.message)}, "path": {encode(item.path)}, "line": {item.span.line}, '
        f'"column": {item.span.column}, "end_line": {item.span.end_line}, "end_column": {item.span.end_column}, '
        f'"suggestion": {"null" if item.suggestion is None else encode(item.suggestion)}}}'
        for item in findings
    ]
