"""systemctl: a unit is `systemd/<unit>` (`.service` dropped)."""

from __future__ import annotations

from ._invocation import Effect, Invocation, ToolTable, path_part, verb_effect

READS = frozenset({"status", "is-active", "is-enabled", "is-failed", "show", "cat", "list-units", "list-dependencies"})
WRITES = frozenset(
    {
        "start",
        "stop",
        "restart",
        "reload",
        "try-restart",
        "reload-or-restart",
        "enable",
        "disable",
        "mask",
        "unmask",
        "kill",
        "reset-failed",
    }
)
VALUE_FLAGS = frozenset({"-H", "--host", "-M", "--machine", "-p", "--property", "-s", "--signal", "-t", "--type"})


def unit(word: str) -> str:
    return "systemd/" + path_part(word.removesuffix(".service"))


def read(call: Invocation) -> Effect | None:
    if not call.positionals:
        return None
    verb, units = call.positionals[0], call.positionals[1:]
    targets = tuple(unit(word) for word in units) or ("systemd",)
    return verb_effect(verb, READS, WRITES, targets)


TABLE = ToolTable(("systemctl",), VALUE_FLAGS, read)
