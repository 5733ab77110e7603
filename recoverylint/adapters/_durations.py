"""Defaults shared by the StackStorm formats (Orquesta and ActionChain): the
minutes of an action whose time the workflow says (docs/format.md, Durations: each format's defaults)."""

from __future__ import annotations

from typing import Any

from ..durations import MAX_MINUTES, format_default
from ..model import Duration

_INSTANT = frozenset({"core.noop", "core.echo"})


def stackstorm_default(action: Any, parameters: Any, without_action: bool) -> Duration | None:
    """`core.noop` and `core.echo` (it prints its message) take no time;
    `core.pause` its `max_pause` (seconds); a task with no action
    (`without_action`: Orquesta's, which only publishes and moves on) takes
    none; any other action is unknown (`core.ask` waits for an answer)."""
    if action is None and without_action:
        return format_default(0.0, "a task with no action")
    if isinstance(action, str) and action in _INSTANT:
        return format_default(0.0, f"a `{action}` task")
    if action == "core.pause" and isinstance(parameters, dict):
        seconds = parameters.get("max_pause")
        if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
            # Compared before dividing: an integer of hundreds of digits has no float.
            minutes = seconds / 60 if seconds <= MAX_MINUTES * 60 else None
            return format_default(minutes, "a `core.pause` task (its `max_pause`)")
    return None
