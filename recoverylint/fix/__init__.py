"""Fixing a runbook: which of its findings' fixes to apply, judged by
checking the result, and the edits to its text (in `edits`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..catalog import always_on_codes, fix_first_codes
from ..engine import FileResult, _check_document, finding, known_codes, rules_run, run_rules
from ..finding import Edit, Finding, Fix, MakeFlowParallel
from ..model import Need, Runbook
from ..settings import Settings
from ..source import Limits
from ..suppress import CODE as UNUSED_SUPPRESSION
from ..suppress import suppress
from ..words import counted
from .model import Removal, cut_needs, removed_needs, restructured, same_needs

if TYPE_CHECKING:
    from .edits import FLOW_COMMENT, FixError, Replacement, apply_edits, replacements

__all__ = [
    "FLOW_COMMENT",
    "FixError",
    "FixOutcome",
    "Replacement",
    "apply_edits",
    "applying_fixes",
    "fix_text",
    "replacements",
]

# The text editor (ruamel's round trip, difflib) is imported when first
# asked for: a check judges the fixes it counts on the model and needs none of it.
_FROM_EDITS = frozenset({"FLOW_COMMENT", "FixError", "Replacement", "apply_edits", "replacements"})


def __getattr__(name: str) -> Any:
    if name in _FROM_EDITS:
        from . import edits

        return getattr(edits, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class FixOutcome:
    """What fixing one file did: its new text (None when nothing changed),
    the fixes applied, those refused and why, and the check of the final text."""

    text: str | None
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
    result: FileResult | None = None,
    text_needed: bool = True,
) -> FixOutcome:
    """Apply the fixes of a runbook's findings (safe ones, and unsafe ones
    when `unsafe`), judging each: a fix is kept only when the file stays
    readable and no finding appears that was not there before.  Fixes are
    applied until none is left that can be: a second run changes nothing.
    `result` is the check of `text` when the caller has it.

    Removing `needs` entries is judged on the runbook's model and the text
    is edited once at the end; the text is read again then, and must hold
    what the model judged, else every fix is judged again on the text.
    Without `text_needed` (only which fixes apply is asked), removals judged
    on the model are not written into a text at the end."""
    if result is None:
        result = _checked(text, display_path, limits, settings)
    if any(f.code in always_on_codes() for f in result.findings):
        return FixOutcome(None, (), (), result)
    try:
        return _Fixer(text, display_path, settings, limits, unsafe, result, on_model=True).run(text_needed)
    except _TextNeeded:
        return _Fixer(text, display_path, settings, limits, unsafe, result, on_model=False).run(text_needed)


def applying_fixes(
    text: str,
    display_path: str,
    settings: Settings,
    limits: Limits,
    result: FileResult,
) -> FileResult:
    """`result` (the check of `text`) with a fix only on the findings whose
    fix `--fix` would apply (a safe fix) or `--fix --unsafe-fixes` would (an
    unsafe one): a fix it would refuse is not counted as one it applies.
    Judged only for the kinds of fix the findings offer."""
    applied: set[Fix] = set()
    for unsafe in (False, True):
        if any(item.fix is not None and item.fix.safe is not unsafe for item in result.findings):
            outcome = fix_text(text, display_path, settings, limits, unsafe, result, text_needed=False)
            applied.update(fix for fix in outcome.applied if fix.safe is not unsafe)
    if all(item.fix is None or item.fix in applied for item in result.findings):
        return result
    return replace(
        result,
        findings=[
            item if item.fix is None or item.fix in applied else replace(item, fix=None) for item in result.findings
        ],
    )


# How many judgements of groups of fixes one round makes at least, and how
# many steps it judges in all (a judgement rebuilds the graphs of every
# step): past both a group that fails is refused whole, not halved again.
# A runbook of a hundred steps or fewer has each fix judged alone, as before.
_JUDGEMENTS = 16
_JUDGED_STEPS = 16_000

# How many of the findings a refused fix would add its reason quotes.
_QUOTED = 3


class _TextNeeded(Exception):
    """The text does not hold what the model judged: judge on the text."""


def _checked(text: str, display_path: str, limits: Limits, settings: Settings) -> FileResult:
    outcome = FileResult(display_path)
    _check_document(text, outcome, True, limits, settings)
    return outcome


class _Fixer:
    """The fixes of one file applied to a fixed point.  `text` and
    `current` (its check) move on when a fix is judged on the text; `model`
    moves ahead of them by the removals judged on it (`pending`), which are
    written into the text only when the text is needed."""

    def __init__(
        self,
        text: str,
        display_path: str,
        settings: Settings,
        limits: Limits,
        unsafe: bool,
        result: FileResult,
        on_model: bool,
    ) -> None:
        self.original = self.text = text
        self.display_path, self.settings, self.limits, self.unsafe = display_path, settings, limits, unsafe
        # Whether a fix adds findings is judged with every rule on, whatever the
        # run selects: a fix must not break what an unselected rule checks.
        self.every_rule = replace(settings, select=("RL",), ignore=())
        # Most runs select every rule already: then one check serves both ends.
        self.judging_apart = self.every_rule != settings
        self.current = result
        judged = self.checked(text, self.every_rule) if self.judging_apart else result
        self.before = Counter(_identity(f) for f in judged.findings)
        self.on_model = on_model and result.runbook is not None
        self.model = self.read = result.runbook  # `read`: the model of `text`, whose spans it holds
        self.offered: list[Finding] = result.findings
        self.pending_edits: list[Edit] = []
        self.pending_needs: list[Need] = []
        self.text_needed = True  # False when only which fixes apply is asked (a plain check's count)
        self.applied: list[Fix] = []
        # The codes of the findings that refused a group of fixes, to judge its fixes one by one.
        self.suspects: frozenset[str] = frozenset()

    def run(self, text_needed: bool = True) -> FixOutcome:
        self.text_needed = text_needed
        # Refused on the current text: tried again once another fix changed it.
        refused: dict[Fix, str] = {}
        for _ in range(_FIX_ROUNDS):
            offered = _fixes_by_rule(self.offered, self.unsafe, refused)
            if not offered:
                break
            # One rule's fixes at a time, then the findings again: removing a
            # false gate first can make a `needs` entry that looked redundant
            # through it the one that matters.
            self.suspects = frozenset()
            if self.judge(offered[0], refused):
                refused.clear()  # the text changed: what was refused on the old one may fit now
        if text_needed:
            self.write_pending()
        # A fix refused is no longer offered: the report must not count it as one --fix applies.
        result = self.current
        if refused:
            result = replace(
                result,
                findings=[
                    replace(item, fix=None) if item.fix is not None and item.fix in refused else item
                    for item in result.findings
                ],
            )
        return FixOutcome(
            self.text if self.text != self.original else None,
            tuple(self.applied),
            tuple(refused.items()),
            result,
        )

    def judge(self, fixes: list[Fix], refused: dict[Fix, str]) -> bool:
        """Keep `fixes` together when they add no finding; else judge each
        alone (so one bad fix keeps no good one out) when the round can
        afford it, or else halve the groups that fail, level by level, and
        refuse whole those that still fail when the round can afford no
        more judgements: each rebuilds the graphs, and a thousand fixes
        refused one by one rebuilt them a thousand times.  Whether any
        fix was kept."""
        steps = len(self.model.steps) if self.model is not None else 0
        budget = max(_JUDGEMENTS, _JUDGED_STEPS // max(steps, 1))
        why = self.attempt(fixes)
        if why is None:
            return True
        if len(fixes) == 1:
            refused[fixes[0]] = why
            return False
        kept = False
        failing = [(fixes, why)]
        used = 1
        while failing:
            if used + sum(len(group) for group, _ in failing) <= budget:
                for group, _ in failing:
                    for fix in group:
                        why = self.attempt([fix])
                        if why is None:
                            kept = True
                        else:
                            refused[fix] = why
                return kept
            if used + 2 * len(failing) > budget:
                for group, why in failing:  # each of two fixes or more
                    together = f"judged together with {counted(len(group) - 1, 'other fix')}"
                    for fix in group:
                        refused[fix] = f"{together} (too many to judge each alone), {why}"
                return kept
            halves = [half for group, _ in failing for half in (group[: len(group) // 2], group[len(group) // 2:])]
            failing = []
            for half in halves:
                used += 1
                why = self.attempt(half)
                if why is None:
                    kept = True
                elif len(half) == 1:
                    refused[half[0]] = why
                else:
                    failing.append((half, why))
        return kept

    def checked(self, text: str, settings: Settings) -> FileResult:
        return _checked(text, self.display_path, self.limits, settings)

    def attempt(self, fixes: list[Fix]) -> str | None:
        """Apply `fixes` together; None when kept, else why not."""
        edits = [fix.edit for fix in fixes]
        if self.on_model and self.model is not None:
            removal = removed_needs(self.model, edits)
            if removal is not None:
                return self.attempt_on_model(fixes, removal)
            if not self.text_needed and len(edits) == 1 and isinstance(edits[0], MakeFlowParallel):
                # Only counted: the restructure judged on its model, not on a rewritten text.
                model = restructured(self.model, edits[0])
                if model is not None:
                    return self.attempt_restructure_on_model(fixes, model)
        self.write_pending()
        return self.attempt_on_text(fixes)

    def attempt_on_model(self, fixes: list[Fix], removal: Removal) -> str | None:
        try:
            if self.suspects:
                # The rules that refused the fixes together first: one of them
                # refusing this one settles it, for a fraction of all the rules.
                why = self.added(self.rules_on(removal.runbook, self.every_rule, self.suspects), self.suspects)
                if why is not None:
                    return why
            judged = self.rules_on(removal.runbook, self.every_rule)
        except Exception:  # too large, or a bug of ours: the text decides
            self.write_pending()
            return self.attempt_on_text(fixes)
        why = self.added(judged)
        if why is not None:
            if len(fixes) > 1:
                self.suspects = frozenset(code for code, _ in Counter(map(_identity, judged)) - self.before)
            return why
        self.model = removal.runbook
        self.pending_edits += [fix.edit for fix in fixes]
        self.pending_needs += removal.removed
        self.offered = self.rules_on(removal.runbook, self.settings) if self.judging_apart else judged
        self.applied.extend(fixes)
        return None

    def attempt_restructure_on_model(self, fixes: list[Fix], model: Runbook) -> str | None:
        try:
            judged = self.rules_on(model, self.every_rule)
        except Exception:  # too large, or a bug of ours: the text decides
            self.write_pending()
            return self.attempt_on_text(fixes)
        why = self.added(judged)
        if why is None:
            self.model = model
            self.offered = self.rules_on(model, self.settings) if self.judging_apart else judged
            self.applied.extend(fixes)
        return why

    def rules_on(
        self, runbook: Runbook, settings: Settings, codes: frozenset[str] | None = None
    ) -> list[Finding]:
        """The findings of the rules (of `codes`) on a model of `self.text`
        less some `needs` entries, once the text's suppression comments
        apply (the entries removed carry none that the others do not)."""
        findings = run_rules(runbook, codes, settings=settings)
        findings, _, unused = suppress(
            self.text, findings, runbook, known_codes(), lambda: rules_run(runbook, settings)
        )
        if settings.enabled(UNUSED_SUPPRESSION):
            findings.extend(finding(UNUSED_SUPPRESSION, self.display_path, issue, settings) for issue in unused)
        return findings

    def added(self, judged: list[Finding], codes: frozenset[str] | None = None) -> str | None:
        """Why findings judged after a fix refuse it: the first that makes
        the file unreadable, or those that were not there before (naming
        what the first says, up to its explanation); only those of `codes`
        when the rules of `codes` alone were judged."""
        unreadable = [f for f in judged if f.code in always_on_codes()]
        if unreadable:
            return f"it would make the file unreadable ({unreadable[0].code} {unreadable[0].message})"
        before = self.before if codes is None else Counter(
            {identity: count for identity, count in self.before.items() if identity[0] in codes}
        )
        added = Counter(_identity(f) for f in judged) - before
        if not added:
            return None
        added_codes = sorted({code for code, _ in added})
        said = dict.fromkeys(
            f.message.split(": ")[0] for f in sorted(judged, key=lambda f: f.sort_key) if _identity(f) in added
        )
        shown = "; ".join(list(said)[:_QUOTED]) + ("; …" if len(said) > _QUOTED else "")
        return f"it would add {counted(sum(added.values()), 'finding')} ({', '.join(added_codes)}): {shown}"

    def attempt_on_text(self, fixes: list[Fix]) -> str | None:
        from .edits import FixError, apply_edits

        try:
            fixed = apply_edits(self.text, [fix.edit for fix in fixes])
        except FixError as error:
            return str(error)
        try:
            judged = self.checked(fixed, self.every_rule)
        except Exception:  # a bug of ours on the fixed text: do not write it
            return "the fixed file could not be checked (an internal error)"
        why = self.added(judged.findings)
        if why is not None:
            return why
        self.moved_to(fixed, judged)
        self.applied.extend(fixes)
        return None

    def moved_to(self, text: str, judged: FileResult) -> None:
        self.text = text
        self.current = self.checked(text, self.settings) if self.judging_apart else judged
        self.model = self.read = self.current.runbook
        self.offered = self.current.findings

    def write_pending(self) -> None:
        """The removals judged on the model, written into the text at once;
        the text read again must hold the model judged and add no finding."""
        if not self.pending_edits or self.read is None or self.model is None:
            return
        removal = Removal(self.model, tuple(self.pending_needs))
        fixed = cut_needs(self.text, removal, self.read.steps)
        if fixed is None:
            from .edits import FixError, apply_edits

            try:
                fixed = apply_edits(self.text, self.pending_edits)
            except FixError:
                raise _TextNeeded from None
        judged = self.checked(fixed, self.every_rule)
        if (
            judged.runbook is None
            or not same_needs(judged.runbook, self.model)
            or self.added(judged.findings) is not None
        ):
            raise _TextNeeded
        self.pending_edits, self.pending_needs = [], []
        self.moved_to(fixed, judged)


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
    first = fix_first_codes()
    for item in findings:
        fix = item.fix
        if fix is not None and (fix.safe or unsafe) and fix not in refused:
            restructure = isinstance(fix.edit, MakeFlowParallel)
            group = (not restructure, not fix.safe, item.code not in first, item.code)
            groups.setdefault(group, {})[fix] = None
    return [list(groups[group]) for group in sorted(groups)]


def _identity(item: Finding) -> tuple[str, tuple[str, ...]]:
    """A finding as fixing compares them: its rule and steps, not its words
    (a fix elsewhere changes the minutes a message quotes)."""
    if item.code in _ONE_PER_STEP:
        return item.code, item.steps[-1:]
    return item.code, item.steps


