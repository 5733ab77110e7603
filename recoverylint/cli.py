"""The `recoverylint` command: click's declarations and printing.  What a run
does is `session`'s; what its output looks like is the reporters'; the
console's helpers print, write files and exit."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from . import __version__
from .cli_options import (
    LazyGroup,
    baseline_and_run_options,
    chosen_format,
    config_file_option,
    durations_option,
    fix_options,
    input_format_option,
    max_file_size_option,
    output_option,
    report_option,
    selection_options,
    simulation_options,
    simulation_seed,
)
from .console import (
    colour_by_default,
    echo_errors,
    fail,
    internal_error,
    no_cycles_to_collect,
    read_stdin,
    report_internal_error,
    run_console,
    say,
    stdout_dash,
    write_bytes,
    write_file,
    write_fixed_stdin,
    write_output,
)
from .report import FIX_SHOWING_FORMATS, format_names
from .report.shown import shown as displayable
from .severity import Severity

if TYPE_CHECKING:
    from .session import CheckRun

CHECK_FORMATS = format_names("check")
PLAN_FORMATS = format_names("plan")
# check's formats for machines: they write every control character as an
# escape (report.shown, JSON's \u001b), so a report holds no terminal code
# for click to strip and is written without that scan of the whole text.
_NO_TERMINAL_CODES = frozenset({"json", "json-lines", "sarif", "junit", "github", "gitlab"})
# Below this many files a run is short: no progress bar.
_PROGRESS_MIN_FILES = 100
_Result = TypeVar("_Result")  # what a session of a command gives


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="recoverylint")
def cli() -> None:
    """Lint incident-recovery runbooks: false gates, premature parallelism, and the order the work really needs."""


@cli.command(short_help="Check runbooks: the files named, and the runbooks under the directories named (default: .).")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, allow_dash=True, path_type=Path))
@click.option(
    "--format", "output_format", type=click.Choice(CHECK_FORMATS), default=None,
    help="Output format: full (default: findings with their source lines), concise"
    " (path:line:col: CODE [severity] message), json, json-lines, sarif, github (workflow annotations),"
    " junit, gitlab (Code Quality).  With GITHUB_ACTIONS=true and no --format: full and"
    " github annotations.",
)
@output_option("the report", "--output-file")
@click.option(
    "--report", "reports", metavar="FORMAT:FILE", multiple=True, callback=report_option,
    help="Also write a report in FORMAT to FILE, in the same run (repeatable): --report sarif:recoverylint.sarif.",
)
@click.option(
    "--stdin-filename", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="With the path `-` (read the runbook from standard input): the name its findings give,"
    " and where its configuration is looked up from.",
)
@config_file_option
@selection_options
@input_format_option
@click.option("--verbose", "-v", is_flag=True,
    help="Also say, once per input format read, which rules it skips and why (on"
    " stderr).",
)
@click.option(
    "--fail-on", type=click.Choice(["error", "warning", "info"]), default=None,
    help="Exit 1 when a finding of this severity or above is reported (default: the configuration's fail-on,"
    " else warning).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported (2 stays 2).")
@fix_options
@click.option("--statistics", is_flag=True,
    help="Print the number of findings per rule instead of the findings (full, concise or"
    " json).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print the findings only: no summary and no notes.")
@baseline_and_run_options
@click.option("--color/--no-color", default=None,
    help="Colour the full output (default: when stdout is a terminal and NO_COLOR is"
    " unset).",
)
@max_file_size_option
@durations_option
def check(**options: Any) -> None:
    """Check runbooks: the files named, and the runbooks under the directories named
    (default: .); `-` reads one runbook from standard input.

    Exit status: 0 nothing at or above --fail-on (or --exit-zero), 1 findings at or above
    it (with --diff: fixes to show), 2 a usage error, a configuration or baseline error,
    a file that could not be written (stdout too), or an internal error; 130 when
    interrupted (Ctrl-C).  A run that finds no runbook warns on stderr and exits 0.
    """
    from .config import Overrides
    from .session import CheckRequest, SessionError, read_durations_file, run_check

    o = options
    output_format, output_file, reports = o["output_format"], stdout_dash(o["output_file"]), o["reports"]
    fix, diff = o["fix"], o["diff"]
    if o["baseline_file"] is not None and o["write_baseline_file"] is not None:
        raise click.UsageError("--baseline and --write-baseline cannot be used together")
    if (fix or diff) and o["write_baseline_file"] is not None:
        raise click.UsageError("--fix and --diff cannot be used with --write-baseline")
    if o["unsafe_fixes"] and not (fix or diff):
        raise click.UsageError("--unsafe-fixes applies fixes only with --fix or --diff")
    if diff and (output_format or output_file or reports or o["statistics"]):
        raise click.UsageError("--diff prints a diff: --format, --output-file, --report and --statistics do not apply")
    if o["statistics"] and output_format not in (None, *format_names("statistics")):
        raise click.UsageError("--statistics prints full, concise or json, not " + str(output_format))
    stdin = Path("-") in o["paths"]
    if stdin and len(o["paths"]) > 1:
        raise click.UsageError("`-` (standard input) is checked alone: name no other path")
    if o["stdin_filename"] is not None and not stdin:
        raise click.UsageError("--stdin-filename names standard input: pass `-` as the path")
    annotate = output_format is None and os.environ.get("GITHUB_ACTIONS") == "true"
    output_format = output_format or "full"
    targets = [file for _, file in reports] + ([output_file] if output_file is not None else [])
    seen: set[str] = set()
    for file in targets:
        if not file.name:
            raise click.BadParameter("an empty file name", param_hint="'--output' / '--report'")
        if os.path.realpath(file) in seen:
            raise click.UsageError(f"{file} is named for two reports")
        seen.add(os.path.realpath(file))

    human = output_format in ("full", "concise") and output_file is None and not o["quiet"]

    @contextmanager
    def progress(files: int) -> Iterator[Callable[[], None]]:
        if not (human and files >= _PROGRESS_MIN_FILES and sys.stderr.isatty()):
            yield lambda: None
            return
        with click.progressbar(length=files, label="Checking", file=sys.stderr) as bar:
            yield lambda: bar.update(1)

    stdin_data = read_stdin(o["max_file_size"]) if stdin else None
    if stdin_data is not None:
        from .stdin_and_fixes import StandardInput
    try:
        overrides = Overrides(
            o["select"], o["ignore"], None if o["fail_on"] is None else Severity(o["fail_on"]), o["exclude"],
            chosen_format(o["input_format"]), read_durations_file(o["durations_file"]),
        )
        request = CheckRequest(
            paths=o["paths"],
            stdin=None if stdin_data is None else StandardInput(stdin_data, o["stdin_filename"]),
            config_file=o["config_file"], overrides=overrides, skip_non_runbooks=o["skip_non_runbooks"],
            fix=None if not (fix or diff) else "unsafe" if o["unsafe_fixes"] else "safe", write_fixes=not diff,
            baseline_file=o["baseline_file"], write_baseline_file=o["write_baseline_file"],
            cache_dir=None if o["no_cache"] else _cache_dir(),
            jobs=o["jobs"], max_file_size=o["max_file_size"], exit_zero=o["exit_zero"], report_files=tuple(targets),
            verbose=o["verbose"], progress=progress, count_fixes=bool(
                o["statistics"] or {output_format, *(name for name, _ in reports)} & FIX_SHOWING_FORMATS
            ),
            report_formats=() if o["statistics"] or annotate else (output_format, *(name for name, _ in reports)),
        )
        no_cycles_to_collect()
        run = run_check(request)
    except SessionError as error:
        fail(str(error))
    _show_check(run, o, output_format, output_file, annotate, stdin_data if fix else None)


def _show_check(
    run: CheckRun, o: dict[str, Any], output_format: str, output_file: Path | None, annotate: bool,
    fixed_stdin: bytes | None,
) -> NoReturn:
    """Print what `check` found, write its reports, and exit with its code."""
    from .report import ReportPart, joined, pieces_utf8, render

    for note in run.verbose_notes:
        say(note)
    for shown, trace in run.internal_errors:
        report_internal_error(shown, trace, "this file was not checked")
    for problem in run.errors:
        say(f"error: {problem}")
    if run.failure is not None:
        fail(run.failure)
    if run.no_runbook:
        named = ", ".join(str(path) for path in o["paths"]) or "."
        say(f"warning: no runbook found under the given path(s): {named}")
    if o["write_baseline_file"] is not None:
        for said in run.baseline_notes:
            # On stderr with machine formats, so that stdout stays machine-readable.
            click.echo(displayable(said), err=output_format != "full")
        sys.exit(run.exit_code)
    if o["diff"]:
        from .report.diff import unified_diff  # difflib: only for --diff

        click.echo("".join(unified_diff(fixed.shown, fixed.before, fixed.after) for fixed in run.fixed), nl=False)
        if not o["quiet"]:
            for note in run.notes:
                say(note)
        sys.exit(run.exit_code)

    if fixed_stdin is not None:  # the runbook on stdout, the report on stderr
        write_fixed_stdin(fixed_stdin, run.fixed[0].after if run.fixed else None)
    to_terminal = output_file is None and fixed_stdin is None
    colour = output_format == "full" and (o["color"] if o["color"] is not None else to_terminal and colour_by_default())
    report = replace(run.report, colour=colour, summary=not o["quiet"])
    for extra_format, file in o["reports"]:
        write_file(file, render("check", extra_format, replace(report, colour=False)))
    if o["statistics"]:
        text: str | list[ReportPart] = render("statistics", output_format, report)
    elif report.written is not None:  # the files' parts in UTF-8, never made text nor joined (issue 16)
        text = pieces_utf8(output_format, report)
    else:
        text = render("check", output_format, report)
        if annotate:
            text = render("check", "github", report) + text
    if output_file is not None:
        write_file(output_file, text if isinstance(text, str) else joined(text).decode())
    elif isinstance(text, str) and output_format not in _NO_TERMINAL_CODES:
        click.echo(text, nl=False, color=colour, err=fixed_stdin is not None)
    else:  # bytes, without click's scan for ANSI codes; pieces written with one flush
        pieces = [text.encode("utf-8", "surrogateescape")] if isinstance(text, str) else text
        write_bytes(pieces, err=fixed_stdin is not None)
    if not o["quiet"]:
        for note in run.notes:  # on stderr for machine formats: stdout keeps the documented shape
            if output_format == "full" and to_terminal:
                click.echo(displayable(note))
            else:
                say(note)
    sys.exit(run.exit_code)


@cli.command(
    short_help="Plan one runbook file: the order the work requires, its critical path, waves, schedule and the"
    " minutes saved.",
)
@click.argument("runbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format", "output_format", type=click.Choice(PLAN_FORMATS), default="text", show_default=True,
    help="text: summary, critical path, waves and a terminal Gantt; json; mermaid: a"
    " flowchart of the required order; mermaid-gantt: both schedules; dot: Graphviz of the"
    " declared order; html: one self-contained report.",
)
@output_option("the plan")
@max_file_size_option
@config_file_option
@input_format_option
@click.option("--color/--no-color", default=None,
    help="Colour the text format (default: when writing to a terminal and NO_COLOR is"
    " unset).",
)
@durations_option
@simulation_options
def plan(
    runbook: Path, output_format: str, output_file: Path | None, config_file: Path | None, input_format: str | None,
    color: bool | None, max_file_size: int | None, durations_file: Path | None, simulate_runs: int | None,
    seed: int | None,
) -> None:
    """Plan one runbook file, RUNBOOK: the declared order and the order the work requires,
    each with its critical path, waves and staffed schedule, and the minutes (and money)
    the better order saves.  To plan several runbooks, run it once per file.

    Exit status: 0 planned, 2 when the runbook cannot be planned (unreadable, not a
    runbook, invalid, repeated step ids, a cycle) or on a usage or configuration error.
    """
    from .report import CannotRender
    from .report.plans import pieces
    from .report.views import PlanView
    from .session import read_durations_file
    from .session_plan import PlanRequest, run_plan

    output_file = stdout_dash(output_file)
    chosen_seed = simulation_seed(output_format, simulate_runs, seed)
    no_cycles_to_collect()
    planned = _session_result(lambda: run_plan(PlanRequest(
        runbook, output_format == "html", config_file, chosen_format(input_format),
        read_durations_file(durations_file), max_file_size, output_file, simulate_runs, chosen_seed,
    )))
    colour = output_format == "text" and (color if color is not None else output_file is None and colour_by_default())
    try:
        written = pieces(output_format, PlanView(planned.plan, planned.findings, colour, planned.simulation))
    except CannotRender as error:
        fail(f"{planned.shown}: {error}")
    except Exception:  # a bug of ours in one format: say so, as for check
        import traceback

        internal_error(planned.shown, traceback.format_exc(limit=-8), f"no {output_format} was written")
    write_output(output_file, written, f"the {output_format} plan of {planned.shown}", colour)


@cli.command(
    short_help="Convert one workflow file of another format (see --input-format) into a native runbook.",
)
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_option("the native runbook (never over an existing file unless --force)")
@click.option("--force", is_flag=True, help="With --output, replace an existing file.")
@input_format_option
@config_file_option
@max_file_size_option
def convert(source: Path, output_file: Path | None, force: bool, input_format: str | None,
            config_file: Path | None, max_file_size: int | None) -> None:
    """Write one workflow file, SOURCE (a workflow, playbook, job or Markdown page of
    another format recoverylint reads: see --input-format), as the equivalent native runbook: the same steps, waits,
    facts, resources and alternatives, ready for roles, phases and durations.  To
    convert several files, run it once per file.

    Exit status: 0 converted, 2 when SOURCE cannot be read as a workflow of a format
    recoverylint reads, is already a native runbook, or on a usage error.
    """
    from .session_plan import ConvertRequest, run_convert

    output_file = stdout_dash(output_file)
    converted = _session_result(lambda: run_convert(
        ConvertRequest(source, output_file, force, config_file, chosen_format(input_format), max_file_size)
    ))
    write_output(output_file, converted.text, f"the native runbook converted from {converted.shown}")


# The catalog commands print text for people or JSON for tools.
_text_or_json = click.option(
    "--format", "output_format", type=click.Choice(format_names("rules")), default="text", show_default=True,
    help="Output format.",
)


@cli.command(short_help="List every rule: code, name, default severity and summary.")
@_text_or_json
@output_option("the list")
def rules(output_format: str, output_file: Path | None) -> None:
    """List every rule: code, name, default severity and summary."""
    from .catalog import catalog_codes, rule_doc
    from .report import render

    text = render("rules", output_format, tuple(rule_doc(code) for code in catalog_codes()))
    write_output(stdout_dash(output_file), text, "the rules")


@cli.command(short_help="Explain one rule (RL201, or its name), or list the rules a code prefix names (RL2).")
@click.argument("code")
@_text_or_json
@click.option("--color/--no-color", default=None,
    help="Highlight the examples (default: when stdout is a terminal and NO_COLOR is"
    " unset).",
)
@output_option("the explanation")
def rule(code: str, output_format: str, color: bool | None, output_file: Path | None) -> None:
    """Explain one rule (RL201, or its name): what it catches, why it matters,
    how to fix it, and examples.  A code prefix (RL2) lists the rules it names."""
    from .catalog import catalog_codes, rule_doc
    from .report import render
    from .report.views import RuleView
    from .words import closest

    output_file = stdout_dash(output_file)
    docs = {known: rule_doc(known) for known in catalog_codes()}
    by_name = {doc.name: doc for doc in docs.values()}
    asked = code.strip()
    doc = docs.get(asked.upper()) or by_name.get(asked)
    if doc is None:
        named = tuple(found for known, found in docs.items() if asked and known.startswith(asked.upper()))
        if named:
            write_output(output_file, render("rules", output_format, named), f"the rules {asked.upper()}")
            return
        near = closest(asked.upper(), docs) or closest(asked, by_name)
        if near in by_name:
            near = by_name[near].code
        hint = f"; did you mean {near} ({docs[near].name})?" if near else ""
        fail(f"unknown rule `{code}`{hint} (`recoverylint rules` lists them all)")
    colour = output_format == "text" and (color if color is not None else output_file is None and colour_by_default())
    text = render("rule", output_format, RuleView(doc, colour))
    write_output(output_file, text, f"the explanation of {doc.code}", colour)


@cli.command(short_help="Print the JSON Schema of the runbook format.")
@output_option("the schema")
def schema(output_file: Path | None) -> None:
    """Print the JSON Schema of the runbook format."""
    from .schema import schema_text

    write_output(stdout_dash(output_file), schema_text(), "the JSON Schema")


@cli.command(short_help="Remove the result cache (.recoverylint_cache/, or the folder RECOVERYLINT_CACHE_DIR names).")
def clean() -> None:
    """Remove the result cache: .recoverylint_cache/ in the working folder, or the
    folder RECOVERYLINT_CACHE_DIR names.  Only what the cache wrote is deleted."""
    from .session import SessionError, clean_cache

    directory = _cache_dir()
    try:
        removed = clean_cache(directory)
    except SessionError as error:
        fail(str(error))
    say(f"removed the cache {directory}" if removed else f"no cache to remove at {directory}")


def main() -> NoReturn:
    """The console script: the command's exit status; 130 on Ctrl-C; 2 with
    one line of error when stdout cannot be written (nothing on a closed pipe,
    as other command-line tools do)."""
    run_console(cli)


def _session_result(run: Callable[[], _Result]) -> _Result:
    """What a plan or convert session gives; its errors said and the run ended
    as every command ends them (exit 2)."""
    from .session import InternalError, NotPlanned, SessionError

    try:
        return run()
    except InternalError as error:
        internal_error(error.shown, error.trace, str(error))
    except NotPlanned as error:
        echo_errors(error.findings)
        fail(str(error))
    except SessionError as error:
        fail(str(error))


def _cache_dir() -> Path:
    return Path(os.environ.get("RECOVERYLINT_CACHE_DIR") or ".recoverylint_cache")
