"""The `recoverylint` command: options, output and exit codes; no logic of its own."""

from __future__ import annotations

import errno
import io
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, NoReturn, Optional

import click

from . import __version__
from .finding import Finding, Severity
from .report.shown import shown as displayable
from .settings import ALWAYS_ON, INPUT_FORMATS

if TYPE_CHECKING:
    from .catalog import RuleDoc
    from .config import FileOptions, Glob
    from .durations import MeasuredDurations
    from .plan import Plan
    from .report import Report

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
CHECK_FORMATS = ("full", "concise", "json", "json-lines", "sarif", "github", "junit", "gitlab")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="recoverylint")
def cli() -> None:
    """Lint incident-recovery runbooks: false gates, premature parallelism, and the order the work really needs."""


CodesCallback = Callable[[click.Context, click.Parameter, Optional[str]], Optional[tuple[str, ...]]]


def _codes_option(ignoring: bool) -> CodesCallback:
    """A click callback: comma-separated rule codes or prefixes, checked against the catalog."""

    def parse(
        ctx: click.Context, param: click.Parameter, value: Optional[str]
    ) -> Optional[tuple[str, ...]]:
        if value is None:
            return None
        from .config import code_problem

        codes = tuple(code.strip() for code in value.split(",") if code.strip())
        if not codes and not ignoring:  # an unset variable in CI must not turn the linter off
            raise click.BadParameter("an empty list would turn every rule off")
        for code in codes:
            problem = code_problem(code, ignoring=ignoring)
            if problem:
                raise click.BadParameter(problem)
        return codes

    return parse


def _exclude_option(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[Glob, ...]:
    from .config import Glob

    globs = []
    for pattern in value:
        try:
            globs.append(Glob(pattern))
        except ValueError as error:
            raise click.BadParameter(f"the glob `{pattern}` {error}") from None
    return tuple(globs)


_config_file_option = click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Use this configuration file for every file (default: the closest .recoverylint.yaml,"
    " or pyproject.toml with [tool.recoverylint], from each file's folder upward).",
)

_durations_option = click.option(
    "--durations",
    "durations_file",
    # Not click's own checks: every unreadable durations file (missing, a
    # folder, a FIFO) is reported as file:line:column by read_durations.
    type=click.Path(path_type=Path),
    metavar="FILE",
    default=None,
    help="Minutes measured for steps (YAML or JSON: runbook id -> step id -> minutes or"
    " {min, likely, max}); they override the runbooks' durations and every default.",
)

_max_file_size_option = click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=None,
    help="Largest file to read, in bytes (default 10 MB); larger files are an RL001 finding.",
)


def _report_option(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[tuple[str, Path], ...]:
    reports = []
    for item in value:
        output_format, colon, file = item.partition(":")
        if not colon or not file:
            raise click.BadParameter(f"`{item}` is not FORMAT:FILE (for example sarif:report.sarif)")
        if output_format not in CHECK_FORMATS:
            raise click.BadParameter(
                f"unknown format `{output_format}` in `{item}`; choose from {', '.join(CHECK_FORMATS)}"
            )
        reports.append((output_format, Path(file)))
    return tuple(reports)


_input_format_option = click.option(
    "--input-format",
    type=click.Choice(("auto", *INPUT_FORMATS)),
    default=None,
    help="Read files as this format (default: auto, or the configuration's input-format:"
    " detect each file's). With native, files found in directories are read only when they"
    " have a `runbook` key.",
)


def _input_format(value: Optional[str]) -> Optional[str]:
    """The --input-format option as configuration takes it (auto: detect)."""
    return None if value in (None, "auto") else value


# Below this many files a run is short: no progress bar.
_PROGRESS_MIN_FILES = 100


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(CHECK_FORMATS),
    default=None,
    help="Output format: full (default: findings with their source lines), concise"
    " (path:line:col: CODE [severity] message), json, json-lines, sarif, github (workflow annotations),"
    " junit, gitlab (Code Quality).  With GITHUB_ACTIONS=true and no --format: full and"
    " github annotations.",
)
@click.option(
    "--output-file",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to this file (replaced atomically) instead of stdout.",
)
@click.option(
    "--report",
    "reports",
    metavar="FORMAT:FILE",
    multiple=True,
    callback=_report_option,
    help="Also write a report in FORMAT to FILE, in the same run (repeatable):"
    " --report sarif:recoverylint.sarif.",
)
@_config_file_option
@click.option(
    "--select",
    metavar="CODES",
    callback=_codes_option(ignoring=False),
    help="Comma-separated rule codes or prefixes to report (RL2,RL301);"
    " replaces the configuration's.",
)
@click.option(
    "--ignore",
    metavar="CODES",
    callback=_codes_option(ignoring=True),
    help="Comma-separated rule codes or prefixes not to report; replaces the configuration's.",
)
@click.option(
    "--exclude",
    metavar="GLOB",
    multiple=True,
    callback=_exclude_option,
    help="Skip files found in directories whose path from the current directory matches GLOB"
    " (repeatable; adds to the configuration's exclude).",
)
@click.option(
    "--skip-non-runbooks",
    is_flag=True,
    help="Skip files named on the command line that are not runbooks (no top-level `runbook`"
    " key, and no workflow of a format recoverylint reads) instead of reporting RL003, as for"
    " files found in directories (for pre-commit).",
)
@_input_format_option
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Also say, once per input format read, which rules it skips and why (on stderr).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default=None,
    help="Exit 1 when a finding of this severity or above is reported"
    " (default: the configuration's fail-on, else warning).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported (2 stays 2).")
@click.option(
    "--fix",
    is_flag=True,
    help="Apply safe fixes in place (redundant and false-gate `needs` entries), then report"
    " what remains.",
)
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix or --diff, also apply unsafe fixes (a checklist restructured as"
    " `flow: parallel`): they change what may run at once; review them.",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print the fixes as a unified diff instead of writing them; exit 1 when there are some.",
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Print the number of findings per rule instead of the findings (full, concise or json).",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Print the findings only: no summary and no notes."
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Report only findings that are not in this baseline file.",
)
@click.option(
    "--write-baseline",
    "write_baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Record every finding in this baseline file, and exit 0 (1 when a file could not be checked).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Check every file again, ignoring and not writing the cache (.recoverylint_cache/, or"
    " the folder RECOVERYLINT_CACHE_DIR names).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Check files in this many processes (default: the number of CPUs; runs of few files"
    " use one).",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the full output (default: when stdout is a terminal and NO_COLOR is unset).",
)
@_max_file_size_option
@_durations_option
def check(
    paths: tuple[Path, ...],
    output_format: Optional[str],
    output_file: Optional[Path],
    reports: tuple[tuple[str, Path], ...],
    config_file: Optional[Path],
    select: Optional[tuple[str, ...]],
    ignore: Optional[tuple[str, ...]],
    exclude: tuple[Glob, ...],
    skip_non_runbooks: bool,
    input_format: Optional[str],
    verbose: bool,
    fail_on: Optional[str],
    exit_zero: bool,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    statistics: bool,
    quiet: bool,
    baseline_file: Optional[Path],
    write_baseline_file: Optional[Path],
    no_cache: bool,
    jobs: Optional[int],
    color: Optional[bool],
    max_file_size: Optional[int],
    durations_file: Optional[Path],
) -> None:
    """Check runbooks: the files named, and the runbooks under the directories named (default: .).

    Exit status: 0 nothing at or above --fail-on (or --exit-zero), 1 findings at or above
    it (with --diff: fixes to show), 2 a usage error, a configuration or baseline error,
    a file that could not be written (stdout too), or an internal error; 130 when
    interrupted (Ctrl-C).
    """
    import gc

    from .config import ConfigError, ConfigResolver, Overrides
    from .engine import discover
    from .report import Report
    from .rules._words import counted
    from .files import read_file
    from .runner import Task, check_files, default_jobs
    from .source import Limits

    if baseline_file is not None and write_baseline_file is not None:
        raise click.UsageError("--baseline and --write-baseline cannot be used together")
    if (fix or diff) and write_baseline_file is not None:
        raise click.UsageError("--fix and --diff cannot be used with --write-baseline")
    if unsafe_fixes and not (fix or diff):
        raise click.UsageError("--unsafe-fixes applies fixes only with --fix or --diff")
    if diff and (output_format or output_file or reports or statistics):
        raise click.UsageError(
            "--diff prints a diff: --format, --output-file, --report and --statistics do not apply"
        )
    if statistics and output_format not in (None, "full", "concise", "json"):
        raise click.UsageError("--statistics prints full, concise or json, not " + str(output_format))
    annotate = output_format is None and os.environ.get("GITHUB_ACTIONS") == "true"
    output_format = output_format or "full"

    # Every configuration file is read before any runbook: an error in one
    # stops the run at once, not after minutes of checking.
    overrides = Overrides(
        select,
        ignore,
        None if fail_on is None else Severity(fail_on),
        exclude,
        _input_format(input_format),
        _measured(durations_file),
    )
    tasks: list[Task] = []
    thresholds: dict[str, int] = {}  # shown path -> rank of its fail-on
    try:
        resolver = ConfigResolver(config_file, overrides)
        for path, explicit in discover(paths or (Path("."),)):
            options = resolver.options_for(path, explicit)
            if options is not None:
                shown = _display(path)
                tasks.append(Task(path, shown, explicit and not skip_non_runbooks, options.settings))
                thresholds[shown] = options.fail_on.rank
    except ConfigError as error:
        _fail(str(error))
    targets = [file for _, file in reports] + ([output_file] if output_file is not None else [])
    _check_report_files(targets, [task.path for task in tasks])

    baseline = None
    if baseline_file is not None:
        from .baseline import BaselineError, load_baseline

        try:
            baseline = load_baseline(baseline_file)
        except BaselineError as error:
            _fail(str(error))

    # What a check builds has no reference cycles; reference counting frees
    # it, and the cyclic collector would only rescan it (about 3x slower).
    gc.freeze()
    gc.disable()

    limits = Limits() if max_file_size is None else Limits(max_file_size=max_file_size)
    cache = None
    if not no_cache:
        from .cache import ResultCache

        cache = ResultCache(Path(os.environ.get("RECOVERYLINT_CACHE_DIR") or ".recoverylint_cache"))
    fix_mode = None if not (fix or diff) else "unsafe" if unsafe_fixes else "safe"
    human = output_format in ("full", "concise") and output_file is None and not quiet
    show_progress = human and len(tasks) >= _PROGRESS_MIN_FILES and sys.stderr.isatty()
    with click.progressbar(
        length=len(tasks), label="Checking", file=sys.stderr
    ) if show_progress else _NoProgress() as bar:
        checked = check_files(
            tasks,
            limits,
            jobs=jobs or default_jobs(),
            cache=cache,
            fix=fix_mode,
            on_checked=lambda: bar.update(1),
        )

    findings: list[Finding] = []
    sources: dict[str, Optional[str]] = {}
    checked_files: list[str] = []
    suppressed = 0  # findings silenced by suppression comments
    internal_errors = []
    diffs: list[str] = []
    unwritten: list[str] = []  # fixed files that could not be written
    notes: list[str] = []
    applied = fixed_files = 0
    formats_read: dict[str, int] = {}  # input format -> files read as it
    for task, outcome in zip(tasks, checked):
        result, shown = outcome.result, task.shown
        if result.skipped:
            continue
        if result.format is not None:
            formats_read[result.format] = formats_read.get(result.format, 0) + 1
        if result.internal_error:
            internal_errors.append((shown, result.internal_error))
            continue
        if outcome.fixed is not None:
            for refused_fix, why in outcome.fixed.refused:
                notes.append(f"{shown}: not fixed: {refused_fix.description}: {why}.")
            if outcome.fixed.text is not None:
                if diff:
                    diffs.append(_unified_diff(shown, outcome.original or "", outcome.fixed.text))
                    result = outcome.fixed.result
                else:
                    problem = _write_fix(task.path, outcome.data, outcome.fixed.text)
                    if problem:  # its findings are those of a text not written: none is shown
                        unwritten.append(f"{shown}: {problem}")
                        continue
                applied += len(outcome.fixed.applied)
                fixed_files += 1
        checked_files.append(shown)
        suppressed += result.suppressed
        findings.extend(result.findings)
        if result.findings:
            sources[shown] = result.text

    if verbose:
        for name, files in formats_read.items():
            note = _skipped_rules_note(name, files)
            if note:
                _say(note)
    for shown, trace in internal_errors:
        _report_internal_error(shown, trace, "this file was not checked")
    for problem in unwritten:
        _say(f"error: {problem}")

    if write_baseline_file is not None:
        if internal_errors:  # a baseline missing those files' findings would hide them later
            _fail(f"{write_baseline_file} was not written: some files could not be checked")
        from .baseline import BaselineError, write_baseline

        try:
            recorded = write_baseline(write_baseline_file, findings)
        except BaselineError as error:
            _fail(str(error))
        # Notes go to stderr with machine formats, so that stdout stays machine-readable.
        to_stderr = output_format != "full"
        click.echo(displayable(f"Recorded {counted(recorded, 'finding')} in {write_baseline_file}."), err=to_stderr)
        unchecked_files = sorted({f.path for f in findings if f.code in ALWAYS_ON})
        if unchecked_files:
            click.echo(
                displayable(
                    f"{counted(len(unchecked_files), 'file')} could not be checked (RL001-RL003)"
                    f" and {'was' if len(unchecked_files) == 1 else 'were'} not recorded:"
                    f" {', '.join(unchecked_files)}. A baseline never hides them."
                ),
                err=to_stderr,
            )
            sys.exit(EXIT_FINDINGS)
        sys.exit(EXIT_CLEAN)

    if diff:
        click.echo("".join(diffs), nl=False)
        if not quiet:
            done = (
                f"would apply {counted(applied, 'fix')} in {counted(fixed_files, 'file')}"
                if diffs
                else "no fix to apply"
            )
            _say(f"{done}.")
            for note in notes:
                _say(note)
        sys.exit(EXIT_ERROR if internal_errors else EXIT_FINDINGS if diffs else EXIT_CLEAN)

    baselined = 0
    if baseline is not None:
        findings, baselined = baseline.filter(findings)
    if cache is not None and cache.note:
        notes.append(cache.note)
    if fix:
        notes.append(f"Applied {counted(applied, 'fix')} in {counted(fixed_files, 'file')}.")
    if suppressed:
        notes.append(f"{counted(suppressed, 'finding')} silenced by suppression comments.")
    if baseline is not None:
        notes.append(f"{counted(baselined, 'finding')} in the baseline {baseline_file} not shown.")

    def source_text(path: str) -> Optional[str]:
        text = sources.get(path)
        if text is not None:
            return text
        try:  # a file that could not be decoded: show what can be shown
            return read_file(Path(path), limits.max_file_size).decode("utf-8", "replace")
        except OSError:
            return None

    to_terminal = output_file is None
    colour = output_format == "full" and (
        color if color is not None else to_terminal and _colour_by_default()
    )
    report = Report(
        tuple(sorted(findings, key=lambda f: f.sort_key)),
        tuple(checked_files),
        tuple(shown for shown, _ in internal_errors),
        source_text,
        colour,
        summary=not quiet,
    )
    for extra_format, file in reports:
        _write_report(file, render_check(replace(report, colour=False), extra_format))
    if statistics:
        text = _statistics(report.findings, output_format)
    else:
        text = render_check(report, output_format)
        if annotate:
            text = render_check(report, "github") + text
    if output_file is not None:
        _write_report(output_file, text)
    else:
        click.echo(text, nl=False, color=colour)
    if not quiet:
        for note in notes:  # on stderr for machine formats: stdout keeps the documented shape
            if output_format == "full" and to_terminal:
                click.echo(displayable(note))
            else:
                _say(note)

    if internal_errors or unwritten:
        sys.exit(EXIT_ERROR)
    failing = any(f.severity.rank >= thresholds[f.path] for f in findings)
    sys.exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_CLEAN)


class _NoProgress:
    """Stands in for a progress bar when none is shown."""

    def __enter__(self) -> "_NoProgress":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, steps: int) -> None:
        return None


def _skipped_rules_note(name: str, files: int) -> Optional[str]:
    """Which rules the input format skips and why, for --verbose (None: none)."""
    from .adapters import input_formats
    from .rules import registry
    from .rules._words import counted

    if name not in input_formats():
        return None  # native: every rule runs
    input_format = input_formats()[name]
    parts = []
    for group in input_format.skipped:
        codes = sorted(code for code in registry() if code.startswith(group.codes))
        parts.append(f"{', '.join(codes)} ({group.why})")
    if not parts:
        return None
    return (
        f"{counted(files, 'file')} read as {input_format.title}; rules skipped on"
        f" {'it' if files == 1 else 'them'}: {'; '.join(parts)}."
    )


def _check_report_files(targets: list[Path], checked: list[Path]) -> None:
    """Report files must be distinct (links resolved), and none may be a file
    being checked, named or found in a folder."""
    seen: set[str] = set()
    for file in targets:
        if not file.name:
            raise click.BadParameter("an empty file name", param_hint="'--output-file' / '--report'")
        key = os.path.realpath(file)
        if key in seen:
            raise click.UsageError(f"{file} is named for two reports")
        seen.add(key)
    runbooks = {os.path.realpath(path) for path in checked}
    for file in targets:
        if os.path.realpath(file) in runbooks:
            _fail(f"the report file {file} is a runbook being checked; choose another file")


def _write_report(file: Path, text: str) -> None:
    from .files import write_atomically

    try:
        write_atomically(file, text)
    except OSError as error:
        _fail(f"could not write {file}: {error.strerror or error}")


def _write_fix(path: Path, read: Optional[bytes], text: str) -> Optional[str]:
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


def _unified_diff(shown: str, before: str, after: str) -> str:
    import difflib

    from .report.shown import git_quoted

    lines = difflib.unified_diff(
        _git_lines(before), _git_lines(after), git_quoted(f"a/{shown}"), git_quoted(f"b/{shown}")
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _git_lines(text: str) -> list[str]:
    """The lines of `text` as `git apply` counts them: each ends at a LF (a
    CR, NEL or U+2028 is part of its line, where str.splitlines would split)."""
    *ended, last = text.split("\n")
    return [line + "\n" for line in ended] + ([last] if last else [])


def _statistics(findings: tuple[Finding, ...], output_format: str) -> str:
    """Findings per rule, most frequent first: `count code name [*]` where
    [*] marks a rule whose findings here have a safe fix."""
    from collections import Counter

    counts = Counter(f.code for f in findings)
    names = {f.code: f.name for f in findings}
    fixable = {f.code for f in findings if f.fix is not None and f.fix.safe}
    rows = sorted(counts.items(), key=lambda row: (-row[1], row[0]))
    if output_format == "json":
        import json

        entries = [
            {"code": code, "name": names[code], "count": count, "fixable": code in fixable}
            for code, count in rows
        ]
        return json.dumps(entries, indent=2) + "\n"
    width = max((len(str(count)) for count in counts.values()), default=1)
    return "".join(
        f"{count:>{width}}\t{code}\t{'[*] ' if code in fixable else ''}{names[code]}\n"
        for code, count in rows
    )


PLAN_FORMATS = ("text", "json", "mermaid", "mermaid-gantt", "dot", "html")
# Findings that keep a runbook from being planned: it was not read, or its
# declared order cannot be built (ids repeat, or it has a cycle).
_UNPLANNABLE = ("RL001", "RL002", "RL003", "RL101", "RL103")


@cli.command()
@click.argument("runbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(PLAN_FORMATS),
    default="text",
    show_default=True,
    help="text: summary, critical path, waves and a terminal Gantt; json; mermaid: a"
    " flowchart of the required order; mermaid-gantt: both schedules; dot: Graphviz of the"
    " declared order; html: one self-contained report.",
)
@click.option(
    "--output",
    "-o",
    "output_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the plan to this file (replaced atomically; `-` is stdout) instead of stdout.",
)
@_max_file_size_option
@_config_file_option
@_input_format_option
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the text format (default: when writing to a terminal and NO_COLOR is unset).",
)
@_durations_option
def plan(
    runbook: Path,
    output_format: str,
    output_file: Optional[Path],
    config_file: Optional[Path],
    input_format: Optional[str],
    color: Optional[bool],
    max_file_size: Optional[int],
    durations_file: Optional[Path],
) -> None:
    """Plan RUNBOOK: the declared order and the order the work requires, each with its
    critical path, waves and staffed schedule, and the minutes (and money) the better order saves.

    Exit status: 0 planned, 2 when the runbook cannot be planned (unreadable, not a
    runbook, invalid, repeated step ids, a cycle) or on a usage or configuration error.
    """
    import gc


    from .engine import plan_file
    from .source import Limits

    if output_file is not None and str(output_file) == "-":
        output_file = None
    _refuse_empty_name(output_file)
    if output_file is not None and _same_file(output_file, runbook):
        _fail(f"--output {output_file} is the runbook itself; choose another file")
    options = _options_of_one(runbook, config_file, input_format, _measured(durations_file))
    shown = _display(runbook)
    gc.freeze()  # as for check: nothing built has reference cycles to collect
    gc.disable()
    limits = Limits() if max_file_size is None else Limits(max_file_size=max_file_size)
    # Only the HTML report shows the findings: other formats need only the
    # rules that can keep a runbook from being planned.
    settings = options.settings
    if output_format != "html":
        settings = replace(settings, select=_UNPLANNABLE, ignore=())
    result, planned = plan_file(runbook, shown, limits, settings)
    if result.internal_error:
        _internal_error(shown, result.internal_error, "it was not planned")
    if planned is None:
        _echo_errors(item for item in result.findings if item.code in _UNPLANNABLE)
        _fail(f"{shown} cannot be planned until the errors above are fixed")

    colour = False
    if output_format == "text":
        colour = color if color is not None else output_file is None and _colour_by_default()
    from .report import CannotRender

    try:
        text = _render_plan(planned, output_format, result.findings, colour)
    except CannotRender as error:
        _fail(f"{shown}: {error}")
    except Exception:  # a bug of ours in one format: say so, as for check
        import traceback

        _internal_error(shown, traceback.format_exc(limit=-8), f"no {output_format} was written")
    _write_output(output_file, text, f"the {output_format} plan of {shown}", colour)


@cli.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--output",
    "-o",
    "output_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the native runbook to this file instead of stdout (never over an existing"
    " file unless --force).",
)
@click.option("--force", is_flag=True, help="With --output, replace an existing file.")
@_input_format_option
@_config_file_option
@_max_file_size_option
def convert(
    source: Path,
    output_file: Optional[Path],
    force: bool,
    input_format: Optional[str],
    config_file: Optional[Path],
    max_file_size: Optional[int],
) -> None:
    """Write SOURCE (an SSM, Argo, Tekton, GitHub Actions, Orquesta or ActionChain
    workflow) as the equivalent native runbook: the same steps, waits, facts,
    resources and alternatives, ready for roles, phases and durations.

    Exit status: 0 converted, 2 when SOURCE cannot be read as a workflow of a format
    recoverylint reads, is already a native runbook, or on a usage error.
    """
    from .adapters import input_formats
    from .model import NATIVE
    from .convert import to_native
    from .engine import check_file, check_text
    from .source import Limits

    _refuse_empty_name(output_file)
    if output_file is not None and _same_file(output_file, source):
        _fail(f"--output {output_file} is the file to convert; choose another file")
    if output_file is not None and output_file.exists() and not force:
        _fail(f"{output_file} exists; pass --force to replace it")
    options = _options_of_one(source, config_file, input_format)
    shown = _display(source)
    limits = Limits() if max_file_size is None else Limits(max_file_size=max_file_size)
    # Only what keeps the file from being read matters here: no rule runs.
    settings = replace(options.settings, select=(), ignore=())
    result = check_file(source, shown, True, limits, settings)
    if result.internal_error:
        _internal_error(shown, result.internal_error, "it was not converted")
    if result.runbook is None:
        _echo_errors(result.findings)
        _fail(f"{shown} cannot be converted until the errors above are fixed")
    if result.format == NATIVE:
        _fail(f"{shown} is already a native runbook")
    text = to_native(result.runbook, input_formats()[result.runbook.format].title)
    # Read back as the native runbook it is meant to be, before it is written:
    # a conversion that would not read cleanly is an error, never a file.
    converted = check_text(text, "the converted runbook", replace(settings, input_format=NATIVE))
    unreadable = [item for item in converted.findings if item.code in ALWAYS_ON]
    if unreadable:
        _echo_errors(unreadable)
        _fail(
            f"{shown} was not converted: the native runbook written from it would not read cleanly"
            " (the errors above); please report it"
        )
    _write_output(output_file, text, f"the native runbook converted from {shown}")


def _write_output(output_file: Optional[Path], text: str, what: str, colour: bool = False) -> None:
    """`text` on stdout, or written atomically to `output_file` (plan, convert)."""
    if output_file is None:
        click.echo(text, nl=False, color=colour)
        return
    from .files import write_atomically

    try:
        write_atomically(output_file, text)
    except OSError as error:
        _fail(f"could not write {output_file}: {error.strerror or error}")
    click.echo(displayable(f"Wrote {what} to {output_file}."), err=True)


def _options_of_one(
    path: Path,
    config_file: Optional[Path],
    input_format: Optional[str],
    durations: "Optional[MeasuredDurations]" = None,
) -> "FileOptions":
    """The options of one file named on the command line (plan, convert)."""
    from .config import ConfigError, ConfigResolver, Overrides

    try:
        overrides = Overrides(input_format=_input_format(input_format), durations=durations)
        resolver = ConfigResolver(config_file, overrides)
        options = resolver.options_for(path, explicit=True)
    except ConfigError as error:
        _fail(str(error))
    assert options is not None  # a file named explicitly is never skipped
    return options


def _measured(durations_file: Optional[Path]) -> "Optional[MeasuredDurations]":
    """The durations file of `--durations`; exit 2 at the line and column of
    what is wrong in it."""
    if durations_file is None:
        return None
    from .config import ConfigError, read_durations

    try:
        return read_durations(durations_file)
    except ConfigError as error:
        _fail(str(error))


def _echo_errors(findings: Iterable[Finding]) -> None:
    """Why a file could not be planned or converted, on stderr."""
    for item in findings:
        click.echo(displayable(f"{item.path}:{item.span.line}:{item.span.column}: {item.code} {item.message}"), err=True)


def render_check(report: "Report", output_format: str) -> str:
    """`check`'s report in one format: each is a module of recoverylint.report."""
    from importlib import import_module

    module = import_module(f".report.{output_format.replace('-', '_')}", __package__)
    return module.render(report)


def _render_plan(planned: "Plan", output_format: str, findings: list[Finding], colour: bool) -> str:
    if output_format == "json":
        from .report.plan_json import render as render_json

        return render_json(planned)
    if output_format == "mermaid":
        from .report.plan_mermaid import flowchart

        return flowchart(planned)
    if output_format == "mermaid-gantt":
        from .report.plan_mermaid import gantt

        return gantt(planned)
    if output_format == "dot":
        from .report.plan_dot import render as render_dot

        return render_dot(planned)
    if output_format == "html":
        from .report.plan_html import render as render_html

        return render_html(planned, findings)
    from .report.plan_text import render as render_text

    return render_text(planned, colour)


def _refuse_empty_name(output_file: Optional[Path]) -> None:
    """`--output ''` is Path('.'), the working folder: a usage error, said as one."""
    if output_file is not None and not output_file.name:
        raise click.BadParameter("an empty file name", param_hint="'--output'")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and os.path.samefile(a, b)
    except OSError:
        return False


# The catalog commands print text for people or JSON for tools.
_text_or_json = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


@cli.command()
@_text_or_json
def rules(output_format: str) -> None:
    """List every rule: code, name, default severity and summary."""
    from .catalog import catalog_codes, rule_doc

    docs = [rule_doc(code) for code in catalog_codes()]
    if output_format == "json":
        import json

        entries = [
            {
                "code": doc.code,
                "name": doc.name,
                "severity": doc.severity.value,
                "family": doc.family,
                "summary": doc.summary,
            }
            for doc in docs
        ]
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    name_width = max(len(doc.name) for doc in docs)
    severity_width = max(len(doc.severity.value) for doc in docs)
    for doc in docs:
        name = f"{doc.name:<{name_width}}"
        severity = f"{doc.severity.value:<{severity_width}}"
        click.echo(f"{doc.code}  {name}  {severity}  {doc.summary}")


@cli.command()
@click.argument("code")
@_text_or_json
@click.option(
    "--color/--no-color",
    default=None,
    help="Highlight the examples (default: when stdout is a terminal and NO_COLOR is unset).",
)
def rule(code: str, output_format: str, color: Optional[bool]) -> None:
    """Explain one rule (RL201, or its name): what it catches, why it matters,
    how to fix it, and examples."""
    from .catalog import catalog_codes, rule_doc
    from .rules._words import closest

    docs = {known: rule_doc(known) for known in catalog_codes()}
    by_name = {doc.name: doc for doc in docs.values()}
    doc = docs.get(code.strip().upper()) or by_name.get(code.strip())
    if doc is None:
        near = closest(code.strip().upper(), docs) or closest(code.strip(), by_name)
        if near in by_name:
            near = by_name[near].code
        hint = f"; did you mean {near} ({docs[near].name})?" if near else ""
        _fail(f"unknown rule `{code}`{hint} (`recoverylint rules` lists them all)")

    if output_format == "json":
        import json

        entry = {
            "code": doc.code,
            "name": doc.name,
            "severity": doc.severity.value,
            "family": doc.family,
            "summary": doc.summary,
            "rationale": doc.rationale,
            "fix": doc.how_to_fix,
            "examples": doc.examples,
        }
        click.echo(json.dumps(entry, indent=2, ensure_ascii=False))
        return

    colour = color if color is not None else _colour_by_default()
    click.echo(_explain(doc, colour), nl=False, color=colour)


def _explain(doc: RuleDoc, colour: bool) -> str:
    """A catalog entry for a person, in a fixed Markdown layout (as `ruff rule` prints)."""

    def heading(text: str) -> str:
        return click.style(text, bold=True) if colour else text

    if colour:  # pygments is imported only when colouring: it costs startup time
        from pygments import highlight
        from pygments.formatters import TerminalFormatter
        from pygments.lexers import YamlLexer

        lexer, formatter = YamlLexer(), TerminalFormatter()

        def example(text: str) -> str:
            return highlight(text, lexer, formatter)

    else:

        def example(text: str) -> str:
            return text

    from .catalog import explanation

    title = heading(f"{doc.code} {doc.name} ({doc.severity.value}, {doc.family})")
    return f"{title}\n\n{explanation(doc, heading, example)}"


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the runbook format."""
    from .schema import schema_text

    click.echo(schema_text(), nl=False)


def _display(path: Path) -> str:
    """Paths as the user would write them: relative to the working directory
    when inside it.  Only the folder is resolved, so a symlinked runbook keeps
    its own name."""
    try:
        shown = str(path.parent.resolve().relative_to(Path.cwd().resolve()) / path.name)
    except ValueError:
        shown = str(path)
    # A name that is not UTF-8 (Python holds its bytes as surrogates) is shown
    # with those bytes escaped, as every report must be valid UTF-8.
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _report_internal_error(shown_path: str, trace: str, consequence: str) -> None:
    click.echo(
        displayable(f"{shown_path}: internal error in recoverylint {__version__} (please report it); {consequence}:")
        + "\n" + displayable(trace, keep_line_breaks=True),
        err=True,
    )


def _internal_error(shown: str, trace: str, consequence: str) -> NoReturn:
    _report_internal_error(shown, trace, consequence)
    sys.exit(EXIT_ERROR)


def _fail(message: str) -> NoReturn:
    """A configuration, baseline or lookup error: one line on stderr, exit 2."""
    _say(f"error: {message}")
    sys.exit(EXIT_ERROR)


def _say(message: str) -> None:
    """A message of recoverylint's on stderr, on one line: what it quotes from
    a file, a file name or a configuration can start no line of its own (a
    GitHub workflow command in a CI log) nor drive the terminal."""
    click.echo(f"recoverylint: {displayable(message)}", err=True)


def _colour_by_default() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C


class _OutputFailed(Exception):
    """Writing to stdout or stderr failed: a full disk, a closed pipe.  Not
    an OSError, so that click, which ends a run on EPIPE with status 1 (the
    findings status), lets it through to main."""

    def __init__(self, stream: str, error: OSError) -> None:
        super().__init__(f"cannot write to {stream}: {error.strerror or error}")
        self.stream = stream
        self.error = error


class _Stream(io.RawIOBase):
    """A standard stream's file descriptor: a failed write raises
    _OutputFailed once, and later writes (Python's flush at exit among them)
    are dropped, so that nothing reports the same failure again."""

    def __init__(self, name: str, descriptor: int) -> None:
        super().__init__()
        self.name_shown = name
        self.descriptor = descriptor
        self.failed = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.descriptor

    def isatty(self) -> bool:
        return os.isatty(self.descriptor)

    def write(self, data: "bytes | memoryview") -> int:  # type: ignore[override]
        if self.failed:
            return len(data)
        try:
            return os.write(self.descriptor, data)
        except OSError as error:
            self.failed = True
            raise _OutputFailed(self.name_shown, error) from None


def _guarded(name: str, stream: "io.TextIOWrapper") -> "io.TextIOWrapper":
    """`stream` (sys.stdout or sys.stderr) rewritten over a _Stream, with its encoding."""
    return io.TextIOWrapper(
        io.BufferedWriter(_Stream(name, stream.fileno())),
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=stream.line_buffering,
    )


def main() -> None:
    """The console script: the command's exit status; 130 on Ctrl-C; 2 with
    one line of error when stdout cannot be written (nothing on a closed pipe,
    as other command-line tools do)."""
    try:
        sys.stdout.flush()
        sys.stdout = _guarded("stdout", sys.stdout)  # type: ignore[arg-type]
        sys.stderr = _guarded("stderr", sys.stderr)  # type: ignore[arg-type]
    except (AttributeError, OSError, ValueError):  # a stream without a descriptor: left as it is
        pass
    try:
        status = _run()
        sys.stdout.flush()  # what is still buffered fails here, where it can be reported
    except (KeyboardInterrupt, click.Abort):
        # At once: Python's exit would first wait for the threads of a worker
        # pool (runner ends its processes) to hand over work nobody reads.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except _OutputFailed:
                pass
        os._exit(EXIT_INTERRUPTED)
    except _OutputFailed as failure:
        status = EXIT_ERROR
        if failure.stream == "stdout" and failure.error.errno != errno.EPIPE:
            try:
                _say(f"error: {failure}")
                sys.stderr.flush()
            except _OutputFailed:  # stderr is gone too: the status says it
                pass
    except Exception:  # a bug of ours outside any one file: exit 2, never 1 (findings)
        import traceback

        status = EXIT_ERROR
        try:
            click.echo(
                f"recoverylint: internal error in recoverylint {__version__} (please report it):\n"
                + displayable(traceback.format_exc(limit=-8), keep_line_breaks=True),
                err=True,
            )
        except _OutputFailed:
            pass
    sys.exit(status)


def _run() -> int:
    """The command's exit status."""
    try:
        returned = cli.main(prog_name="recoverylint", standalone_mode=False)
    except click.ClickException as error:
        error.message = displayable(error.message)  # it may quote an option's value
        error.show()
        return error.exit_code
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else EXIT_CLEAN if exit.code is None else EXIT_ERROR
    return returned if isinstance(returned, int) else EXIT_CLEAN
