"""`--format github`: GitHub Actions workflow commands, one per finding.

    ::warning file=a.yaml,line=87,col=9,endLine=87,endColumn=29,title=RL201 false-sequential-gate::`check-rec...

The runner turns each line into an annotation on the file and line, shown in
the job summary and on the pull request's diff.  Errors are `::error`,
warnings `::warning`, infos `::notice`.  A file that could not be checked (an
internal error) gets an `::error` too, so that it cannot pass unnoticed.

`annotations` is also what `full` adds when run inside GitHub Actions.
"""

from ..finding import Finding, Severity
from ..model import Span
from . import Report
from .shown import shown

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(report: Report) -> str:
    """The annotations, and nothing else."""
    return annotations(report)


def annotations(report: Report) -> str:
    """One workflow command line per finding, then one per unchecked file."""
    lines = [_annotation(item) for item in report.findings]
    lines.extend(
        _command(
            "error",
            {"file": path, "title": "recoverylint internal error"},
            "recoverylint could not check this file: an internal error, shown in the log (please report it).",
        )
        for path in report.unchecked
    )
    return "".join(line + "\n" for line in lines)


def _annotation(finding: Finding) -> str:
    span = finding.span
    properties = {"file": finding.path, "line": span.line}
    # The runner drops col and endColumn when line and endLine differ
    # (IssueCommandExtension.ValidateLinesAndColumns in actions/runner's
    # src/Runner.Worker/ActionCommandManager.cs): send them only for one line.
    if span.end_line == span.line:
        properties.update(col=span.column, endLine=span.line, endColumn=span.end_column)
    else:
        properties["endLine"] = _last_line(span)
    properties["title"] = f"{finding.code} {finding.name}"
    return _command(_COMMAND[finding.severity], properties, finding.message)


def _last_line(span: Span) -> int:
    # An end at column 1 is just past the previous line's break.
    return span.end_line - 1 if span.end_column == 1 and span.end_line > span.line else span.end_line


def _command(name: str, properties: dict[str, object], message: str) -> str:
    written = ",".join(
        f"{key}={escape_property(shown(str(value), keep_line_breaks=True))}" for key, value in properties.items()
    )
    return f"::{name} {written}::{escape_data(shown(message, keep_line_breaks=True))}"


# The escapes are those of actions/toolkit, packages/core/src/command.ts
# (escapeData and escapeProperty); the runner undoes them in the same order
# (actions/runner, src/Runner.Common/ActionCommand.cs, UnescapeData and
# UnescapeProperty).  `%` goes first, so that the escapes themselves survive.


def escape_data(text: str) -> str:
    """A command's message: `%`, CR and LF escaped (it ends at the line's end)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: as a message, and `:` and `,` too (they end a value)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
