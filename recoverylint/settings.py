"""What configuration decides for checking one file.

The core reads these values and nothing else of configuration: finding and
reading configuration files is `config`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .catalog import always_on_codes
from .severity import Severity

if TYPE_CHECKING:
    from .durations import MeasuredDurations

# The currency of `cost_per_minute` when neither the runbook nor the
# configuration names one (`cost_currency`).
DEFAULT_CURRENCY = "USD"


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ("RL",)  # codes or prefixes ("RL2")
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)  # code -> severity
    # Minutes for steps with no duration in runbooks that set no
    # default_duration; None: such steps' durations are unknown.
    default_duration: float | None = None
    durations: MeasuredDurations | None = None  # a durations file: overrides all else
    span_of_control: int = 7  # threads one commander can follow (RL701)
    input_format: str | None = None  # a format name; None: detect each file's
    cost_currency: str = DEFAULT_CURRENCY  # of `cost_per_minute` in runbooks that name none

    def enabled(self, code: str) -> bool:
        """Whether `code` is reported: the most specific of `select` and
        `ignore` that matches it wins, and `ignore` wins a tie."""
        if code in always_on_codes():
            return True
        # Loops, not max() of generators: asked for every rule of every file checked.
        selected = ignored = -1
        for prefix in self.select:
            if len(prefix) > selected and code.startswith(prefix):
                selected = len(prefix)
        for prefix in self.ignore:
            if len(prefix) > ignored and code.startswith(prefix):
                ignored = len(prefix)
        return selected > ignored

    def severity_of(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code, default)
