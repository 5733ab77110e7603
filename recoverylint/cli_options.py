"""The options several commands share, and the callbacks that check their values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .formats import format_names as input_format_names
from .report import format_names

if TYPE_CHECKING:
    from .config import Glob

F = TypeVar("F", bound=Callable[..., Any])


def codes_option(ignoring: bool) -> Callable[[click.Context, click.Parameter, str | None], tuple[str, ...] | None]:
    """A click callback: comma-separated rule codes or prefixes, checked against the catalog."""

    def parse(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
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


def exclude_option(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[Glob, ...]:
    from .config import Glob

    globs = []
    for pattern in value:
        try:
            globs.append(Glob(pattern))
        except ValueError as error:
            raise click.BadParameter(f"the glob `{pattern}` {error}") from None
    return tuple(globs)


def report_option(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[tuple[str, Path], ...]:
    reports = []
    for item in value:
        output_format, colon, file = item.partition(":")
        if not colon or not file:
            raise click.BadParameter(f"`{item}` is not FORMAT:FILE (for example sarif:report.sarif)")
        if output_format not in format_names("check"):
            raise click.BadParameter(
                f"unknown format `{output_format}` in `{item}`; choose from {', '.join(format_names('check'))}"
            )
        reports.append((output_format, Path(file)))
    return tuple(reports)


def output_option(what: str, *names: str) -> Callable[[Any], Any]:
    """-o/--output, the same in every command: a file to write `what` to
    (replaced atomically; `-` is stdout) instead of stdout."""
    return click.option(
        "--output",
        "-o",
        *names,
        "output_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"Write {what} to this file (replaced atomically; `-` is stdout) instead of stdout.",
    )


config_file_option = click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Use this configuration file for every file (default: the closest .recoverylint.yaml,"
    " or pyproject.toml with [tool.recoverylint], from each file's folder upward).",
)
durations_option = click.option(
    # Not click's own checks: every unreadable durations file (missing, a
    # folder, a FIFO) is reported as file:line:column by read_durations.
    "--durations",
    "durations_file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    default=None,
    help="Minutes measured for steps (YAML or JSON: runbook id -> step id -> minutes or"
    " {min, likely, max}); they override the runbooks' durations and every default.",
)
max_file_size_option = click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=None,
    help="Largest file to read, in bytes (default 10 MB); larger files are an RL001 finding.",
)
input_format_option = click.option(
    "--input-format",
    type=click.Choice(("auto", *input_format_names())),
    default=None,
    help="Read files as this format (default: auto, or the configuration's input-format:"
    " detect each file's). With native, files found in directories are read only when they"
    " have a `runbook` key.",
)


def chosen_format(value: str | None) -> str | None:
    """The --input-format option as configuration takes it (auto: detect)."""
    return None if value in (None, "auto") else value


def grouped(*options: Callable[[F], F]) -> Callable[[F], F]:
    """Several click options as one decorator; --help lists them in the order given."""

    def apply(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


simulation_options = grouped(
    click.option(
        "--simulate", "simulate_runs", type=click.IntRange(min=1), metavar="N", default=None,
        help="Also run N seeded Monte Carlo runs of both orders, each step's minutes drawn from"
        " beta-PERT over its {min, likely, max} (at most 1,000,000 runs): P50 and P90 recovery"
        " time, the saving at each, and each step's criticality index.  Text, json and html.",
    ),
    click.option(
        "--seed", type=click.IntRange(min=0), metavar="S", default=None,
        help="The seed of --simulate's draws (default 0): the same seed, the same figures.",
    ),
)
# The plan formats that show a simulation.
SIMULATED_FORMATS = ("text", "json", "html")


def simulation_seed(output_format: str, runs: int | None, seed: int | None) -> int:
    """The seed `plan` simulates with (0 when not given); a usage error for
    --seed without --simulate, or --simulate in a format that cannot show it."""
    if runs is None and seed is not None:
        raise click.UsageError("--seed is the seed of --simulate's draws: give --simulate N too")
    if runs is not None and output_format not in SIMULATED_FORMATS:
        raise click.UsageError(
            "--simulate shows in the text, json and html formats, not in " + output_format
        )
    return 0 if seed is None else seed


# `check`'s options, in groups (the order of --help within each).
selection_options = grouped(
    click.option(
        "--select", metavar="CODES", callback=codes_option(ignoring=False),
        help="Comma-separated rule codes or prefixes to report (RL2,RL301); replaces the configuration's.",
    ),
    click.option(
        "--ignore", metavar="CODES", callback=codes_option(ignoring=True),
        help="Comma-separated rule codes or prefixes not to report; replaces the configuration's.",
    ),
    click.option(
        "--exclude", metavar="GLOB", multiple=True, callback=exclude_option,
        help="Skip files found in directories whose path from the current directory matches GLOB"
        " (repeatable; adds to the configuration's exclude).",
    ),
    click.option(
        "--skip-non-runbooks", is_flag=True,
        help="Skip files named on the command line that are not runbooks (no top-level `runbook`"
        " key, and no workflow of a format recoverylint reads) instead of reporting RL003, as for"
        " files found in directories, a JSON file judged by its head without a parse (for pre-commit).",
    ),
)
fix_options = grouped(
    click.option(
        "--fix", is_flag=True,
        help="Apply safe fixes in place (redundant and false-gate `needs` entries), then report what remains."
        " With `-`: print the fixed runbook on stdout, and the report on stderr.",
    ),
    click.option(
        "--unsafe-fixes", is_flag=True,
        help="With --fix or --diff, also apply unsafe fixes (a checklist restructured as"
        " `flow: parallel`): they change what may run at once; review them.",
    ),
    click.option(
        "--diff", is_flag=True,
        help="Print the fixes as a unified diff instead of writing them; exit 1 when there are some.",
    ),
)
baseline_and_run_options = grouped(
    click.option(
        "--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="Report only findings that are not in this baseline file.",
    ),
    click.option(
        "--write-baseline", "write_baseline_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="Record every finding in this baseline file, and exit 0 (1 when a file could not be checked).",
    ),
    click.option(
        "--no-cache", is_flag=True,
        help="Check every file again, ignoring and not writing the cache (.recoverylint_cache/, or"
        " the folder RECOVERYLINT_CACHE_DIR names; `recoverylint clean` removes it).",
    ),
    click.option(
        "--jobs", "-j", type=click.IntRange(min=1), default=None,
        help="Check files in this many processes (default: the number of CPUs; runs of few files use one).",
    ),
)


# Commands whose modules import heavy libraries (numpy, pygls): imported only when
# run or listed, so a plain `check` (what pre-commit pays per call) never loads them.
LAZY_COMMANDS: dict[str, str] = {
    "server": ".server.cli:server",
    "review": ".cli_review:review",
}


class LazyGroup(click.Group):
    """click's group, with the commands of `LAZY_COMMANDS` imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        import importlib

        module_name, attribute = LAZY_COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(module_name, __package__), attribute)
        assert isinstance(command, click.Command)
        return command
