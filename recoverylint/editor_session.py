"""One runbook text as an editor holds it, checked as `check` would check the
file at its path: the configuration found for that path, suppression
comments and a baseline applied.  The language server keeps one result per
document version; nothing here knows of the protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .config import ConfigError, Overrides
from .finding import Finding
from .session import SessionError, _resolver, shown_path

if TYPE_CHECKING:
    from .baseline import Baseline
    from .graphs import Graphs
    from .model import Runbook
    from .plan import Plan
    from .settings import Settings


@dataclass(frozen=True)
class EditorCheck:
    """A document version's findings, and what its hovers and outline read."""

    path: Path
    shown: str  # the path as findings give it (as `check` would show it)
    text: str
    findings: tuple[Finding, ...] = ()
    runbook: Runbook | None = None
    graphs: Graphs | None = field(default=None, repr=False)
    settings: Settings | None = None  # None: the configuration could not be read
    # Why the text was not checked (a configuration or baseline error), or
    # a bug of ours while checking it (its traceback).
    error: str | None = None
    internal_error: str | None = None

    @cached_property
    def plan(self) -> Plan | None:
        """Both orders scheduled, worked out on first use (hover, inlay
        hint); None when the runbook cannot be planned."""
        if self.graphs is None:
            return None
        from .limits import TooLarge
        from .plan import build_plan

        try:
            return build_plan(self.graphs)
        except TooLarge:
            return None


def check_editor_text(
    path: Path,
    text: str,
    config_file: Path | None = None,
    baseline: Baseline | None = None,
) -> EditorCheck:
    """Check `text` as if it were the file at `path` (which need not exist, nor
    hold this text): the findings `check PATH` would show for it."""
    from .engine import check_file
    from .source import Limits

    shown = shown_path(path)
    try:
        options = _resolver(config_file, Overrides()).options_for(path, explicit=True)
    except (ConfigError, SessionError) as error:
        return EditorCheck(path, shown, text, error=str(error))
    assert options is not None  # a file named explicitly is never skipped
    # As bytes, so the size limit and the characters a format refuses are
    # checked as for a file read from disk (a lone surrogate a client sent
    # becomes the invalid UTF-8 RL001 points at).
    data = text.encode("utf-8", "surrogatepass")
    result = check_file(path, shown, True, Limits(), options.settings, keep_graphs=True, data=data)
    if result.internal_error:
        return EditorCheck(path, shown, text, settings=options.settings, internal_error=result.internal_error)
    findings = result.findings
    if baseline is not None:
        findings, _ = baseline.filter(findings)
    return EditorCheck(
        path, shown, text, tuple(findings), result.runbook, result.graphs, options.settings
    )


def read_baseline(file: Path) -> Baseline:
    """The baseline a server is started with; SessionError saying what is wrong."""
    from .baseline import BaselineError, load_baseline

    try:
        return load_baseline(file)
    except BaselineError as error:
        raise SessionError(str(error)) from None
