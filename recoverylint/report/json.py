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
    document = {
        "version": __version__,
        "findings": [finding_record(f) for f in findings],
        "summary": {
            "files": summary.files,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "infos": summary.infos,
        },
    }
    # Compact: reports of tens of thousands of findings are written fast.
    return json_safe(json.dumps(document, ensure_ascii=False)) + "\n"
