"""helm: a release is `helm/<namespace>/<release>` (`*` when no namespace is given)."""

from __future__ import annotations

from ._invocation import Effect, Invocation, ToolTable, path_part, verb_effect

READS = frozenset({"status", "get", "history", "list", "ls", "show", "template", "diff"})
WRITES = frozenset({"install", "upgrade", "rollback", "uninstall", "delete", "del", "un", "test"})
VALUE_FLAGS = frozenset(
    {
        "-n",
        "--namespace",
        "-f",
        "--values",
        "--set",
        "--version",
        "--timeout",
        "--kube-context",
        "-o",
        "--output",
        "--revision",
    }
)


def read(call: Invocation) -> Effect | None:
    if not call.positionals:
        return None
    verb, names = call.positionals[0], call.positionals[1:2]
    namespace = path_part(call.value("-n", "--namespace") or "*")
    target = f"helm/{namespace}/{path_part(names[0])}" if names else f"helm/{namespace}"
    if verb in ("list", "ls"):
        target = f"helm/{namespace}"
    return verb_effect(verb, READS, WRITES, (target,))


TABLE = ToolTable(("helm",), VALUE_FLAGS, read)
