"""Reporters: findings in, text out.  One module per output format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from ..finding import Finding, Severity


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


def _no_text(path: str) -> Optional[str]:
    return None


@dataclass(frozen=True)
class Report:
    """What `check` hands every output format."""

    findings: tuple[Finding, ...]  # sorted by Finding.sort_key
    files: tuple[str, ...]  # every file checked (shown paths, in run order), clean ones too
    unchecked: tuple[str, ...] = ()  # files an internal error kept from being checked
    # A file's text as it was checked, or None when it has none to show
    # (for source excerpts and fix replacements).
    source_text: Callable[[str], Optional[str]] = field(default=_no_text)
    colour: bool = False
    summary: bool = True  # False with --quiet: the findings and nothing else
