"""`--format json-lines`: one JSON object per finding, one a line.

Each object has the keys of a finding in the `json` format; there is nothing
else (no summary line), so a consumer can stream the output and every line is
a finding.  Files that could not be checked are reported on stderr by the
command, as with `json`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..finding import Finding
from . import Report


def render(report: Report) -> str:
    """Every finding as one line of compact JSON."""
    # ASCII only: U+2028, U+2029 and U+0085 in a string would otherwise be
    # written as they are, and consumers that split lines at more than `\n`
    # (Python's str.splitlines) would cut the object in two.
    return render_utf8(report).decode()


def render_utf8(report: Report) -> bytes:
    if report.written is not None:  # each file's part, written where it was checked or kept by the cache
        return b"".join(file.parts["json-lines"] for file in report.written)
    return file_part(report.findings)


def file_part(findings: Sequence[Finding]) -> bytes:
    """One file's findings, one line each (ASCII)."""
    return "".join(json.dumps(finding_record(item)) + "\n" for item in findings).encode()


def finding_record(finding: Finding) -> dict[str, Any]:
    """A finding as the `json` and `json-lines` formats show it."""
    span = finding.span
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "suggestion": finding.suggestion,
    }
