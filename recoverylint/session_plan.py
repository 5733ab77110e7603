"""The `plan` and `convert` runs, as data (see session.py): a check never
uses them, so they are built only when one of those commands runs (each
frozen dataclass costs startup time, issue 16).  `recoverylint.session`
still names them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .catalog import always_on_codes, plan_blocking_codes
from .finding import Finding
from .session import InternalError, NotPlanned, SessionError, limits_of, options_of_one, same_file, shown_path

if TYPE_CHECKING:
    from .durations import MeasuredDurations
    from .plan import Plan
    from .simulate import Simulation


@dataclass(frozen=True)
class PlanRequest:
    runbook: Path
    # Only the HTML report shows findings: other formats need only the rules
    # that can keep a runbook from being planned.
    with_findings: bool = False
    config_file: Path | None = None
    input_format: str | None = None  # None: detect
    durations: MeasuredDurations | None = None
    max_file_size: int | None = None
    output_file: Path | None = None  # checked: never the runbook itself
    simulate: int | None = None  # runs of the Monte Carlo (None: no simulation)
    seed: int = 0


@dataclass(frozen=True)
class PlanRun:
    shown: str
    plan: Plan
    findings: tuple[Finding, ...]
    simulation: Simulation | None = None


def run_plan(request: PlanRequest) -> PlanRun:
    """Plan one runbook; NotPlanned (with the findings that say why) when it
    cannot be, InternalError on a bug of ours, SessionError otherwise."""
    from .engine import plan_file

    runbook, output_file = request.runbook, request.output_file
    if output_file is not None and same_file(output_file, runbook):
        raise SessionError(f"--output {output_file} is the runbook itself; choose another file")
    options = options_of_one(runbook, request.config_file, request.input_format, request.durations)
    shown = shown_path(runbook)
    settings = options.settings
    if not request.with_findings:
        settings = replace(settings, select=plan_blocking_codes(), ignore=())
    result, planned = plan_file(runbook, shown, limits_of(request.max_file_size), settings)
    if result.internal_error:
        raise InternalError(shown, result.internal_error, "it was not planned")
    if planned is None:
        blocking = tuple(item for item in result.findings if item.code in plan_blocking_codes())
        raise NotPlanned(f"{shown} cannot be planned until the errors above are fixed", blocking)
    if request.simulate is None:
        return PlanRun(shown, planned, tuple(result.findings))
    from .simulate import SimulationTooLarge, simulate  # numpy: only when simulating

    try:
        simulation = simulate(planned, request.simulate, request.seed)
    except SimulationTooLarge as error:
        raise SessionError(f"{shown}: {error}") from None
    return PlanRun(shown, planned, tuple(result.findings), simulation)


@dataclass(frozen=True)
class ConvertRequest:
    source: Path
    output_file: Path | None = None  # checked: never the source, never an existing file unless force
    force: bool = False
    config_file: Path | None = None
    input_format: str | None = None
    max_file_size: int | None = None


@dataclass(frozen=True)
class ConvertRun:
    shown: str
    text: str  # the native runbook


def run_convert(request: ConvertRequest) -> ConvertRun:
    """A workflow of another format as the equivalent native runbook, read
    back before it is returned: a conversion that would not read cleanly is
    an error, never a file."""
    from .adapters import input_formats
    from .convert import to_native
    from .engine import check_file, check_text
    from .model import NATIVE

    source, output_file = request.source, request.output_file
    if output_file is not None and same_file(output_file, source):
        raise SessionError(f"--output {output_file} is the file to convert; choose another file")
    if output_file is not None and output_file.exists() and not request.force:
        raise SessionError(f"{output_file} exists; pass --force to replace it")
    options = options_of_one(source, request.config_file, request.input_format)
    shown = shown_path(source)
    # Only what keeps the file from being read matters here: no rule runs.
    settings = replace(options.settings, select=(), ignore=())
    result = check_file(source, shown, True, limits_of(request.max_file_size), settings)
    if result.internal_error:
        raise InternalError(shown, result.internal_error, "it was not converted")
    if result.runbook is None:
        raise NotPlanned(f"{shown} cannot be converted until the errors above are fixed", tuple(result.findings))
    if result.format == NATIVE:
        raise SessionError(f"{shown} is already a native runbook")
    text = to_native(result.runbook, input_formats()[result.runbook.format].title)
    converted = check_text(text, "the converted runbook", replace(settings, input_format=NATIVE))
    unreadable = tuple(item for item in converted.findings if item.code in always_on_codes())
    if unreadable:
        raise NotPlanned(
            f"{shown} was not converted: the native runbook written from it would not read cleanly"
            " (the errors above); please report it",
            unreadable,
        )
    return ConvertRun(shown, text)

