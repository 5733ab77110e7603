"""Reporters: findings in, text out.  One module per output format."""

from __future__ import annotations

from dataclasses import dataclass

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
