"""Fixing a runbook: which of its findings' fixes to apply, judged by
checking the result, and the edits to its text (in `edits`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Optional

from ..engine import FileResult, _check_document
from ..finding import Finding, Fix, MakeFlowParallel
from ..rules._words import counted
from ..settings import ALWAYS_ON, Settings
from ..source import Limits
from .edits import FLOW_COMMENT, FixError, Replacement, apply_edits, replacements

__all__ = [
    "FLOW_COMMENT",
    "FixError",
    "FixOutcome",
    "Replacement",
    "apply_edits",
    "fix_text",
    "replacements",
]


@dataclass(frozen=True)
class FixOutcome:
    """What fixing one file did: its new text (None when nothing changed),
    the fixes applied, those refused and why, and the check of the final text."""

    text: Optional[str]
    applied: tuple[Fix, ...]
    refused: tuple[tuple[Fix, str], ...]
    result: FileResult


# Fixes can make others possible (or reveal new ones), so they are applied
# to a fixed point: a second run must change nothing.  Each round that keeps
# a fix removes a `needs` entry or restructures the checklist (once), so the
# rounds end; this bounds the work on a hostile file whose fixes each make
# room for one more.
_FIX_ROUNDS = 100


def fix_text(
    text: str,
    display_path: str,
    settings: Settings = Settings(),
    limits: Limits = Limits(),
    unsafe: bool = False,
    result: Optional[FileResult] = None,
) -> FixOutcome:
    """Apply the fixes of a runbook's findings (safe ones, and unsafe ones
    when `unsafe`), re-checking after each: a fix is kept only when the file
    stays readable and no finding appears that was not there before.  Fixes
    are applied until none is left that can be: a second run changes nothing.
    `result` is the check of `text` when the caller has it."""

    if result is None:
        result = FileResult(display_path)
        _check_document(text, result, True, limits, settings)
    if any(f.code in ALWAYS_ON for f in result.findings):
        return FixOutcome(None, (), (), result)
    # Whether a fix adds findings is judged with every rule on, whatever the
    # run selects: a fix must not break what an unselected rule checks.
    every_rule = replace(settings, select=("RL",), ignore=())

    def checked(source: str, judged: Settings) -> FileResult:
        outcome = FileResult(display_path)
        _check_document(source, outcome, True, limits, judged)
        return outcome

    # Most runs select every rule already: then one check serves both ends.
    judging_apart = every_rule != settings
    current_text, current = text, result
    judged_before = checked(text, every_rule) if judging_apart else result
    before = Counter(_identity(f) for f in judged_before.findings)
    applied: list[Fix] = []
    # Refused on the current text: tried again once another fix changed it.
    refused: dict[Fix, str] = {}

    def attempt(fixes: list[Fix]) -> Optional[str]:
        """Apply `fixes` together; None when kept, else why not."""
        nonlocal current_text, current
        try:
            fixed = apply_edits(current_text, [fix.edit for fix in fixes])
        except FixError as error:
            return str(error)
        try:
            judged = checked(fixed, every_rule)
        except Exception:  # a bug of ours on the fixed text: do not write it
            return "the fixed file could not be checked (an internal error)"
        unreadable = [f for f in judged.findings if f.code in ALWAYS_ON]
        if unreadable:
            return f"it would make the file unreadable ({unreadable[0].code} {unreadable[0].message})"
        added = Counter(_identity(f) for f in judged.findings) - before
        if added:
            codes = sorted({code for code, _ in added})
            return f"it would add {counted(sum(added.values()), 'finding')} ({', '.join(codes)})"
        current_text, current = fixed, checked(fixed, settings) if judging_apart else judged
        applied.extend(fixes)
        return None

    for _ in range(_FIX_ROUNDS):
        offered = _fixes_by_rule(current.findings, unsafe, refused)
        if not offered:
            break
        # One rule's fixes at a time, then the findings again: removing a
        # false gate first can make a `needs` entry that looked redundant
        # through it the one that matters.
        first = offered[0]
        kept = len(first) > 1 and attempt(first) is None
        if not kept:
            # Together they fail: each on its own, so one bad fix keeps no good one out.
            for fix in first:
                why = attempt([fix])
                if why is None:
                    kept = True
                else:
                    refused[fix] = why
        if kept:
            refused.clear()  # the text changed: what was refused on the old one may fit now
    return FixOutcome(
        current_text if current_text != text else None,
        tuple(applied),
        tuple(refused.items()),
        current,
    )


# Rules whose fixes go first; then the others by code.
_FIX_PRIORITY = ("RL201",)

# Rules that report a step once, naming the (first ten) steps involved: the
# step is the finding, whichever others a fix leaves it.
_ONE_PER_STEP = ("RL201",)


def _fixes_by_rule(findings: list[Finding], unsafe: bool, refused: dict[Fix, str]) -> list[list[Fix]]:
    """The fixes on offer (each once), grouped by rule, in the order to try
    them: restructuring a checklist first (it sets every step's `needs`,
    keeping the entries that stay where they are, with their comments: a
    safe fix first would delete entries it then writes anew), then safe ones,
    as they change less."""
    groups: dict[tuple[bool, bool, bool, str], dict[Fix, None]] = {}
    for item in findings:
        fix = item.fix
        if fix is not None and (fix.safe or unsafe) and fix not in refused:
            restructure = isinstance(fix.edit, MakeFlowParallel)
            group = (not restructure, not fix.safe, item.code not in _FIX_PRIORITY, item.code)
            groups.setdefault(group, {})[fix] = None
    return [list(groups[group]) for group in sorted(groups)]


def _identity(item: Finding) -> tuple[str, tuple[str, ...]]:
    """A finding as fixing compares them: its rule and steps, not its words
    (a fix elsewhere changes the minutes a message quotes)."""
    if item.code in _ONE_PER_STEP:
        return item.code, item.steps[-1:]
    return item.code, item.steps


