"""Reporters: findings in, text out.  One module per output format, and
OUTPUT_FORMATS, the one place naming every command's formats."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any, TypeAlias

from ..severity import Severity

if TYPE_CHECKING:
    from ..files import FileRange
    from ..finding import Finding
    from .views import PlanView as PlanView
    from .views import RuleView as RuleView


# A file's part of a report: bytes, or where the cache keeps it (cache.RunKey),
# copied from there to the output without being read (console.write_bytes).
ReportPart: TypeAlias = "bytes | FileRange"

# Each command's output formats: format name -> "module:function" of this
# package, imported only when used (each import costs startup time).  The
# order is the one `--help` lists.
OUTPUT_FORMATS: Mapping[str, Mapping[str, str]] = {
    "check": {
        "full": "full:render",
        "concise": "concise:render",
        "json": "json:render",
        "json-lines": "json_lines:render",
        "sarif": "sarif:render",
        "github": "github:render",
        "junit": "junit:render",
        "gitlab": "gitlab:render",
    },
    # check --statistics: findings per rule
    "statistics": {"full": "statistics:text", "concise": "statistics:text", "json": "statistics:as_json"},
    "plan": {
        "text": "plans:text",
        "json": "plans:json",
        "mermaid": "plans:flowchart",
        "mermaid-gantt": "plans:gantt",
        "dot": "plans:dot",
        "html": "plans:html",
    },
    "rules": {"text": "catalog_text:rules_text", "json": "catalog_text:rules_json"},
    "rule": {"text": "catalog_text:rule_text", "json": "catalog_text:rule_json"},
    "review": {
        "text": "review_text:render",
        "json": "review_json:render",
        "markdown": "review_markdown:render",
        "html": "review_html:render",
    },
}


# check's formats that show fixes (the `= fix:` lines and the fixable count,
# SARIF's fixes): only for them are the fixes offered judged, a cost a report
# that never shows them does not pay.  `--statistics` shows them too.
FIX_SHOWING_FORMATS = frozenset({"full", "sarif"})

# check's formats whose report is each file's findings written on their own
# and joined in report order: format -> "module:function" writing one file's
# findings (sorted) as its part, in UTF-8 (half the memory of a str holding
# one character beyond Latin-1, and what the cache stores).  A worker writes its files' parts, and the
# cache keeps them, so that a run writing only these formats joins text
# rather than building, sending and encoding every Finding (issue 16).
PART_WRITERS: Mapping[str, str] = {"json": "json:file_part", "json-lines": "json_lines:file_part"}


def __getattr__(name: str) -> Any:
    # PlanView and RuleView live in .views, imported when `plan` or `rule` asks
    # for them: a check does not build them (issue 16: startup time).
    if name in ("PlanView", "RuleView"):
        return getattr(import_module(".views", __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def format_names(command: str) -> tuple[str, ...]:
    """The output formats of `command` (check, statistics, plan, rules, rule)."""
    return tuple(OUTPUT_FORMATS[command])


def renderer(command: str, name: str) -> Callable[[Any], str]:
    """The function writing `command`'s output in format `name`: it takes a
    Report (check, statistics), a PlanView (plan), a tuple of RuleDoc (rules)
    or a RuleView (rule)."""
    module, _, function = OUTPUT_FORMATS[command][name].partition(":")
    found: Callable[[Any], str] = getattr(import_module(f".{module}", __package__), function)
    return found


def render(command: str, name: str, shown: Any) -> str:
    """`shown` written in `command`'s output format `name`."""
    if isinstance(shown, Report) and shown.written is not None and name not in PART_WRITERS:
        # A report of written parts has no Finding objects to show another way.
        raise ValueError(f"a report of the formats {', '.join(PART_WRITERS)} cannot be written as {name}")
    return renderer(command, name)(shown)


def pieces_utf8(name: str, report: Report) -> list[ReportPart]:
    """check's report in format `name` (one of PART_WRITERS), in UTF-8 and in
    pieces: a report of written parts is written as they are, never made
    text nor joined."""
    module, _, _ = PART_WRITERS[name].partition(":")
    pieces: Callable[[Report], list[ReportPart]] = import_module(f".{module}", __package__).pieces_utf8
    return pieces(report)


def joined(pieces: Iterable[ReportPart]) -> bytes:
    """A report's pieces (pieces_utf8) as one text in UTF-8."""
    return b"".join(piece if isinstance(piece, bytes) else bytes(piece) for piece in pieces)


def part_writer(name: str) -> Callable[[Sequence[Finding]], bytes]:
    """The function writing one file's findings as its part of a report in
    format `name` (one of PART_WRITERS)."""
    module, _, function = PART_WRITERS[name].partition(":")
    found: Callable[[Sequence[Finding]], bytes] = getattr(import_module(f".{module}", __package__), function)
    return found


@dataclass(frozen=True)
class WrittenFindings:
    """One file's findings as formats of PART_WRITERS write them, and their
    number by severity: all that a report of those formats needs of them."""

    parts: Mapping[str, ReportPart]  # output format -> this file's part of its report, in UTF-8
    errors: int = 0
    warnings: int = 0
    infos: int = 0

    @property
    def highest_rank(self) -> int:
        """The rank of the most severe finding (Severity.rank); -1 when there is none."""
        if self.errors:
            return Severity.ERROR.rank
        if self.warnings:
            return Severity.WARNING.rank
        return Severity.INFO.rank if self.infos else -1


def written_findings(findings: Sequence[Finding], formats: Iterable[str]) -> WrittenFindings:
    """`findings` (one file's, sorted) written in each of `formats` (PART_WRITERS)."""
    summary = summarize(findings, 1)
    parts = {name: part_writer(name)(findings) for name in formats}
    return WrittenFindings(parts, summary.errors, summary.warnings, summary.infos)


class CannotRender(Exception):
    """This output format cannot show this input (say why, for the user)."""


@dataclass(frozen=True)
class Summary:
    files: int
    errors: int
    warnings: int
    infos: int


def summarize(findings: Iterable[Finding], files: int) -> Summary:
    count = {severity: 0 for severity in Severity}
    for item in findings:
        count[item.severity] += 1
    return Summary(files, count[Severity.ERROR], count[Severity.WARNING], count[Severity.INFO])


def report_summary(report: Report) -> Summary:
    """The report's files and findings counted by severity."""
    if report.written is None:
        return summarize(report.findings, len(report.files))
    errors = warnings = infos = 0
    for file in report.written:
        errors, warnings, infos = errors + file.errors, warnings + file.warnings, infos + file.infos
    return Summary(len(report.files), errors, warnings, infos)


def _no_text(path: str) -> str | None:
    return None


@dataclass(frozen=True)
class Report:
    """What `check` hands every output format."""

    findings: tuple[Finding, ...]  # sorted by Finding.sort_key
    files: tuple[str, ...]  # every file checked (shown paths, in run order), clean ones too
    unchecked: tuple[str, ...] = ()  # files an internal error kept from being checked
    # A file's text as it was checked, or None when it has none to show
    # (for source excerpts and fix replacements).
    source_text: Callable[[str], str | None] = field(default=_no_text)
    colour: bool = False
    summary: bool = True  # False with --quiet: the findings and nothing else
    # Instead of `findings` (then empty), for a report only of PART_WRITERS'
    # formats: each file's findings written, in report order.
    written: tuple[WrittenFindings, ...] | None = None
