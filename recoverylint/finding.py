"""What every rule reports: one frozen Finding per problem."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .model import Span
from .severity import Severity as Severity


@dataclass(frozen=True, slots=True)
class Related:
    """Another place a finding is about (the other step of a pair, the first duplicate)."""

    message: str
    span: Span


@dataclass(frozen=True, slots=True)
class RemoveNeed:
    """Delete one entry of a step's `needs` list: the `occurrence`-th (from 0)
    entry naming `need` (a list can name a step twice)."""

    step: str
    need: str
    occurrence: int = 0


@dataclass(frozen=True, slots=True)
class RemoveNeeds:
    """Delete the entries of a step's `needs` list that name these steps
    (each named there once): one fix for every needless wait of a step."""

    step: str
    needs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MakeFlowParallel:
    """Turn a checklist (top-level `steps`, `flow: sequential`) into
    `flow: parallel`, each step's `needs` set to the given step ids (empty: it
    can start at once).  Entries with a `reason` that are kept stay as written."""

    needs: tuple[tuple[str, tuple[str, ...]], ...]  # step id -> what it waits for, file order


Edit = RemoveNeed | RemoveNeeds | MakeFlowParallel


@dataclass(frozen=True, slots=True)
class Fix:
    """A change to the runbook that resolves a finding.  Safe fixes keep what
    the runbook means for the work (`--fix`); unsafe ones change when steps
    may run and need a person's review (`--unsafe-fixes`)."""

    description: str
    safe: bool
    edit: Edit


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule found, before the engine adds the catalog's words and the file."""

    span: Span
    message: str
    suggestion: str | None = None
    steps: tuple[str, ...] = ()  # step ids involved: how baselines recognise it
    related: tuple[Related, ...] = ()
    severity: Severity | None = None  # when the rule's own default does not fit this case
    fix: Fix | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    path: str
    span: Span
    suggestion: str | None = None
    steps: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    fix: Fix | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.span.line, self.span.column, self.code, self.message)


def _slot_setter(name: str) -> Callable[[Finding, Any], None]:
    setter: Callable[[Finding, Any], None] = getattr(Finding, name).__set__
    return setter


# The slots' own setters, in the order of Finding's fields.  A check makes
# tens of thousands of findings: `new_finding` fills the slots through these
# in half the time the frozen __init__ takes (object.__setattr__ once a field).
_SET_CODE, _SET_NAME, _SET_SEVERITY, _SET_MESSAGE, _SET_PATH = map(
    _slot_setter, ("code", "name", "severity", "message", "path")
)
_SET_SPAN, _SET_SUGGESTION, _SET_STEPS, _SET_RELATED, _SET_FIX = map(
    _slot_setter, ("span", "suggestion", "steps", "related", "fix")
)


def new_finding(
    code: str,
    name: str,
    severity: Severity,
    message: str,
    path: str,
    span: Span,
    suggestion: str | None,
    steps: tuple[str, ...],
    related: tuple[Related, ...],
    fix: Fix | None,
) -> Finding:
    """`Finding(code, name, ...)`, every field given, made faster."""
    finding = object.__new__(Finding)
    _SET_CODE(finding, code)
    _SET_NAME(finding, name)
    _SET_SEVERITY(finding, severity)
    _SET_MESSAGE(finding, message)
    _SET_PATH(finding, path)
    _SET_SPAN(finding, span)
    _SET_SUGGESTION(finding, suggestion)
    _SET_STEPS(finding, steps)
    _SET_RELATED(finding, related)
    _SET_FIX(finding, fix)
    return finding
