"""The `recoverylint` command: options, output and exit codes; no logic of its own."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import click

from . import __version__
from .finding import Finding, Severity

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="recoverylint")
def cli() -> None:
    """Lint incident-recovery runbooks: false gates, premature parallelism, and the order the work really needs."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["full", "json"]),
    default="full",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default="warning",
    show_default=True,
    help="Exit 1 when a finding of this severity or above is reported.",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the full output (default: when stdout is a terminal and NO_COLOR is unset).",
)
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=None,
    help="Largest file to read, in bytes (default 10 MB); larger files are an RL001 finding.",
)
def check(
    paths: tuple[Path, ...],
    output_format: str,
    fail_on: str,
    color: Optional[bool],
    max_file_size: Optional[int],
) -> None:
    """Check runbooks: the files named, and the runbooks under the directories named (default: .).

    Exit status: 0 nothing at or above --fail-on, 1 findings at or above it,
    2 a usage error or an internal error.
    """
    import gc

    from .engine import check_file, discover
    from .source import Limits

    # What a check builds has no reference cycles; reference counting frees
    # it, and the cyclic collector would only rescan it (about 3x slower).
    gc.freeze()
    gc.disable()

    limits = Limits() if max_file_size is None else Limits(max_file_size=max_file_size)
    findings: list[Finding] = []
    sources: dict[str, Optional[str]] = {}
    files = 0
    internal_errors = []
    for path, explicit in discover(paths or (Path("."),)):
        shown = _display(path)
        result = check_file(path, shown, explicit, limits)
        if result.skipped:
            continue
        files += 1
        findings.extend(result.findings)
        if result.findings and output_format == "full":
            sources[shown] = result.text
        if result.internal_error:
            internal_errors.append((shown, result.internal_error))

    if output_format == "json":
        from .report.json import render as render_json

        click.echo(render_json(findings, files), nl=False)
    else:
        from .report.full import render as render_full

        colour = color if color is not None else _colour_by_default()

        def lines(path: str) -> Optional[list[str]]:
            text = sources.get(path)
            if text is not None:
                return text.splitlines()
            try:  # a file that could not be decoded: show what can be shown
                return Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                return None

        click.echo(
            render_full(findings, files, lines, colour, unchecked=len(internal_errors)),
            nl=False,
            color=colour,
        )

    for shown, trace in internal_errors:
        click.echo(
            f"{shown}: internal error in recoverylint {__version__} (please report it);"
            f" this file was not checked:\n{trace}",
            err=True,
        )
    threshold = Severity(fail_on).rank
    if internal_errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if any(f.severity.rank >= threshold for f in findings) else EXIT_CLEAN)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the runbook format."""
    from .schema import schema_text

    click.echo(schema_text(), nl=False)


def _display(path: Path) -> str:
    """Paths as the user would write them: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _colour_by_default() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def main() -> None:
    cli(prog_name="recoverylint")
