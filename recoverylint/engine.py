"""One file end to end: source → schema → model → graphs → rules → findings.

A broken file becomes findings for that file; a bug of ours while checking
one file becomes an internal error for that file.  Neither stops the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .adapters import (
    NOT_A_RUNBOOK,
    AdapterError,
    InputFormat,
    detect,
    discovery_keys,
)
from .adapters import input_format as input_format_named
from .adapters import own_parser as own_parser
from .capabilities import Capability
from .catalog import engine_codes, rule_doc
from .discovery import HEAD_SIZE
from .discovery import YAML_SUFFIXES as YAML_SUFFIXES
from .discovery import discover as discover
from .discovery import file_identity as file_identity
from .durations import with_measured
from .file_result import FileResult as FileResult
from .files import NotRegularFile, read_head
from .finding import Finding, Issue, new_finding
from .limits import TooLarge
from .model import NATIVE, Runbook, Span
from .settings import Settings
from .source import Document, Limits, SourceError, check_size, decode, parse, read_text

# The graphs, the rules and the suppression comments are imported by the
# functions that use them: a warm re-run finds its files here (`discover`)
# and takes their results from the cache without them (issue 16: startup).
if TYPE_CHECKING:
    from .graphs import Graphs, OrderProblem
    from .plan import Plan


def _may_be_runbook(text: str, settings: Settings) -> bool:
    """Whether a file found in a folder has a key of a format it may be read as."""
    return bool(discovery_keys(settings.input_format).search(text))


def known_codes() -> frozenset[str]:
    """Every code a suppression comment may name: the rules' and the engine's own
    (not cached: tests register rules of their own)."""
    from .rules import registry

    return frozenset(registry()) | frozenset(engine_codes())


def finding(code: str, path: str, issue: Issue, settings: Settings = Settings()) -> Finding:
    """The finding of rule `code` for `issue` in the file at `path`."""
    return findings_of(code, path, (issue,), settings)[0]


def findings_of(
    code: str, path: str, issues: Iterable[Issue], settings: Settings = Settings(), fixable: bool = True
) -> list[Finding]:
    """The findings of rule `code` for `issues` in the file at `path`: the
    catalog's name, the configured severity, and their fixes if `fixable`."""
    found = tuple(issues)
    if not found:
        return []  # a rule's catalog entry is read only once it has found something
    doc = rule_doc(code)
    # Looked up once for all of a rule's issues in a file (a check makes tens
    # of thousands of findings); an issue may set its own severity.
    usual = settings.severity_of(code, doc.severity)
    return [
        new_finding(
            code,
            doc.name,
            usual if issue.severity is None else settings.severity_of(code, issue.severity),
            issue.message,
            path,
            issue.span,
            issue.suggestion,
            issue.steps,
            issue.related,
            issue.fix if fixable else None,
        )
        for issue in found
    ]


def check_file(
    path: Path,
    display_path: str,
    explicit: bool = True,
    limits: Limits = Limits(),
    settings: Settings = Settings(),
    keep_graphs: bool = False,
    data: bytes | None = None,
) -> FileResult:
    """Check one file; `explicit` when named on the command line rather than
    discovered; `data` is its bytes when the caller has read them."""
    result = FileResult(display_path)
    try:
        _check(path, result, explicit, limits, settings, keep_graphs, data)
    except Exception:  # a bug of ours: report it for this file and go on
        import traceback  # only for a bug: a check does not load it

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
) -> tuple[FileResult, Plan | None]:
    """Check one runbook, and plan it when it can be planned: it was read, its
    step ids are unique and its declared order has no cycle.  Otherwise the
    plan is None and the result's error findings say why."""
    return _planned(check_file(path, display_path, True, limits, settings, keep_graphs=True), settings)


def plan_text(
    text: str, display_path: str = "<string>", settings: Settings = Settings()
) -> tuple[FileResult, Plan | None]:
    """`plan_file` of a runbook given as text."""
    return _planned(check_text(text, display_path, settings, keep_graphs=True), settings)


def _planned(result: FileResult, settings: Settings) -> tuple[FileResult, Plan | None]:
    runbook, graphs = result.runbook, result.graphs
    result.graphs = None  # the plan holds what it needs
    if runbook is None or graphs is None or result.internal_error:
        return result, None
    from .plan import build_plan  # a check does not load the planner

    try:
        return result, build_plan(graphs)
    except TooLarge as error:
        result.findings.append(
            finding("RL001", result.path, Issue(runbook.span, f"too large to plan: {error}"), settings)
        )
    except Exception:  # a bug of ours: reported as for check, never a bare traceback
        import traceback

        result.internal_error = traceback.format_exc(limit=-8)
    return result, None


def _check(
    path: Path,
    result: FileResult,
    explicit: bool,
    limits: Limits,
    settings: Settings,
    keep_graphs: bool = False,
    data: bytes | None = None,
) -> None:
    own = own_parser(result.path, settings.input_format)
    # A refused character is named as not allowed in the file's language.
    language = "YAML" if own is None or own.parse is None else f"a {own.title}"
    try:
        if data is None:
            text = read_text(path, limits, language)
        else:
            check_size(len(data), limits)
            text = decode(data, language)
    except SourceError as error:
        if not explicit and not _mentions_runbook(path, settings, data):
            result.skipped = True  # a binary or huge YAML file that is no runbook
            return
        result.findings.append(
            finding("RL001", result.path, Issue(error.span, error.message), settings)
        )
        return
    if not explicit and own is None and not _may_be_runbook(text, settings):
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

    from .suppress import CODE as UNUSED_SUPPRESSION
    from .suppress import suppress

    def codes_checked() -> frozenset[str]:
        # Comments silence rules only (not RL001-RL003), and the rules ran
        # only once the runbook was built.
        return frozenset() if runbook is None else rules_run(runbook, settings)

    result.findings, result.suppressed, unused = suppress(
        text, result.findings, runbook, known_codes(), codes_checked
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
    own = own_parser(path, settings.input_format)
    try:
        if own is None or own.parse is None:
            document = parse(text, limits, "JSON" if path.lower().endswith(".json") else "YAML")
        else:
            document = own.parse(text)
    except SourceError as error:
        result.findings.append(finding("RL001", path, Issue(error.span, error.message), settings))
        return False
    result.text = text
    forced = settings.input_format
    if forced is None:
        input_format = detect(document)
        if input_format is None:
            return _not_a_runbook(document, result, explicit, settings, own)
    else:
        input_format = input_format_named(forced)
        if not input_format.detect(document):
            return _not_a_runbook(document, result, explicit, settings, input_format)
    result.format = input_format.name
    try:
        adapted = input_format.build(document, path, settings.default_duration)
    except AdapterError as error:
        result.findings.extend(finding(error.code, path, issue, settings) for issue in error.issues)
        # RL001: the file is not one document a runbook can be, so no comment of it applies.
        return error.code != "RL001"
    except TooLarge as error:
        return _too_large(result, document.root_span, error, settings)
    except RecursionError:  # a reader that follows chains (titles, job calls) met one too long
        deep = TooLarge("its steps are chained or nested too deep to follow")
        return _too_large(result, document.root_span, deep, settings)
    # The model holds all the rules need: free the parsed data before the
    # graphs are built (it is the largest thing in memory on big runbooks).
    del document
    return _check_runbook(adapted.runbook, adapted.problems, result, settings, keep_graphs)


def _not_a_runbook(
    document: Document,
    result: FileResult,
    explicit: bool,
    settings: Settings,
    forced: InputFormat | None = None,
) -> bool:
    """RL003 for a file named on the command line; a found one is skipped."""
    if not explicit:
        result.skipped = True
        return False
    if forced is None:
        message = NOT_A_RUNBOOK
    else:
        message = forced.not_this_format or (
            f"this file is not a {forced.title} document (`--input-format {forced.name}`)"
        )
    if forced is None or forced.name == NATIVE:
        suggestion = "add `runbook: <slug>` at the top, or do not pass this file"
    else:  # a runbook key would not make it a file of the format it was read as
        suggestion = "pass the `--input-format` it is written in, or do not pass this file"
    span = Span(1, 1, 1, 1) if document.data is None else document.root_span
    issue = Issue(span, message, suggestion=suggestion)
    result.findings.append(finding("RL003", result.path, issue, settings))
    return True


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
    if runbook.cost_currency is None:  # the runbook's own currency wins over the configuration's
        runbook = replace(runbook, cost_currency=settings.cost_currency)
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


@cache
def _skipped_rules(format_name: str) -> frozenset[str]:
    # Asked three times for each file checked; the answer depends on the format alone.
    # Whether the graphs could be built is the file's, not the format's.
    from .rules import registry

    input_format = input_format_named(format_name)
    return frozenset(
        code
        for code, rule in registry().items()
        if input_format.missing(rule.needs - {Capability.GRAPHS}) is not None
    )


def _mentions_runbook(path: Path, settings: Settings, data: bytes | None = None) -> bool:
    """Whether an unreadable file's first megabyte (of `data` when it was
    read already) has a key of a runbook (a FIFO or a device is never read:
    reading it could block the run)."""
    try:
        head = read_head(path, HEAD_SIZE) if data is None else data[:HEAD_SIZE]
    except NotRegularFile:
        return False
    except OSError:
        return True  # unreadable: say so rather than skip it silently
    return _may_be_runbook(head.decode("latin-1"), settings)


def run_rules(
    runbook: Runbook,
    codes: Iterable[str] | None = None,
    settings: Settings = Settings(),
    built: tuple[Graphs | None, OrderProblem | None] | None = None,
) -> list[Finding]:
    """The rules `settings` enables (and among them those of `codes`) on one
    runbook model; `built` is `_graphs_of(runbook)` when the caller has it."""
    from .rules import RuleContext, registry

    graphs, cycle = _graphs_of(runbook) if built is None else built
    context = RuleContext(runbook, graphs, cycle, settings)
    rules = registry()
    # Fixes rewrite native runbooks; another format's file is fixed by hand.
    fixable = runbook.format == NATIVE
    findings: list[Finding] = []
    for code in sorted(_applicable(settings, graphs is not None, codes, runbook)):
        findings += findings_of(code, runbook.path, rules[code].run(context), settings, fixable)
    return findings


def _graphs_of(runbook: Runbook) -> tuple[Graphs | None, OrderProblem | None]:
    """O and D, or O's cycle; only a cycle among the steps of unique ids
    when ids repeat (a deadlock is one whatever typo is elsewhere).  Raises TooLarge
    past the limits (resource names are checked either way: rules that need
    no graphs ask about them too)."""
    from .graphs import build_graphs, check_resource_names, cycle_among_unique_ids

    if _unique_ids(runbook):
        return build_graphs(runbook)  # which checks the resource names first
    check_resource_names(runbook)
    return None, cycle_among_unique_ids(runbook)


def rules_run(runbook: Runbook, settings: Settings = Settings()) -> frozenset[str]:
    """The codes `run_rules` checks on this runbook, found without building
    the graphs (only whether the declared order can be built matters)."""
    from .graphs import order_predecessors, topological_order

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
    codes: Iterable[str] | None = None,
    runbook: Runbook | None = None,
) -> frozenset[str]:
    """The registered rules (of `codes`) that `settings` enables and that can
    run: those needing the graphs only when there are graphs, and those the
    runbook's input format can give a subject to."""
    from .rules import registry

    rules = registry()
    wanted = rules.keys() if codes is None else set(codes) & rules.keys()
    skipped = frozenset() if runbook is None else _skipped_by_format(runbook)
    return frozenset(
        code
        for code in wanted
        if settings.enabled(code)
        and (have_graphs or Capability.GRAPHS not in rules[code].needs)
        and code not in skipped
    )
