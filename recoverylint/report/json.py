"""`--format json`: one document with every finding and a summary."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .. import __version__
from . import Report, ReportPart, joined, report_summary
from .json_lines import finding_records

if TYPE_CHECKING:
    from ..finding import Finding

_CHUNK = 1000


def render(report: Report) -> str:
    return joined(pieces_utf8(report)).decode()


def pieces_utf8(report: Report) -> list[ReportPart]:
    """The report in UTF-8, in the pieces it is written in (never joined on
    the way to stdout: the parts of a big report are tens of MB)."""
    parts: list[ReportPart]
    if report.written is None:
        parts = [file_part(report.findings)]
    else:  # each file's part, written where it was checked or kept by the cache
        parts = [part for file in report.written if (part := file.parts["json"])]
    summary = report_summary(report)
    counts = json.dumps(
        {
            "files": summary.files,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "infos": summary.infos,
        }
    )
    head = f'{{"version": {json.dumps(__version__)}, "findings": ['.encode()
    pieces: list[ReportPart] = [head]
    for part in parts:
        pieces += (b", ", part) if len(pieces) > 1 else (part,)
    pieces.append(f'], "summary": {counts}}}\n'.encode())
    return pieces


def file_part(findings: Sequence[Finding]) -> bytes:
    """Findings as the items of the report's `findings` array, without the
    brackets: what json.dumps makes of them in the whole document (items
    joined with ", "), so that the parts of files joined with ", " are too.
    In ASCII, as json-lines and json.dumps write by default: every other
    character is a `\\uXXXX` escape, so nothing in a report acts on a
    terminal (a control character, a bidirectional override), and a part the
    cache keeps is checked with one pass over its bytes, not a decoding."""
    # Written a thousand findings at a time: a report of a hundred thousand
    # findings never holds all their records at once.
    return b", ".join(
        ", ".join(finding_records(findings[start : start + _CHUNK])).encode()
        for start in range(0, len(findings), _CHUNK)
    )
