"""`--format full`: ruff-style findings with the source lines they point at."""

from __future__ import annotations

from typing import Callable, Optional

from ..finding import Finding, Severity
from . import Report, summarize

_SEVERITY_COLOUR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def render(report: Report) -> str:
    import click

    findings, files, colour = report.findings, len(report.files), report.colour
    unchecked = len(report.unchecked)  # an internal error, reported apart on stderr
    texts: dict[str, Optional[list[str]]] = {}

    def source_lines(path: str) -> Optional[list[str]]:
        if path not in texts:
            text = report.source_text(path)
            texts[path] = None if text is None else text.splitlines()
        return texts[path]

    def style(text: str, **kwargs) -> str:
        return click.style(text, **kwargs) if colour else text

    highlight = _highlighter() if colour else (lambda line: line)
    out: list[str] = []
    for item in findings:
        span = item.span
        out.append(
            f"{style(item.path, bold=True)}:{span.line}:{span.column}: "
            f"{style(item.code, fg=_SEVERITY_COLOUR[item.severity], bold=True)} "
            f"[{item.severity.value}] {item.message}"
        )
        lines = source_lines(item.path)
        if lines and 0 < span.line <= len(lines):
            width = len(str(span.line))
            gutter = " " * width + " |"
            text = lines[span.line - 1].expandtabs(1)
            end = span.end_column if span.end_line == span.line else len(text) + 1
            carets = "^" * max(1, min(end, len(text) + 1) - span.column)
            out.append(style(gutter, fg="blue"))
            out.append(style(f"{span.line:>{width}} |", fg="blue") + " " + highlight(text))
            out.append(
                style(gutter, fg="blue") + " " + " " * (span.column - 1)
                + style(f"{carets} {item.code}", fg=_SEVERITY_COLOUR[item.severity])
            )
            if item.suggestion:
                out.append(style(gutter, fg="blue"))
                out.append(" " * width + style(" = help: ", bold=True) + item.suggestion)
        elif item.suggestion:
            out.append(f"  = help: {item.suggestion}")
        out.append("")
    summary = summarize(list(findings), files)
    if findings:
        out.append(
            f"Found {_count(len(findings), 'finding')} in {_count(files, 'file')}"
            f" ({_count(summary.errors, 'error')}, {_count(summary.warnings, 'warning')},"
            f" {_count(summary.infos, 'info')})."
        )
    elif not unchecked:
        out.append(style(f"All checks passed! ({_count(files, 'file')} checked)", fg="green"))
    if unchecked:
        out.append(
            style(f"{_count(unchecked, 'file')} could not be checked: an internal error, reported on stderr.", fg="red")
        )
    return "\n".join(out) + "\n"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _highlighter() -> Callable[[str], str]:
    # pygments is imported only when colouring: it costs startup time.
    from pygments import highlight
    from pygments.formatters import TerminalFormatter
    from pygments.lexers import YamlLexer

    lexer, formatter = YamlLexer(), TerminalFormatter()
    return lambda line: highlight(line, lexer, formatter).rstrip("\n")
