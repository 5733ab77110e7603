"""`--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`).

A JSON array with one object per finding: `description` (code and message),
`check_name` (the code), `fingerprint`, `severity` and `location` (path, first
and last line).  GitLab's severities are info, minor, major, critical and
blocker; recoverylint's map to them as

    error   -> critical  (the runbook is wrong: a race, an unverified change)
    warning -> minor     (it works, but loses time or clarity)
    info    -> info

and a file that could not be checked (an internal error) is one `blocker`
entry, so that it cannot pass unnoticed.

GitLab keeps one entry per fingerprint (a later one replaces an earlier one:
lib/gitlab/ci/reports/codequality_reports.rb), and a fingerprint is what
baselines recognise a finding by, which two identical findings share.  The
second, third... of them get a fingerprint derived from the first and their
rank among them in the report's order, which edits elsewhere do not change.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePath
from typing import Any

from ..baseline import fingerprint
from ..finding import Finding, Severity
from ..model import Span
from . import Report

SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "minor", Severity.INFO: "info"}
UNCHECKED_SEVERITY = "blocker"


def render(report: Report) -> str:
    """The Code Quality report: a JSON array, one entry a line."""
    taken: set[str] = set()
    entries = [_entry(item, _unique(fingerprint(item), taken)) for item in report.findings]
    entries.extend(_unchecked_entry(path, taken) for path in report.unchecked)
    if not entries:
        return "[]\n"
    # One entry a line: compact, yet a diff of two reports reads line by line.
    # ASCII: an undecodable byte of a file name (a lone surrogate) stays writable.
    return "[\n" + ",\n".join(json.dumps(entry) for entry in entries) + "\n]\n"


def _entry(finding: Finding, unique_fingerprint: str) -> dict[str, Any]:
    span = finding.span
    return {
        "description": f"{finding.code} {finding.message}",
        "check_name": finding.code,
        "fingerprint": unique_fingerprint,
        "severity": SEVERITY[finding.severity],
        "location": {
            "path": PurePath(finding.path).as_posix(),
            "lines": {"begin": span.line, "end": _last_line(span)},
        },
    }


def _unchecked_entry(path: str, taken: set[str]) -> dict[str, Any]:
    posix = PurePath(path).as_posix()
    return {
        "description": "recoverylint could not check this file: an internal error, shown in the job's log"
        " (please report it).",
        "check_name": "internal-error",
        "fingerprint": _unique(_digest("internal-error", posix), taken),
        "severity": UNCHECKED_SEVERITY,
        "location": {"path": posix, "lines": {"begin": 1}},
    }


def _unique(first_choice: str, taken: set[str]) -> str:
    """`first_choice`, or when an earlier entry has it, the first of its
    derived fingerprints (rank 1, 2...) that none has; recorded as taken."""
    chosen, rank = first_choice, 0
    while chosen in taken:
        rank += 1
        chosen = _digest(first_choice, str(rank))
    taken.add(chosen)
    return chosen


def _digest(*parts: str) -> str:
    # The length and alphabet of baseline.fingerprint's.
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _last_line(span: Span) -> int:
    # An end at column 1 is just past the previous line's break.
    return span.end_line - 1 if span.end_column == 1 and span.end_line > span.line else span.end_line
