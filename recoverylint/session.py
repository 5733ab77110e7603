"""One run of `check`, `plan` or `convert`, as data: a typed request in, a
frozen result out (findings, notes, fixed texts, exit code).  The command
line, a language server and a review command all call these; nothing here
prints or knows of click, so each caller shows the result its own way."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog import always_on_codes
from .config import ConfigError, ConfigResolver, FileOptions, Overrides
from .exits import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from .reading import Limits

if TYPE_CHECKING:
    from .durations import MeasuredDurations
    from .finding import Finding
    from .report import Report, WrittenFindings
    from .runner import Checked, Task
    from .stdin_and_fixes import FixedFile as FixedFile
    from .stdin_and_fixes import StandardInput as StandardInput

# The name a runbook read from standard input has without --stdin-filename.
STDIN = "-"

# Names of this module's public interface kept in modules a plain check does
# not import (issue 16: each frozen dataclass costs startup time): name ->
# the module holding it, imported when first asked for.
_ELSEWHERE = {
    "PlanRequest": "session_plan",
    "PlanRun": "session_plan",
    "run_plan": "session_plan",
    "ConvertRequest": "session_plan",
    "ConvertRun": "session_plan",
    "run_convert": "session_plan",
    "StandardInput": "stdin_and_fixes",
    "FixedFile": "stdin_and_fixes",
}


def __getattr__(name: str) -> Any:
    module = _ELSEWHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __package__), name)


class SessionError(Exception):
    """What stops a run before or instead of any result (a configuration,
    baseline or durations error, a file that may not be written): exit 2,
    with this message, which says where."""


class NotPlanned(SessionError):
    """The runbook cannot be planned or converted; `findings` say why."""

    def __init__(self, message: str, findings: tuple[Finding, ...] = ()) -> None:
        super().__init__(message)
        self.findings = findings


class InternalError(SessionError):
    """A bug of ours on one file: `trace` is its traceback."""

    def __init__(self, shown: str, trace: str, consequence: str) -> None:
        super().__init__(consequence)
        self.shown = shown
        self.trace = trace


# A progress display: called with the number of files to check, it yields
# what to call as each file is done.
Progress = Callable[[int], AbstractContextManager[Callable[[], None]]]


@contextmanager
def no_progress(files: int) -> Iterator[Callable[[], None]]:
    yield lambda: None


@dataclass(frozen=True)
class CheckRequest:
    """What `check` is asked to do (the command line's options, as data)."""

    paths: tuple[Path, ...] = ()  # none: the working folder
    stdin: StandardInput | None = None  # instead of paths
    config_file: Path | None = None
    overrides: Overrides = field(default_factory=Overrides)
    skip_non_runbooks: bool = False
    fix: str | None = None  # "safe" or "unsafe": work out the fixes of that safety
    # False: a preview (--diff, an editor): the fixed texts are returned,
    # nothing is written.  Standard input's fixed text is always returned.
    write_fixes: bool = True
    baseline_file: Path | None = None
    write_baseline_file: Path | None = None
    cache_dir: Path | None = None  # None: no cache
    jobs: int | None = None  # None: one per CPU
    max_file_size: int | None = None
    exit_zero: bool = False
    report_files: tuple[Path, ...] = ()  # where reports go: none may be a runbook checked
    count_fixes: bool = True  # a report shows fixes: judge them, to count only those --fix applies
    # The output formats the report will be written in (the command line's;
    # empty: unknown).  When all are report.PART_WRITERS' formats, each
    # file's findings are written where it is checked (or kept written by
    # the cache), and the report holds them so (Report.written).
    report_formats: tuple[str, ...] = ()
    verbose: bool = False
    progress: Progress = no_progress


@dataclass(frozen=True)
class CheckRun:
    """What a `check` found and decided."""

    report: Report  # the findings shown (after the baseline), uncoloured
    exit_code: int
    notes: tuple[str, ...] = ()  # for people, after the report
    verbose_notes: tuple[str, ...] = ()  # --verbose: the rules each input format skips
    internal_errors: tuple[tuple[str, str], ...] = ()  # (shown path, traceback)
    errors: tuple[str, ...] = ()  # fixed files that could not be written
    fixed: tuple[FixedFile, ...] = ()  # written in place, but for a preview and standard input
    failure: str | None = None  # why the run failed after checking (exit 2)
    baseline_notes: tuple[str, ...] = ()  # what --write-baseline recorded
    no_runbook: bool = False  # nothing was found to check


def run_check(request: CheckRequest) -> CheckRun:
    """Check the request's files: find them and their configuration, check
    (and fix) them, write the fixed files unless told not to, filter the
    baseline or write it, and decide the exit code."""
    from .report import PART_WRITERS, Report
    from .runner import Task, check_bytes, check_files, default_jobs

    resolver = _resolver(request.config_file, request.overrides)
    tasks: list[Task] = []
    thresholds: dict[str, int] = {}  # shown path -> rank of its fail-on
    # Every configuration file is read before any runbook: an error in one
    # stops the run at once, not after minutes of checking.
    try:
        if request.stdin is not None:
            name = request.stdin.filename
            options = resolver.options_for(name or Path(STDIN), explicit=True)
            assert options is not None  # a file named explicitly is never skipped
            shown = STDIN if name is None else shown_path(name)
            tasks.append(Task(name or Path(STDIN), shown, True, options.settings, request.count_fixes))
            thresholds[shown] = options.fail_on.rank
        else:
            from .discovery import discover

            # The files of a folder share how it is shown: worked out once.
            shown_folders: dict[str, str | None] = {}
            working_folder: Path | None = None
            statuses: list[os.stat_result | None] = []  # filled as the first file comes
            for number, (path, explicit) in enumerate(
                discover(request.paths or (Path("."),), request.skip_non_runbooks, statuses)
            ):
                found = resolver.options_for(path, explicit)
                if found is not None:
                    working_folder = working_folder or Path.cwd().resolve()
                    parent = os.path.dirname(path)
                    if parent not in shown_folders:
                        shown_folders[parent] = _shown_folder(Path(parent).resolve(), working_folder)
                    shown = _shown(path, shown_folders[parent])
                    tasks.append(Task(
                        path, shown, explicit and not request.skip_non_runbooks, found.settings, request.count_fixes,
                        statuses[number],
                    ))
                    thresholds[shown] = found.fail_on.rank
    except ConfigError as error:
        raise SessionError(str(error)) from None
    if request.report_files:
        runbooks = {os.path.realpath(task.path) for task in tasks if request.stdin is None}
        for file in request.report_files:
            if os.path.realpath(file) in runbooks:
                raise SessionError(f"the report file {file} is a runbook being checked; choose another file")
    baseline = None
    if request.baseline_file is not None:
        from .baseline import BaselineError, load_baseline

        try:
            baseline = load_baseline(request.baseline_file)
        except BaselineError as error:
            raise SessionError(str(error)) from None

    limits = limits_of(request.max_file_size)
    cache = None
    if request.cache_dir is not None and request.stdin is None:
        from .cache import ResultCache

        cache = ResultCache(request.cache_dir)
    # Written where checked: only the findings' text is needed, and files
    # sort by their shown paths alone (Finding.sort_key starts with the path).
    written_formats = request.report_formats if (
        request.report_formats
        and set(request.report_formats) <= PART_WRITERS.keys()
        and request.stdin is None
        and request.fix is None
        and request.baseline_file is None
        and request.write_baseline_file is None
        and len({task.shown for task in tasks}) == len(tasks)
    ) else ()
    if request.stdin is not None:
        checked = [check_bytes(tasks[0], request.stdin.data, limits, request.fix)]
    else:
        with request.progress(len(tasks)) as done_one:
            checked = check_files(
                tasks, limits, jobs=request.jobs or default_jobs(), cache=cache, fix=request.fix,
                on_checked=done_one, written_formats=written_formats,
            )

    files = _gather(tasks, checked, request)
    findings = files.findings
    internal_errors = tuple(files.internal_errors)
    verbose_notes = tuple(
        note for name, count in files.formats_read.items()
        if request.verbose and (note := skipped_rules_note(name, count)) is not None
    )
    report = Report(
        tuple(sorted(findings, key=lambda f: f.sort_key)),
        tuple(files.checked_files),
        tuple(shown for shown, _ in internal_errors),
        files.source_text(limits),
        written=tuple(w for _, w in sorted(files.written, key=lambda item: item[0])) if written_formats else None,
    )
    run = CheckRun(
        report,
        EXIT_CLEAN,
        verbose_notes=verbose_notes,
        internal_errors=internal_errors,
        errors=tuple(files.unwritten),
        fixed=tuple(files.fixed),
        no_runbook=not tasks or not (files.checked_files or internal_errors or files.unwritten),
    )
    if request.write_baseline_file is not None:
        return _write_baseline(request.write_baseline_file, run)

    if request.fix is not None and not request.write_fixes:
        # A preview (a diff): what would be applied, and why the rest would not.
        fixes = sum(fixed.fixes for fixed in files.fixed)
        done = (
            f"would apply {_counted(fixes, 'fix')} in {_counted(len(files.fixed), 'file')}"
            if files.fixed
            else "no fix to apply"
        )
        code = EXIT_ERROR if internal_errors else EXIT_FINDINGS if files.fixed else EXIT_CLEAN
        return replace(run, exit_code=code, notes=(f"{done}.", *files.refusals))

    notes = list(files.refusals)
    baselined = 0
    if baseline is not None:
        findings, baselined = baseline.filter(report.findings)  # sorted already; filter keeps the order
        run = replace(run, report=replace(report, findings=tuple(findings)))
    if cache is not None and cache.note:
        notes.append(cache.note)
    if request.fix is not None:
        fixes = sum(fixed.fixes for fixed in files.fixed)
        notes.append(f"Applied {_counted(fixes, 'fix')} in {_counted(len(files.fixed), 'file')}.")
    if files.suppressed:
        notes.append(f"{_counted(files.suppressed, 'finding')} silenced by suppression comments.")
    if baseline is not None:
        notes.append(f"{_counted(baselined, 'finding')} in the baseline {request.baseline_file} not shown.")
    if internal_errors or files.unwritten:
        code = EXIT_ERROR
    else:
        failing = any(f.severity.rank >= thresholds[f.path] for f in findings) or any(
            written.highest_rank >= thresholds[shown] for shown, written in files.written
        )
        code = EXIT_FINDINGS if failing and not request.exit_zero else EXIT_CLEAN
    return replace(run, exit_code=code, notes=tuple(notes))


@dataclass
class _Gathered:
    """The outcomes of a check's files, gathered in run order."""

    findings: list[Finding] = field(default_factory=list)
    texts: dict[str, str | None] = field(default_factory=dict)  # shown path -> text checked
    checked_files: list[str] = field(default_factory=list)
    suppressed: int = 0  # findings silenced by suppression comments
    internal_errors: list[tuple[str, str]] = field(default_factory=list)
    unwritten: list[str] = field(default_factory=list)  # fixed files that could not be written
    refusals: list[str] = field(default_factory=list)
    fixed: list[FixedFile] = field(default_factory=list)
    formats_read: dict[str, int] = field(default_factory=dict)  # input format -> files read as it
    written: list[tuple[str, WrittenFindings]] = field(default_factory=list)  # (shown path, its findings written)

    def source_text(self, limits: Limits) -> Callable[[str], str | None]:
        texts = self.texts

        def source_text(path: str) -> str | None:
            text = texts.get(path)
            if text is not None:
                return text
            from .files import read_file

            try:  # a file that could not be decoded: show what can be shown
                return read_file(Path(path), limits.max_file_size).decode("utf-8", "replace")
            except OSError:
                return None

        return source_text


def _gather(tasks: list[Task], checked: list[Checked], request: CheckRequest) -> _Gathered:
    gathered = _Gathered()
    for task, outcome in zip(tasks, checked, strict=True):
        result, shown = outcome.result, task.shown
        if result.skipped:
            continue
        if result.format is not None:
            gathered.formats_read[result.format] = gathered.formats_read.get(result.format, 0) + 1
        if result.internal_error:
            gathered.internal_errors.append((shown, result.internal_error))
            continue
        if outcome.fixed is not None:
            for refused_fix, why in outcome.fixed.refused:
                gathered.refusals.append(f"{shown}: not fixed: {refused_fix.description}: {why}.")
            if outcome.fixed.text is not None:
                from .stdin_and_fixes import FixedFile

                result = outcome.fixed.result
                path = None if request.stdin is not None else task.path
                if path is not None and request.write_fixes:
                    problem = _write_fix(path, outcome.data, outcome.fixed.text)
                    if problem:  # its findings are those of a text not written: none is shown
                        gathered.unwritten.append(f"{shown}: {problem}")
                        continue
                gathered.fixed.append(
                    FixedFile(path, shown, outcome.original or "", outcome.fixed.text, len(outcome.fixed.applied))
                )
        gathered.checked_files.append(shown)
        gathered.suppressed += result.suppressed
        gathered.findings.extend(result.findings)
        if result.findings:
            gathered.texts[shown] = result.text
        if outcome.written is not None:
            gathered.written.append((shown, outcome.written))
    return gathered


def _write_baseline(file: Path, run: CheckRun) -> CheckRun:
    """--write-baseline: every finding recorded; exit 1 when some files could
    not be checked (a baseline never hides them)."""
    if run.internal_errors:  # a baseline missing those files' findings would hide them later
        return replace(run, exit_code=EXIT_ERROR, failure=f"{file} was not written: some files could not be checked")
    from .baseline import BaselineError, write_baseline

    try:
        recorded = write_baseline(file, run.report.findings)
    except BaselineError as error:
        return replace(run, exit_code=EXIT_ERROR, failure=str(error))
    said = [f"Recorded {_counted(recorded, 'finding')} in {file}."]
    unchecked_files = sorted({f.path for f in run.report.findings if f.code in always_on_codes()})
    if unchecked_files:
        said.append(
            f"{_counted(len(unchecked_files), 'file')} could not be checked (RL001-RL003)"
            f" and {'was' if len(unchecked_files) == 1 else 'were'} not recorded:"
            f" {', '.join(unchecked_files)}. A baseline never hides them."
        )
    code = EXIT_FINDINGS if unchecked_files else EXIT_CLEAN
    return replace(run, exit_code=code, baseline_notes=tuple(said))


def _write_fix(path: Path, read: bytes | None, text: str) -> str | None:
    """Write a fixed runbook in place, atomically; why not, when it was not
    written (it changed since it was read, or writing failed)."""
    from .files import read_head, write_atomically

    try:
        if read is None or read_head(path, len(read) + 1) != read:
            return "the file changed while it was being fixed; it was left as it is"
        bom = "\ufeff" if read.startswith(b"\xef\xbb\xbf") else ""
        write_atomically(path, bom + text)
    except OSError as error:
        return f"the fixes could not be written: {error.strerror or error}; the file is unchanged"
    return None


def skipped_rules_note(name: str, files: int) -> str | None:
    """Which rules the input format skips and why, for --verbose (None: none)."""
    from .adapters import input_formats

    input_format = input_formats()[name]
    parts = [f"{', '.join(group.codes)} ({group.why})" for group in input_format.skipped]
    if not parts:
        return None  # native: every rule runs
    return (
        f"{_counted(files, 'file')} read as {input_format.title}; rules skipped on"
        f" {'it' if files == 1 else 'them'}: {'; '.join(parts)}."
    )


def clean_cache(directory: Path) -> bool:
    """`clean`: delete the cache in `directory`, only what the cache owns;
    False when there is none."""
    from .cache import clear

    try:
        return clear(directory)
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise SessionError(f"the cache {directory} was not removed: {reason}") from None


def read_durations_file(file: Path | None) -> MeasuredDurations | None:
    """The durations file of `--durations`; SessionError at the line and
    column of what is wrong in it."""
    if file is None:
        return None
    from .config import read_durations

    try:
        return read_durations(file)
    except ConfigError as error:
        raise SessionError(str(error)) from None


def options_of_one(
    path: Path,
    config_file: Path | None,
    input_format: str | None,
    durations: MeasuredDurations | None = None,
) -> FileOptions:
    """The options of one file named on the command line (plan, convert)."""
    resolver = _resolver(config_file, Overrides(input_format=input_format, durations=durations))
    try:
        options = resolver.options_for(path, explicit=True)
    except ConfigError as error:
        raise SessionError(str(error)) from None
    assert options is not None  # a file named explicitly is never skipped
    return options


def _resolver(config_file: Path | None, overrides: Overrides) -> ConfigResolver:
    try:
        return ConfigResolver(config_file, overrides)
    except ConfigError as error:
        raise SessionError(str(error)) from None


def shown_path(path: Path) -> str:
    """Paths as the user would write them: relative to the working directory
    when inside it.  Only the folder is resolved, so a symlinked runbook keeps
    its own name."""
    return _shown(path, _shown_folder(path.parent.resolve(), Path.cwd().resolve()))


def _shown_folder(folder: Path, working_folder: Path) -> str | None:
    """How the files of the resolved `folder` are shown from the resolved
    `working_folder`: the text before their names (empty in the working
    folder itself); None when it is outside (they are shown as given)."""
    try:
        relative = folder.relative_to(working_folder)
    except ValueError:
        return None
    return "" if relative == Path() else f"{relative}{os.sep}"


def _shown(path: Path, shown_folder: str | None) -> str:
    """`shown_path` of `path`, in a folder shown as `shown_folder` says."""
    shown = str(path) if shown_folder is None else shown_folder + path.name
    # A name that is not UTF-8 (Python holds its bytes as surrogates) is shown
    # with those bytes escaped, as every report must be valid UTF-8.
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def limits_of(max_file_size: int | None) -> Limits:
    """The reading limits of a run: the default, or `--max-file-size`'s."""
    return Limits() if max_file_size is None else Limits(max_file_size=max_file_size)


def _counted(count: int, noun: str) -> str:
    from .words import counted

    return counted(count, noun)
