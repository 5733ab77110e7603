"""Reporters: findings in, text out.  One module per output format, and
OUTPUT_FORMATS, the one place naming every command's formats."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any

from ..finding import Finding, Severity

if TYPE_CHECKING:
    from ..catalog import RuleDoc
    from ..plan import Plan
    from ..simulate import Simulation

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
    return renderer(command, name)(shown)


@dataclass(frozen=True)
class PlanView:
    """What `plan` hands every output format."""

    plan: Plan
    findings: tuple[Finding, ...] = ()  # the HTML report lists them
    colour: bool = False
    simulation: Simulation | None = None  # plan --simulate


@dataclass(frozen=True)
class RuleView:
    """What `rule` hands its output formats."""

    doc: RuleDoc
    colour: bool = False


class CannotRender(Exception):
    """This output format cannot show this input (say why, for the user)."""


@dataclass(frozen=True)
class Summary:
    files: int
    errors: int
    warnings: int
    infos: int


def summarize(findings: list[Finding], files: int) -> Summary:
    count = {severity: 0 for severity in Severity}
    for item in findings:
        count[item.severity] += 1
    return Summary(files, count[Severity.ERROR], count[Severity.WARNING], count[Severity.INFO])


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
