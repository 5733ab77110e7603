"""The `recoverylint` command: options, printing and exit codes.  What a run
does is `session`'s; what its output looks like is the reporters'."""

from __future__ import annotations

import errno
import os
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, NoReturn, Optional

import click

from . import __version__
from .finding import Finding, Severity
from .report import format_names
from .report.shown import shown as displayable
from .settings import INPUT_FORMATS
from .streams import OutputFailed, guarded

if TYPE_CHECKING:
    from .config import Glob
    from .session import CheckRun

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C
CHECK_FORMATS = format_names("check")
PLAN_FORMATS = format_names("plan")
# Below this many files a run is short: no progress bar.
_PROGRESS_MIN_FILES = 100


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="recoverylint")
def cli() -> None:
    """Lint incident-recovery runbooks: false gates, premature parallelism, and the order the work really needs."""


def _codes_option(ignoring: bool) -> Callable[[click.Context, click.Parameter, Optional[str]], Optional[tuple[str, ...]]]:
    """A click callback: comma-separated rule codes or prefixes, checked against the catalog."""

    def parse(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> Optional[tuple[str, ...]]:
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


def _exclude_option(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[Glob, ...]:
    from .config import Glob

    globs = []
    for pattern in value:
        try:
            globs.append(Glob(pattern))
        except ValueError as error:
            raise click.BadParameter(f"the glob `{pattern}` {error}") from None
    return tuple(globs)


def _report_option(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[tuple[str, Path], ...]:
    reports = []
    for item in value:
        output_format, colon, file = item.partition(":")
        if not colon or not file:
            raise click.BadParameter(f"`{item}` is not FORMAT:FILE (for example sarif:report.sarif)")
        if output_format not in CHECK_FORMATS:
            raise click.BadParameter(f"unknown format `{output_format}` in `{item}`; choose from {', '.join(CHECK_FORMATS)}")
        reports.append((output_format, Path(file)))
    return tuple(reports)


def _output_option(what: str, *names: str) -> Callable[[Any], Any]:
    """-o/--output, the same in every command: a file to write `what` to
    (replaced atomically; `-` is stdout) instead of stdout."""
    return click.option(
        "--output", "-o", *names, "output_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help=f"Write {what} to this file (replaced atomically; `-` is stdout) instead of stdout.",
    )


_config_file_option = click.option(
    "--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="Use this configuration file for every file (default: the closest .recoverylint.yaml,"
    " or pyproject.toml with [tool.recoverylint], from each file's folder upward).",
)
_durations_option = click.option(
    # Not click's own checks: every unreadable durations file (missing, a
    # folder, a FIFO) is reported as file:line:column by read_durations.
    "--durations", "durations_file", type=click.Path(path_type=Path), metavar="FILE", default=None,
    help="Minutes measured for steps (YAML or JSON: runbook id -> step id -> minutes or"
    " {min, likely, max}); they override the runbooks' durations and every default.",
)
_max_file_size_option = click.option(
    "--max-file-size", type=click.IntRange(min=1), default=None,
    help="Largest file to read, in bytes (default 10 MB); larger files are an RL001 finding.",
)
_input_format_option = click.option(
    "--input-format", type=click.Choice(("auto", *INPUT_FORMATS)), default=None,
    help="Read files as this format (default: auto, or the configuration's input-format:"
    " detect each file's). With native, files found in directories are read only when they"
    " have a `runbook` key.",
)


def _input_format(value: Optional[str]) -> Optional[str]:
    """The --input-format option as configuration takes it (auto: detect)."""
    return None if value in (None, "auto") else value


@cli.command(short_help="Check runbooks: the files named, and the runbooks under the directories named (default: .).")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, allow_dash=True, path_type=Path))
@click.option(
    "--format", "output_format", type=click.Choice(CHECK_FORMATS), default=None,
    help="Output format: full (default: findings with their source lines), concise"
    " (path:line:col: CODE [severity] message), json, json-lines, sarif, github (workflow annotations),"
    " junit, gitlab (Code Quality).  With GITHUB_ACTIONS=true and no --format: full and"
    " github annotations.",
)
@_output_option("the report", "--output-file")
@click.option(
    "--report", "reports", metavar="FORMAT:FILE", multiple=True, callback=_report_option,
    help="Also write a report in FORMAT to FILE, in the same run (repeatable): --report sarif:recoverylint.sarif.",
)
@click.option(
    "--stdin-filename", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="With the path `-` (read the runbook from standard input): the name its findings give,"
    " and where its configuration is looked up from.",
)
@_config_file_option
@click.option(
    "--select", metavar="CODES", callback=_codes_option(ignoring=False),
    help="Comma-separated rule codes or prefixes to report (RL2,RL301); replaces the configuration's.",
)
@click.option(
    "--ignore", metavar="CODES", callback=_codes_option(ignoring=True),
    help="Comma-separated rule codes or prefixes not to report; replaces the configuration's.",
)
@click.option(
    "--exclude", metavar="GLOB", multiple=True, callback=_exclude_option,
    help="Skip files found in directories whose path from the current directory matches GLOB"
    " (repeatable; adds to the configuration's exclude).",
)
@click.option(
    "--skip-non-runbooks", is_flag=True,
    help="Skip files named on the command line that are not runbooks (no top-level `runbook`"
    " key, and no workflow of a format recoverylint reads) instead of reporting RL003, as for"
    " files found in directories (for pre-commit).",
)
@_input_format_option
@click.option("--verbose", "-v", is_flag=True, help="Also say, once per input format read, which rules it skips and why (on stderr).")
@click.option(
    "--fail-on", type=click.Choice(["error", "warning", "info"]), default=None,
    help="Exit 1 when a finding of this severity or above is reported (default: the configuration's fail-on, else warning).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported (2 stays 2).")
@click.option(
    "--fix", is_flag=True,
    help="Apply safe fixes in place (redundant and false-gate `needs` entries), then report what remains."
    " With `-`: print the fixed runbook on stdout, and the report on stderr.",
)
@click.option(
    "--unsafe-fixes", is_flag=True,
    help="With --fix or --diff, also apply unsafe fixes (a checklist restructured as"
    " `flow: parallel`): they change what may run at once; review them.",
)
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them; exit 1 when there are some.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings (full, concise or json).")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings only: no summary and no notes.")
@click.option(
    "--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Report only findings that are not in this baseline file.",
)
@click.option(
    "--write-baseline", "write_baseline_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Record every finding in this baseline file, and exit 0 (1 when a file could not be checked).",
)
@click.option(
    "--no-cache", is_flag=True,
    help="Check every file again, ignoring and not writing the cache (.recoverylint_cache/, or"
    " the folder RECOVERYLINT_CACHE_DIR names; `recoverylint clean` removes it).",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None,
    help="Check files in this many processes (default: the number of CPUs; runs of few files use one).",
)
@click.option("--color/--no-color", default=None, help="Colour the full output (default: when stdout is a terminal and NO_COLOR is unset).")
@_max_file_size_option
@_durations_option
def check(**options: Any) -> None:
    """Check runbooks: the files named, and the runbooks under the directories named
    (default: .); `-` reads one runbook from standard input.

    Exit status: 0 nothing at or above --fail-on (or --exit-zero), 1 findings at or above
    it (with --diff: fixes to show), 2 a usage error, a configuration or baseline error,
    a file that could not be written (stdout too), or an internal error; 130 when
    interrupted (Ctrl-C).  A run that finds no runbook warns on stderr and exits 0.
    """
    from .config import Overrides
    from .session import (
        CheckRequest,
        SessionError,
        StandardInput,
        read_durations_file,
        run_check,
    )

    o = options
    output_format, output_file, reports, fix, diff = o["output_format"], _stdout_dash(o["output_file"]), o["reports"], o["fix"], o["diff"]
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

    stdin_data = _read_stdin(o["max_file_size"]) if stdin else None
    try:
        overrides = Overrides(
            o["select"], o["ignore"], None if o["fail_on"] is None else Severity(o["fail_on"]), o["exclude"],
            _input_format(o["input_format"]), read_durations_file(o["durations_file"]),
        )
        request = CheckRequest(
            paths=o["paths"],
            stdin=None if stdin_data is None else StandardInput(stdin_data, o["stdin_filename"]),
            config_file=o["config_file"], overrides=overrides, skip_non_runbooks=o["skip_non_runbooks"],
            fix=None if not (fix or diff) else "unsafe" if o["unsafe_fixes"] else "safe", write_fixes=not diff,
            baseline_file=o["baseline_file"], write_baseline_file=o["write_baseline_file"],
            cache_dir=None if o["no_cache"] else Path(os.environ.get("RECOVERYLINT_CACHE_DIR") or ".recoverylint_cache"),
            jobs=o["jobs"], max_file_size=o["max_file_size"], exit_zero=o["exit_zero"], report_files=tuple(targets),
            verbose=o["verbose"], progress=progress,
        )
        run = run_check(request)
    except SessionError as error:
        _fail(str(error))
    _show_check(run, o, output_format, output_file, annotate, stdin_data if fix else None)


def _show_check(
    run: CheckRun, o: dict[str, Any], output_format: str, output_file: Optional[Path], annotate: bool,
    fixed_stdin: Optional[bytes],
) -> NoReturn:
    """Print what `check` found, write its reports, and exit with its code."""
    from .report import render
    from .report.diff import unified_diff

    for note in run.verbose_notes:
        _say(note)
    for shown, trace in run.internal_errors:
        _report_internal_error(shown, trace, "this file was not checked")
    for problem in run.errors:
        _say(f"error: {problem}")
    if run.failure is not None:
        _fail(run.failure)
    if run.no_runbook:
        named = ", ".join(str(path) for path in o["paths"]) or "."
        _say(f"warning: no runbook found under the given path(s): {named}")
    if o["write_baseline_file"] is not None:
        for said in run.baseline_notes:
            # On stderr with machine formats, so that stdout stays machine-readable.
            click.echo(displayable(said), err=output_format != "full")
        sys.exit(run.exit_code)
    if o["diff"]:
        click.echo("".join(unified_diff(fixed.shown, fixed.before, fixed.after) for fixed in run.fixed), nl=False)
        if not o["quiet"]:
            for note in run.notes:
                _say(note)
        sys.exit(run.exit_code)

    if fixed_stdin is not None:  # the runbook on stdout (as it came when it has no text to fix), the report on stderr
        bom = b"\xef\xbb\xbf" if fixed_stdin.startswith(b"\xef\xbb\xbf") else b""
        fixed = fixed_stdin if run.stdin_text is None else bom + run.stdin_text.encode("utf-8")
        click.get_binary_stream("stdout").write(fixed)
    to_terminal = output_file is None and fixed_stdin is None
    colour = output_format == "full" and (o["color"] if o["color"] is not None else to_terminal and _colour_by_default())
    report = replace(run.report, colour=colour, summary=not o["quiet"])
    for extra_format, file in o["reports"]:
        _write_file(file, render("check", extra_format, replace(report, colour=False)))
    if o["statistics"]:
        text = render("statistics", output_format, report)
    else:
        text = render("check", output_format, report)
        if annotate:
            text = render("check", "github", report) + text
    if output_file is not None:
        _write_file(output_file, text)
    else:
        click.echo(text, nl=False, color=colour, err=fixed_stdin is not None)
    if not o["quiet"]:
        for note in run.notes:  # on stderr for machine formats: stdout keeps the documented shape
            if output_format == "full" and to_terminal:
                click.echo(displayable(note))
            else:
                _say(note)
    sys.exit(run.exit_code)


def _read_stdin(max_file_size: Optional[int]) -> bytes:
    """Standard input's bytes, one more than the size limit at most (that
    one makes an RL001 finding, and no input is read without end)."""
    from .source import Limits

    limit = (Limits() if max_file_size is None else Limits(max_file_size=max_file_size)).max_file_size
    stream = click.get_binary_stream("stdin")
    data = bytearray()
    while len(data) <= limit:
        chunk = stream.read(limit + 1 - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


@cli.command(short_help="Plan one runbook file: the order the work requires, its critical path, waves, schedule and the minutes saved.")
@click.argument("runbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format", "output_format", type=click.Choice(PLAN_FORMATS), default="text", show_default=True,
    help="text: summary, critical path, waves and a terminal Gantt; json; mermaid: a"
    " flowchart of the required order; mermaid-gantt: both schedules; dot: Graphviz of the"
    " declared order; html: one self-contained report.",
)
@_output_option("the plan")
@_max_file_size_option
@_config_file_option
@_input_format_option
@click.option("--color/--no-color", default=None, help="Colour the text format (default: when writing to a terminal and NO_COLOR is unset).")
@_durations_option
def plan(runbook: Path, output_format: str, output_file: Optional[Path], config_file: Optional[Path], input_format: Optional[str],
         color: Optional[bool], max_file_size: Optional[int], durations_file: Optional[Path]) -> None:
    """Plan one runbook file, RUNBOOK: the declared order and the order the work requires,
    each with its critical path, waves and staffed schedule, and the minutes (and money)
    the better order saves.  To plan several runbooks, run it once per file.

    Exit status: 0 planned, 2 when the runbook cannot be planned (unreadable, not a
    runbook, invalid, repeated step ids, a cycle) or on a usage or configuration error.
    """
    from .report import CannotRender, PlanView, render
    from .session import (
        InternalError,
        NotPlanned,
        PlanRequest,
        SessionError,
        read_durations_file,
        run_plan,
    )

    output_file = _stdout_dash(output_file)
    try:
        planned = run_plan(PlanRequest(
            runbook, output_format == "html", config_file, _input_format(input_format),
            read_durations_file(durations_file), max_file_size, output_file,
        ))
    except InternalError as error:
        _internal_error(error.shown, error.trace, str(error))
    except NotPlanned as error:
        _echo_errors(error.findings)
        _fail(str(error))
    except SessionError as error:
        _fail(str(error))
    colour = output_format == "text" and (color if color is not None else output_file is None and _colour_by_default())
    try:
        text = render("plan", output_format, PlanView(planned.plan, planned.findings, colour))
    except CannotRender as error:
        _fail(f"{planned.shown}: {error}")
    except Exception:  # noqa: BLE001  # a bug of ours in one format: say so, as for check
        import traceback

        _internal_error(planned.shown, traceback.format_exc(limit=-8), f"no {output_format} was written")
    _write_output(output_file, text, f"the {output_format} plan of {planned.shown}", colour)


@cli.command(short_help="Convert one workflow file (SSM, Argo, Tekton, GitHub Actions, Orquesta or ActionChain) into a native runbook.")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_output_option("the native runbook (never over an existing file unless --force)")
@click.option("--force", is_flag=True, help="With --output, replace an existing file.")
@_input_format_option
@_config_file_option
@_max_file_size_option
def convert(source: Path, output_file: Optional[Path], force: bool, input_format: Optional[str],
            config_file: Optional[Path], max_file_size: Optional[int]) -> None:
    """Write one workflow file, SOURCE (an SSM, Argo, Tekton, GitHub Actions, Orquesta
    or ActionChain workflow), as the equivalent native runbook: the same steps, waits,
    facts, resources and alternatives, ready for roles, phases and durations.  To
    convert several files, run it once per file.

    Exit status: 0 converted, 2 when SOURCE cannot be read as a workflow of a format
    recoverylint reads, is already a native runbook, or on a usage error.
    """
    from .session import (
        ConvertRequest,
        InternalError,
        NotPlanned,
        SessionError,
        run_convert,
    )

    output_file = _stdout_dash(output_file)
    try:
        converted = run_convert(ConvertRequest(source, output_file, force, config_file, _input_format(input_format), max_file_size))
    except InternalError as error:
        _internal_error(error.shown, error.trace, str(error))
    except NotPlanned as error:
        _echo_errors(error.findings)
        _fail(str(error))
    except SessionError as error:
        _fail(str(error))
    _write_output(output_file, converted.text, f"the native runbook converted from {converted.shown}")


def _stdout_dash(output_file: Optional[Path]) -> Optional[Path]:
    """-o as every command takes it: `-` is stdout, and `''` (the working folder) a usage error."""
    if output_file is not None and str(output_file) == "-":
        return None
    if output_file is not None and not output_file.name:
        raise click.BadParameter("an empty file name", param_hint="'--output'")
    return output_file


def _write_output(output_file: Optional[Path], text: str, what: str, colour: bool = False) -> None:
    """`text` on stdout, or written atomically to `output_file`, saying so on stderr."""
    if output_file is None:
        click.echo(text, nl=False, color=colour)
        return
    _write_file(output_file, text)
    click.echo(displayable(f"Wrote {what} to {output_file}."), err=True)


def _write_file(file: Path, text: str) -> None:
    from .files import write_atomically

    try:
        write_atomically(file, text)
    except OSError as error:
        _fail(f"could not write {file}: {error.strerror or error}")


def _echo_errors(findings: Iterable[Finding]) -> None:
    """Why a file could not be planned or converted, on stderr."""
    for item in findings:
        click.echo(displayable(f"{item.path}:{item.span.line}:{item.span.column}: {item.code} {item.message}"), err=True)


# The catalog commands print text for people or JSON for tools.
_text_or_json = click.option("--format", "output_format", type=click.Choice(format_names("rules")), default="text", show_default=True, help="Output format.")


@cli.command(short_help="List every rule: code, name, default severity and summary.")
@_text_or_json
@_output_option("the list")
def rules(output_format: str, output_file: Optional[Path]) -> None:
    """List every rule: code, name, default severity and summary."""
    from .catalog import catalog_codes, rule_doc
    from .report import render

    text = render("rules", output_format, tuple(rule_doc(code) for code in catalog_codes()))
    _write_output(_stdout_dash(output_file), text, "the rules")


@cli.command(short_help="Explain one rule (RL201, or its name), or list the rules a code prefix names (RL2).")
@click.argument("code")
@_text_or_json
@click.option("--color/--no-color", default=None, help="Highlight the examples (default: when stdout is a terminal and NO_COLOR is unset).")
@_output_option("the explanation")
def rule(code: str, output_format: str, color: Optional[bool], output_file: Optional[Path]) -> None:
    """Explain one rule (RL201, or its name): what it catches, why it matters,
    how to fix it, and examples.  A code prefix (RL2) lists the rules it names."""
    from .catalog import catalog_codes, rule_doc
    from .report import RuleView, render
    from .rules._words import closest

    output_file = _stdout_dash(output_file)
    docs = {known: rule_doc(known) for known in catalog_codes()}
    by_name = {doc.name: doc for doc in docs.values()}
    asked = code.strip()
    doc = docs.get(asked.upper()) or by_name.get(asked)
    if doc is None:
        named = tuple(found for known, found in docs.items() if asked and known.startswith(asked.upper()))
        if named:
            _write_output(output_file, render("rules", output_format, named), f"the rules {asked.upper()}")
            return
        near = closest(asked.upper(), docs) or closest(asked, by_name)
        if near in by_name:
            near = by_name[near].code
        hint = f"; did you mean {near} ({docs[near].name})?" if near else ""
        _fail(f"unknown rule `{code}`{hint} (`recoverylint rules` lists them all)")
    colour = output_format == "text" and (color if color is not None else output_file is None and _colour_by_default())
    _write_output(output_file, render("rule", output_format, RuleView(doc, colour)), f"the explanation of {doc.code}", colour)


@cli.command(short_help="Print the JSON Schema of the runbook format.")
@_output_option("the schema")
def schema(output_file: Optional[Path]) -> None:
    """Print the JSON Schema of the runbook format."""
    from .schema import schema_text

    _write_output(_stdout_dash(output_file), schema_text(), "the JSON Schema")


@cli.command(short_help="Remove the result cache (.recoverylint_cache/, or the folder RECOVERYLINT_CACHE_DIR names).")
def clean() -> None:
    """Remove the result cache: .recoverylint_cache/ in the working folder, or the
    folder RECOVERYLINT_CACHE_DIR names.  Only what the cache wrote is deleted."""
    from .session import SessionError, clean_cache

    directory = Path(os.environ.get("RECOVERYLINT_CACHE_DIR") or ".recoverylint_cache")
    try:
        removed = clean_cache(directory)
    except SessionError as error:
        _fail(str(error))
    _say(f"removed the cache {directory}" if removed else f"no cache to remove at {directory}")


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


def main() -> None:
    """The console script: the command's exit status; 130 on Ctrl-C; 2 with
    one line of error when stdout cannot be written (nothing on a closed pipe,
    as other command-line tools do)."""
    try:
        sys.stdout.flush()
        sys.stdout = guarded("stdout", sys.stdout)  # type: ignore[arg-type]
        sys.stderr = guarded("stderr", sys.stderr)  # type: ignore[arg-type]
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
            except OutputFailed:
                pass
        os._exit(EXIT_INTERRUPTED)
    except OutputFailed as failure:
        status = EXIT_ERROR
        if failure.stream == "stdout" and failure.error.errno != errno.EPIPE:
            try:
                _say(f"error: {failure}")
                sys.stderr.flush()
            except OutputFailed:  # stderr is gone too: the status says it
                pass
    except Exception:  # noqa: BLE001  # a bug of ours outside any one file: exit 2, never 1 (findings)
        import traceback

        status = EXIT_ERROR
        try:
            click.echo(
                f"recoverylint: internal error in recoverylint {__version__} (please report it):\n"
                + displayable(traceback.format_exc(limit=-8), keep_line_breaks=True),
                err=True,
            )
        except OutputFailed:
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
