"""What every rule reports: one frozen Finding per problem."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Optional

from .model import Span


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Related:
    """Another place a finding is about (the other step of a pair, the first duplicate)."""

    message: str
    span: Span


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule found, before the engine adds the catalog's words and the file."""

    span: Span
    message: str
    suggestion: Optional[str] = None
    steps: tuple[str, ...] = ()  # step ids involved: how baselines recognise it
    related: tuple[Related, ...] = ()
    severity: Optional[Severity] = None  # when the rule's own default does not fit this case


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    path: str
    span: Span
    suggestion: Optional[str] = None
    steps: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.span.line, self.span.column, self.code, self.message)
