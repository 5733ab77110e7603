"""`check --statistics`: the number of findings per rule, most frequent first."""

from __future__ import annotations

import json
from collections import Counter

from . import Report


def _rows(report: Report) -> tuple[list[tuple[str, int]], dict[str, str], set[str]]:
    """(code, count) most frequent first, each code's rule name, and the
    codes whose findings here have a safe fix."""
    counts = Counter(f.code for f in report.findings)
    names = {f.code: f.name for f in report.findings}
    fixable = {f.code for f in report.findings if f.fix is not None and f.fix.safe}
    return sorted(counts.items(), key=lambda row: (-row[1], row[0])), names, fixable


def text(report: Report) -> str:
    """`count code [*] name` a line, where [*] marks a rule with a safe fix."""
    rows, names, fixable = _rows(report)
    width = max((len(str(count)) for _, count in rows), default=1)
    return "".join(
        f"{count:>{width}}\t{code}\t{'[*] ' if code in fixable else ''}{names[code]}\n"
        for code, count in rows
    )


def as_json(report: Report) -> str:
    rows, names, fixable = _rows(report)
    entries = [
        {"code": code, "name": names[code], "count": count, "fixable": code in fixable}
        for code, count in rows
    ]
    return json.dumps(entries, indent=2) + "\n"
