"""ceph: `ceph/<subsystem>[/<target>]` (`ceph osd pool set x ...` writes
`ceph/osd/pool/x`); the operation, the first word that is one of the sets
below, says read or write.  `ceph tell <daemon> <command>` (and `ceph
daemon <daemon> <command>`, on the daemon's host) reads the daemon when its
command only reports.  rados: `rados df` and `rados lspools` read `ceph`;
`rados -p <pool> ls`, `stat`, `get` read `ceph/pool/<pool>`, `put`, `rm`
write it."""

from __future__ import annotations

from ._invocation import Effect, Invocation, ToolTable, path_part

READS = frozenset(
    {
        "status",
        "health",
        "df",
        "ls",
        "dump",
        "stat",
        "tree",
        "get",
        "query",
        "detail",
        "versions",
        "report",
        "info",
        "list",
        "show",
        "perf",
        "quorum_status",
        "mon_status",
        "blocked",
        "dump_stuck",
        "list_inconsistent_obj",
        "autoscale-status",
        "lspools",
        "dump_historic_ops",
        "get-quota",
        "ops",
        "dump_ops_in_flight",
        "dump_blocked_ops",
    }
)
WRITES = frozenset(
    {
        "set",
        "unset",
        "rm",
        "create",
        "delete",
        "out",
        "in",
        "down",
        "reweight",
        "repair",
        "scrub",
        "deep-scrub",
        "enable",
        "disable",
        "archive",
        "archive-all",
        "purge",
        "destroy",
        "reset",
        "fail",
        "add",
        "remove",
        "restart",
        "mark_unfound_lost",
        "setmaxosd",
        "force-recovery",
        "force-backfill",
        "injectargs",
        "compact",
        "redeploy",
        "apply",
        "set-quota",
    }
)
VALUE_FLAGS = frozenset({"-c", "--conf", "--cluster", "-n", "--name", "-k", "--keyring", "-f", "--format", "--id"})
_SUBSYSTEMS = frozenset(
    {
        "osd",
        "mon",
        "mgr",
        "mds",
        "pg",
        "fs",
        "auth",
        "config",
        "crash",
        "orch",
        "balancer",
        "rbd",
        "health",
        "device",
        "progress",
        "fsid",
    }
)


def read(call: Invocation) -> Effect | None:
    words = call.positionals
    if call.has("-s"):
        return Effect(reads=("ceph",))
    if not words:
        return None
    if words[0] in ("tell", "daemon") and len(words) >= 3:
        target = "ceph/" + "/".join(path_part(part) for part in words[1].split(".", 1))
        return Effect(reads=(target,)) if words[2] in READS or words[2].endswith("status") else None
    parts: list[str] = []
    for index, word in enumerate(words):
        if word in READS or word in WRITES:
            if word in ("status", "health", "df", "versions", "report") and not parts:
                return Effect(reads=("ceph",))
            named = words[index + 1] if index + 1 < len(words) and parts else None
            target = "/".join(["ceph", *parts] + ([path_part(named)] if named else []))
            return Effect(reads=(target,)) if word in READS else Effect(writes=(target,))
        if index == 0 and word not in _SUBSYSTEMS:
            return None
        parts.append(path_part(word))
    return None


TABLE = ToolTable(("ceph",), VALUE_FLAGS, read)

_RADOS_READS = frozenset({"ls", "stat", "get", "listomapkeys", "listomapvals", "getxattr", "listxattr"})
_RADOS_WRITES = frozenset({"put", "rm", "setxattr", "rmxattr", "setomapval", "rmomapkey", "truncate", "cleanup"})
_RADOS_VALUE_FLAGS = VALUE_FLAGS | {"-p", "--pool"}


def read_rados(call: Invocation) -> Effect | None:
    words = call.positionals
    if not words:
        return None
    if words[0] in ("df", "lspools"):
        return Effect(reads=("ceph",))
    pool = call.value("-p", "--pool")
    target = f"ceph/pool/{path_part(pool)}" if pool else "ceph/pool"
    if words[0] in _RADOS_READS:
        return Effect(reads=(target,))
    if words[0] in _RADOS_WRITES:
        return Effect(writes=(target,))
    return None


RADOS = ToolTable(("rados",), _RADOS_VALUE_FLAGS, read_rados)
