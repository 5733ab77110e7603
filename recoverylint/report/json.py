"""`--format json`: one document with every finding and a summary."""

from __future__ import annotations

import json

from .. import __version__
from . import Report, summarize


def render(report: Report) -> str:
    findings = report.findings
    summary = summarize(list(findings), len(report.files))
    document = {
        "version": __version__,
        "findings": [
            {
                "code": f.code,
                "name": f.name,
                "severity": f.severity.value,
                "message": f.message,
                "path": f.path,
                "line": f.span.line,
                "column": f.span.column,
                "end_line": f.span.end_line,
                "end_column": f.span.end_column,
                "suggestion": f.suggestion,
            }
            for f in findings
        ],
        "summary": {
            "files": summary.files,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "infos": summary.infos,
        },
    }
    # Compact: reports of tens of thousands of findings are written fast.
    return json.dumps(document, ensure_ascii=False) + "\n"
