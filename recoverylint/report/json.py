"""`--format json`: one document with every finding and a summary."""

from __future__ import annotations

import json

from .. import __version__
from . import Report, summarize
from .json_lines import finding_record
from .shown import json_safe


def render(report: Report) -> str:
    findings = report.findings
    summary = summarize(list(findings), len(report.files))
    # Compact, and written finding by finding: a report of a hundred
    # thousand findings never holds all their records at once (the same
    # text json.dumps makes of the whole document).
    records = ", ".join(json_safe(json.dumps(finding_record(f), ensure_ascii=False)) for f in findings)
    counts = json.dumps(
        {
            "files": summary.files,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "infos": summary.infos,
        }
    )
    return f'{{"version": {json.dumps(__version__)}, "findings": [{records}], "summary": {counts}}}\n'
