"""One file end to end: source → schema → model → graphs → rules → findings.

A broken file becomes findings for that file; a bug of ours while checking
one file becomes an internal error for that file.  Neither stops the run.
"""

from __future__ import annotations

import os
import re
import traceback
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Optional

from .adapters import AdapterError, InputFormat, detect, input_formats, is_native
from .catalog import rule_doc
from .durations import inverted_ranges, with_measured
from .files import NotRegularFile, read_head
from .finding import Finding, Fix, Issue, MakeFlowParallel
from .graphs import (
    Graphs,
    OrderProblem,
    build_graphs,
    check_resource_names,
    cycle_among_unique_ids,
    order_predecessors,
    topological_order,
)
from .limits import TooLarge
from .model import NATIVE, Runbook, Span
from .native import build_runbook
from .plan import Plan, build_plan
from .rules import RuleContext, registry
from .rules._words import counted
from .schema import validate
from .settings import ALWAYS_ON, Settings
from .source import Document, Limits, SourceError, check_size, decode, parse, read_text
from .suppress import CODE as UNUSED_SUPPRESSION
from .suppress import suppress

YAML_SUFFIXES = (".yaml", ".yml")
# Codes the engine itself raises: reading the file before any rule unit runs,
# and unused suppressions after they have all run.
ENGINE_CODES = ("RL001", "RL002", "RL003", UNUSED_SUPPRESSION)
# Directory discovery looks for these before parsing, so that the many YAML
# files of a repository that are not runbooks cost almost nothing.  Anywhere
# on a line, so that a JSON or flow-style runbook (`{"runbook": ...`), an
# anchored or tagged key is found: a nested `runbook:` key only costs a parse.
# The second also finds the keys of the other formats' documents.
_RUNBOOK_KEY = re.compile(r"""["']?\brunbook["']?[ \t]*:""")
_ANY_FORMAT_KEY = re.compile(r"""["']?\b(?:runbook|mainSteps|kind|jobs|tasks|chain)["']?[ \t]*:""")


def _may_be_runbook(text: str, settings: Settings) -> bool:
    key = _RUNBOOK_KEY if settings.input_format == NATIVE else _ANY_FORMAT_KEY
    return bool(key.search(text))


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    runbook: Optional[Runbook] = None
    text: Optional[str] = None  # the source, for reports that show lines
    internal_error: Optional[str] = None
    skipped: bool = False  # found by discovery and not a runbook
    format: Optional[str] = None  # the input format it was read as
    suppressed: int = 0  # findings silenced by `# recoverylint: disable` comments
    # The rules' graphs, kept only when asked (plan reuses them; check lets
    # each file's go as soon as it is checked).
    graphs: Optional[Graphs] = None


def finding(code: str, path: str, issue: Issue, settings: Settings = Settings()) -> Finding:
    doc = rule_doc(code)
    return Finding(
        code=code,
        name=doc.name,
        severity=settings.severity_of(code, issue.severity or doc.severity),
        message=issue.message,
        path=path,
        span=issue.span,
        suggestion=issue.suggestion,
        steps=issue.steps,
        related=issue.related,
        fix=issue.fix,
    )


def check_file(
    path: Path,
    display_path: str,
    explicit: bool = True,
    limits: Limits = Limits(),
    settings: Settings = Settings(),
    keep_graphs: bool = False,
    data: Optional[bytes] = None,
) -> FileResult:
    """Check one file; `explicit` when named on the command line rather than
    discovered; `data` is its bytes when the caller has read them."""
    result = FileResult(display_path)
    try:
        _check(path, result, explicit, limits, settings, keep_graphs, data)
    except Exception:  # a bug of ours: report it for this file and go on
        result.findings.clear()
        result.internal_error = traceback.format_exc(limit=-8)
    result.findings.sort(key=lambda f: f.sort_key)
    return result


def check_text(
    text: str,
    display_path: str = "<string>",
    settings: Settings = Settings(),
    keep_graphs: bool = False,
) -> FileResult:
    """Check a runbook given as text (for tests, editors and the rule catalog)."""
    result = FileResult(display_path)
    _check_document(text, result, True, Limits(), settings, keep_graphs)
    result.findings.sort(key=lambda f: f.sort_key)
    return result


def plan_file(
    path: Path, display_path: str, limits: Limits = Limits(), settings: Settings = Settings()
) -> tuple[FileResult, Optional[Plan]]:
    """Check one runbook, and plan it when it can be planned: it was read, its
    step ids are unique and its declared order has no cycle.  Otherwise the
    plan is None and the result's error findings say why."""
    return _planned(check_file(path, display_path, True, limits, settings, keep_graphs=True), settings)


def plan_text(
    text: str, display_path: str = "<string>", settings: Settings = Settings()
) -> tuple[FileResult, Optional[Plan]]:
    """`plan_file` of a runbook given as text."""
    return _planned(check_text(text, display_path, settings, keep_graphs=True), settings)


def _planned(result: FileResult, settings: Settings) -> tuple[FileResult, Optional[Plan]]:
    runbook, graphs = result.runbook, result.graphs
    result.graphs = None  # the plan holds what it needs
    if runbook is None or graphs is None or result.internal_error:
        return result, None
    try:
        return result, build_plan(graphs)
    except TooLarge as error:
        result.findings.append(
            finding("RL001", result.path, Issue(runbook.span, f"too large to plan: {error}"), settings)
        )
    except Exception:  # a bug of ours: reported as for check, never a bare traceback
        result.internal_error = traceback.format_exc(limit=-8)
    return result, None


def _check(
    path: Path,
    result: FileResult,
    explicit: bool,
    limits: Limits,
    settings: Settings,
    keep_graphs: bool = False,
    data: Optional[bytes] = None,
) -> None:
    try:
        if data is None:
            text = read_text(path, limits)
        else:
            check_size(len(data), limits)
            text = decode(data)
    except SourceError as error:
        if not explicit and not _mentions_runbook(path, settings, data):
            result.skipped = True  # a binary or huge YAML file that is no runbook
            return
        result.findings.append(
            finding("RL001", result.path, Issue(error.span, error.message), settings)
        )
        return
    if not explicit and not _may_be_runbook(text, settings):
        result.skipped = True
        return
    _check_document(text, result, explicit, limits, settings, keep_graphs)


def _check_document(
    text: str,
    result: FileResult,
    explicit: bool,
    limits: Limits,
    settings: Settings,
    keep_graphs: bool = False,
) -> None:
    if not _read_and_check(text, result, explicit, limits, settings, keep_graphs):
        return  # not read (RL001) or skipped: no comment applies
    runbook = result.runbook

    def codes_checked() -> frozenset[str]:
        # Comments silence rules only (not RL001-RL003), and the rules ran
        # only once the runbook was built.
        return frozenset() if runbook is None else rules_run(runbook, settings)

    known = frozenset(registry()) | frozenset(ENGINE_CODES)
    result.findings, result.suppressed, unused = suppress(
        text, result.findings, runbook, known, codes_checked
    )
    if settings.enabled(UNUSED_SUPPRESSION):
        result.findings.extend(
            finding(UNUSED_SUPPRESSION, result.path, issue, settings) for issue in unused
        )


def _read_and_check(
    text: str,
    result: FileResult,
    explicit: bool,
    limits: Limits,
    settings: Settings,
    keep_graphs: bool = False,
) -> bool:
    """Check a document into `result`; False when it was not read as YAML
    (RL001) or was skipped, so that no comment of it applies."""
    path = result.path
    try:
        document = parse(text, limits)
    except SourceError as error:
        result.findings.append(finding("RL001", path, Issue(error.span, error.message), settings))
        return False
    result.text = text
    forced = settings.input_format
    if forced is None and not is_native(document.data):
        adapter = detect(document)
        if adapter is None:
            return _not_a_runbook(document, result, explicit, settings)
        return _check_adapted(adapter, document, result, settings, keep_graphs)
    if forced not in (None, NATIVE):
        adapter = input_formats()[forced]
        if not adapter.detect(document):
            return _not_a_runbook(document, result, explicit, settings, adapter)
        return _check_adapted(adapter, document, result, settings, keep_graphs)
    if not is_native(document.data):
        return _not_a_runbook(document, result, explicit, settings)
    if document.rest:
        result.findings.append(
            finding(
                "RL001",
                path,
                Issue(document.rest[0].start_span, "a second YAML document: a runbook file holds one document"),
                settings,
            )
        )
        return False
    problems = validate(document)
    if problems:
        result.findings.extend(
            finding("RL002", path, Issue(p.span, p.message), settings) for p in problems
        )
        return True
    inverted = inverted_ranges(document)
    if inverted:
        result.findings.extend(finding("RL002", path, Issue(span, message), settings) for span, message in inverted)
        return True
    result.format = NATIVE
    runbook_span = document.value_span(document.data, "runbook")
    try:
        runbook = build_runbook(document, path, default_duration=settings.default_duration)
    except TooLarge as error:
        return _too_large(result, runbook_span, error, settings)
    # The model holds all the rules need: free the parsed data before the
    # graphs are built (it is the largest thing in memory on big runbooks).
    del document
    return _check_runbook(runbook, (), result, settings, keep_graphs)


def _not_a_runbook(
    document: Document,
    result: FileResult,
    explicit: bool,
    settings: Settings,
    forced: Optional[InputFormat] = None,
) -> bool:
    """RL003 for a file named on the command line; a found one is skipped."""
    if not explicit:
        result.skipped = True
        return False
    if forced is not None:
        message = f"this file is not a {forced.title} document (`--input-format {forced.name}`)"
    else:
        message = (
            "this file has no top-level `runbook` key, so it is not a recoverylint runbook,"
            " nor a workflow of a format recoverylint reads"
        )
    span = Span(1, 1, 1, 1) if document.data is None else document.root_span
    issue = Issue(span, message, suggestion="add `runbook: <slug>` at the top, or do not pass this file")
    result.findings.append(finding("RL003", result.path, issue, settings))
    return True


def _check_adapted(
    adapter: InputFormat,
    document: Document,
    result: FileResult,
    settings: Settings,
    keep_graphs: bool,
) -> bool:
    result.format = adapter.name
    try:
        adapted = adapter.build(document, result.path, settings.default_duration)
    except AdapterError as error:
        result.findings.append(finding("RL002", result.path, error.issue, settings))
        return True
    except TooLarge as error:
        return _too_large(result, document.root_span, error, settings)
    del document
    return _check_runbook(adapted.runbook, adapted.problems, result, settings, keep_graphs)


def _check_runbook(
    runbook: Runbook,
    problems: tuple[tuple[str, Issue], ...],
    result: FileResult,
    settings: Settings,
    keep_graphs: bool,
) -> bool:
    """The rules on a runbook's model, and its adapter's problems; a
    durations file's minutes replace the runbook's own and every default."""
    runbook = with_measured(runbook, settings.durations)
    result.runbook = runbook
    skipped = _skipped_by_format(runbook)
    result.findings.extend(
        finding(code, result.path, issue, settings)
        for code, issue in problems
        if settings.enabled(code) and code not in skipped
    )
    try:
        built = _graphs_of(runbook)
        result.findings.extend(run_rules(runbook, settings=settings, built=built))
    except TooLarge as error:
        return _too_large(result, runbook.span, error, settings)
    if keep_graphs:
        result.graphs = built[0]
    return True


def _too_large(result: FileResult, span: Span, error: TooLarge, settings: Settings) -> bool:
    """RL001 where the runbook says what is over the limit, or at `span`."""
    where = error.span or span
    result.findings.append(finding("RL001", result.path, Issue(where, f"too large to analyse: {error}"), settings))
    return False


def _skipped_by_format(runbook: Runbook) -> frozenset[str]:
    """The rules the runbook's input format cannot give a subject to."""
    return _skipped_rules(runbook.format)


@lru_cache(maxsize=None)
def _skipped_rules(format_name: str) -> frozenset[str]:
    # Asked three times for each file checked; the answer depends on the format alone.
    if format_name == NATIVE:
        return frozenset()
    adapter = input_formats()[format_name]
    return frozenset(code for code in registry() if adapter.skips(code))


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
    from .fix import FixError, apply_edits

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


# How much of a file that cannot be read as YAML is searched for a runbook's keys.
_HEAD_SIZE = 1 << 20


def _mentions_runbook(path: Path, settings: Settings, data: Optional[bytes] = None) -> bool:
    """Whether an unreadable file's first megabyte (of `data` when it was
    read already) has a key of a runbook (a FIFO or a device is never read:
    reading it could block the run)."""
    try:
        head = read_head(path, _HEAD_SIZE) if data is None else data[:_HEAD_SIZE]
    except NotRegularFile:
        return False
    except OSError:
        return True  # unreadable: say so rather than skip it silently
    return _may_be_runbook(head.decode("latin-1"), settings)


def run_rules(
    runbook: Runbook,
    codes: Optional[Iterable[str]] = None,
    settings: Settings = Settings(),
    built: Optional[tuple[Optional[Graphs], Optional[OrderProblem]]] = None,
) -> list[Finding]:
    """The rules `settings` enables (and among them those of `codes`) on one
    runbook model; `built` is `_graphs_of(runbook)` when the caller has it."""
    graphs, cycle = _graphs_of(runbook) if built is None else built
    context = RuleContext(runbook, graphs, cycle, settings)
    rules = registry()
    # Fixes rewrite native runbooks; another format's file is fixed by hand.
    fixable = runbook.format == NATIVE
    findings = []
    for code in sorted(_applicable(settings, graphs is not None, codes, runbook)):
        findings.extend(
            finding(code, runbook.path, issue if fixable else replace(issue, fix=None), settings)
            for issue in rules[code].check(context)
        )
    return findings


def _graphs_of(runbook: Runbook) -> tuple[Optional[Graphs], Optional[OrderProblem]]:
    """O and D, or O's cycle; only a cycle among the steps of unique ids
    when ids repeat (a deadlock is one whatever typo is elsewhere).  Raises TooLarge
    past the limits (resource names are checked either way: rules that need
    no graphs ask about them too)."""
    check_resource_names(runbook)
    if _unique_ids(runbook):
        return build_graphs(runbook)
    return None, cycle_among_unique_ids(runbook)


def rules_run(runbook: Runbook, settings: Settings = Settings()) -> frozenset[str]:
    """The codes `run_rules` checks on this runbook, found without building
    the graphs (only whether the declared order can be built matters)."""
    ordered = _unique_ids(runbook) and (
        topological_order(order_predecessors(runbook)) is not None
    )
    return _applicable(settings, ordered, runbook=runbook)


def _unique_ids(runbook: Runbook) -> bool:
    ids = [step.id for step in runbook.steps]
    return len(set(ids)) == len(ids)


def _applicable(
    settings: Settings,
    have_graphs: bool,
    codes: Optional[Iterable[str]] = None,
    runbook: Optional[Runbook] = None,
) -> frozenset[str]:
    """The registered rules (of `codes`) that `settings` enables and that can
    run: those needing the graphs only when there are graphs, and those the
    runbook's input format can give a subject to."""
    rules = registry()
    wanted = rules.keys() if codes is None else set(codes) & rules.keys()
    skipped = frozenset() if runbook is None else _skipped_by_format(runbook)
    return frozenset(
        code
        for code in wanted
        if settings.enabled(code)
        and (have_graphs or not rules[code].needs_graphs)
        and code not in skipped
    )


def discover(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """Files to check: those named (explicit), and YAML files under named
    directories (hidden directories but `.github` skipped), in a stable order.
    Each real file comes once, under the first name that reaches it, whatever
    other names do (named twice, also found in a named directory, or reached
    through a link): it is explicit when any of them is named; a fix must
    not write one file twice under two names."""
    found: dict[object, tuple[Path, bool]] = {}
    for path in paths:
        if path.is_dir():
            walked = []
            for root, dirs, files in os.walk(path):
                # Hidden folders are skipped, but for `.github`, where workflows live.
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") or d == ".github")
                walked.extend(Path(root) / name for name in files if name.lower().endswith(YAML_SUFFIXES))
            for file in sorted(walked):
                identity = _identity_of(file)
                if identity is not None:  # a dangling or looping link found in a folder is no runbook
                    found.setdefault(identity, (file, False))
        else:
            # A named file that cannot be reached is reported under its name.
            identity = _identity_of(path) or os.path.abspath(path)
            found[identity] = (found.get(identity, (path, True))[0], True)
    yield from found.values()


def _identity_of(path: Path) -> Optional[tuple[int, int]]:
    """The device and inode of the file a path reaches (links followed), or
    None when it reaches none."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    return status.st_dev, status.st_ino
