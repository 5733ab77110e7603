"""`--format full`: ruff-style findings with the source lines they point at."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..reading import editor_lines
from ..severity import Severity
from ..words import counted
from . import Report, summarize
from .shown import shown

if TYPE_CHECKING:
    from ..finding import Fix

_SEVERITY_COLOUR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def render(report: Report) -> str:
    import click

    findings, colour = report.findings, report.colour
    texts: dict[str, list[str] | None] = {}

    def source_lines(path: str) -> list[str] | None:
        if path not in texts:
            text = report.source_text(path)
            texts[path] = None if text is None else editor_lines(text)
        return texts[path]

    def style(text: str, **kwargs: Any) -> str:
        return click.style(text, **kwargs) if colour else text

    highlight = _highlighter() if colour else (lambda line: line)
    out: list[str] = []
    for item in findings:
        span = item.span
        out.append(
            f"{style(shown(item.path), bold=True)}:{span.line}:{span.column}: "
            f"{style(item.code, fg=_SEVERITY_COLOUR[item.severity], bold=True)} "
            f"[{item.severity.value}] {shown(item.message)}"
        )
        lines = source_lines(item.path)
        if lines and 0 < span.line <= len(lines):
            width = len(str(span.line))
            gutter = " " * width + " |"
            line = lines[span.line - 1].expandtabs(1)
            end = span.end_column if span.end_line == span.line else len(line) + 1
            # The carets stand under the shown characters: an escape such as
            # `\u2028` takes more columns than the character it shows.
            before = shown(line[: span.column - 1])
            marked = shown(line[span.column - 1 : end - 1])
            text = shown(line)
            out.append(style(gutter, fg="blue"))
            out.append(style(f"{span.line:>{width}} |", fg="blue") + " " + highlight(text))
            out.append(
                style(gutter, fg="blue") + " " + " " * (len(before) + max(0, span.column - 1 - len(line)))
                + style(f"{'^' * max(1, len(marked))} {item.code}", fg=_SEVERITY_COLOUR[item.severity])
            )
            if item.suggestion:
                out.append(style(gutter, fg="blue"))
                out.append(" " * width + style(" = help: ", bold=True) + shown(item.suggestion))
            if item.fix:
                out.append(" " * width + style(" = fix: ", bold=True) + _fix_words(item.fix))
        else:
            if item.suggestion:
                out.append(f"  = help: {shown(item.suggestion)}")
            if item.fix:
                out.append(f"  = fix: {_fix_words(item.fix)}")
        out.append("")
    if report.summary:
        out.extend(_summary(report, style))
    return "\n".join(out) + "\n" if out else ""


def _summary(report: Report, style: Callable[..., str]) -> list[str]:
    findings, files, unchecked = report.findings, len(report.files), len(report.unchecked)
    summary = summarize(list(findings), files)
    out = []
    if findings:
        out.append(
            f"Found {counted(len(findings), 'finding')} in {counted(files, 'file')}"
            f" ({counted(summary.errors, 'error')}, {counted(summary.warnings, 'warning')},"
            f" {counted(summary.infos, 'info')})."
        )
        safe = sum(1 for f in findings if f.fix is not None and f.fix.safe)
        unsafe = sum(1 for f in findings if f.fix is not None and not f.fix.safe)
        if safe or unsafe:
            more = f" ({unsafe} more with --fix --unsafe-fixes)" if safe and unsafe else ""
            out.append(
                f"[*] {safe} fixable with --fix{more}."
                if safe
                else f"[*] {unsafe} fixable with --fix --unsafe-fixes."
            )
    elif not unchecked:
        out.append(style(f"All checks passed! ({counted(files, 'file')} checked)", fg="green"))
    if unchecked:
        out.append(
            style(
                f"{counted(unchecked, 'file')} could not be checked: an internal error, reported on stderr.",
                fg="red",
            )
        )
    return out


def _fix_words(fix: Fix) -> str:
    return f"{shown(fix.description)} [{'--fix' if fix.safe else '--fix --unsafe-fixes'}]"


def _highlighter() -> Callable[[str], str]:
    # pygments is imported only when colouring: it costs startup time.
    from pygments import highlight
    from pygments.formatters import TerminalFormatter
    from pygments.lexers import YamlLexer

    lexer, formatter = YamlLexer(), TerminalFormatter()
    return lambda line: highlight(line, lexer, formatter).rstrip("\n")
