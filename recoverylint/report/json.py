"""`--format json`: one document with every finding and a summary."""

from __future__ import annotations

import json

from .. import __version__
from . import Report, summarize
from .json_lines import finding_record
from .shown import json_safe

_CHUNK = 1000


def render(report: Report) -> str:
    findings = report.findings
    summary = summarize(list(findings), len(report.files))
    # Compact, and written a thousand findings at a time: a report of a
    # hundred thousand findings never holds all their records at once, and
    # one dumps and one escaping pass per thousand cost far less than one per
    # finding (a warm cached run's largest part).  The same text json.dumps
    # makes of the whole document: a list's items are joined with ", ".
    records = ", ".join(
        json_safe(json.dumps([finding_record(f) for f in findings[start : start + _CHUNK]], ensure_ascii=False))[1:-1]
        for start in range(0, len(findings), _CHUNK)
    )
    counts = json.dumps(
        {
            "files": summary.files,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "infos": summary.infos,
        }
    )
    return f'{{"version": {json.dumps(__version__)}, "findings": [{records}], "summary": {counts}}}\n'
