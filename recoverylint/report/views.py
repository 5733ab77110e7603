"""What `plan` and `rule` hand their output formats (kept out of the
package's own module so a check does not build them; `recoverylint.report`
still names them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..finding import Finding

if TYPE_CHECKING:
    from ..catalog import RuleDoc
    from ..plan import Plan
    from ..simulate import Simulation


@dataclass(frozen=True)
class PlanView:
    """What `plan` hands every output format."""

    plan: Plan
    findings: tuple[Finding, ...] = ()  # the HTML report lists them
    colour: bool = False
    simulation: Simulation | None = None  # plan --simulate


@dataclass(frozen=True)
class RuleView:
    """What `rule` hands its output formats."""

    doc: RuleDoc
    colour: bool = False
