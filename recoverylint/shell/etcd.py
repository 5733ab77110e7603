"""etcdctl: a key is `etcd/<key>`; commands on the cluster itself
(`endpoint health`, `defrag`, `member remove`...) read or write `etcd`."""

from __future__ import annotations

from ._invocation import Effect, Invocation, ToolTable, path_part

_KEY_READS = frozenset({"get", "watch"})
_KEY_WRITES = frozenset({"put", "del", "txn"})
# (command, subcommand or "") -> reads (True) or writes (False) the cluster.
_CLUSTER = {
    ("endpoint", "health"): True,
    ("endpoint", "status"): True,
    ("endpoint", "hashkv"): True,
    ("member", "list"): True,
    ("alarm", "list"): True,
    ("check", "perf"): True,
    ("snapshot", "save"): True,
    ("snapshot", "status"): True,
    ("defrag", ""): False,
    ("compact", ""): False,
    ("compaction", ""): False,
    ("member", "remove"): False,
    ("member", "add"): False,
    ("member", "update"): False,
    ("member", "promote"): False,
    ("alarm", "disarm"): False,
    ("move-leader", ""): False,
    ("snapshot", "restore"): False,
}
VALUE_FLAGS = frozenset(
    {"--endpoints", "--cacert", "--cert", "--key", "-w", "--write-out", "--command-timeout", "--dial-timeout", "--user"}
)


def read(call: Invocation) -> Effect | None:
    words = call.positionals
    if not words:
        return None
    command = words[0]
    if command in _KEY_READS or command in _KEY_WRITES:
        target = "etcd/" + path_part(words[1]) if len(words) > 1 else "etcd"
        return Effect(reads=(target,)) if command in _KEY_READS else Effect(writes=(target,))
    for key in ((command, words[1] if len(words) > 1 else ""), (command, "")):
        if key in _CLUSTER:
            return Effect(reads=("etcd",)) if _CLUSTER[key] else Effect(writes=("etcd",))
    return None


TABLE = ToolTable(("etcdctl",), VALUE_FLAGS, read)
