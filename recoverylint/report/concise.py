"""`--format concise`: one line per finding, for editors and grep.

    examples/checklist-disk-full.yaml:87:9: RL201 [warning] `check-recent-deploys` waits ...

Each line is the first line of the `full` format's finding, and nothing else
is printed: no summary, so that every line on stdout is a finding (`wc -l`
counts them) and editors' error parsers (VS Code problem matchers, Vim's
errorformat, Emacs' compilation mode: see docs/editors.md) never meet a line
they must skip.  Files that could not be checked are reported on stderr by
the command, as for every machine-readable format.
"""

from __future__ import annotations

from . import Report
from .shown import shown


def render(report: Report) -> str:
    """Every finding as `path:line:col: CODE [severity] message`, one a line."""
    return "".join(
        f"{one_line(item.path)}:{item.span.line}:{item.span.column}: "
        f"{item.code} [{item.severity.value}] {one_line(item.message)}\n"
        for item in report.findings
    )


def one_line(text: str) -> str:
    """`text` as a finding's line shows it: every line break (consumers differ
    on which they split at; VS Code splits at `\\r` too) written as the two
    characters `\\n`, and no character that drives a terminal."""
    return shown(text)
