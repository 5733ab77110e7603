"""aws, gcloud and az: `aws/<service>[/<id>]`, `gcloud/<group>/.../<name>`,
`az/<group>/.../<name>`.  An operation reads when its verb says so
(`describe-*`, `list`, `show`...) and writes when it changes something."""

from __future__ import annotations

from ._invocation import Effect, Invocation, ToolTable, path_part, verb_effect

_AWS_READ_PREFIXES = ("describe-", "get-", "list-", "head-", "lookup-", "search-")
_AWS_WRITE_PREFIXES = (
    "create-",
    "delete-",
    "update-",
    "put-",
    "modify-",
    "start-",
    "stop-",
    "reboot-",
    "terminate-",
    "run-",
    "restore-",
    "failover-",
    "promote-",
    "attach-",
    "detach-",
    "associate-",
    "disassociate-",
    "set-",
    "register-",
    "deregister-",
    "enable-",
    "disable-",
    "invoke",
    "scale-",
    "reset-",
    "tag-",
    "untag-",
    "send-",
    "publish",
)
# Options whose value names what an operation acts on.
_AWS_ID_FLAGS = (
    "--instance-ids",
    "--instance-id",
    "--db-instance-identifier",
    "--db-cluster-identifier",
    "--function-name",
    "--cluster",
    "--cluster-name",
    "--service",
    "--bucket",
    "--table-name",
    "--stack-name",
    "--queue-url",
    "--topic-arn",
    "--load-balancer-arn",
    "--target-group-arn",
    "--auto-scaling-group-name",
    "--name",
    "--repository-name",
    "--key",
    "--volume-id",
)
_S3_READS = frozenset({"ls"})
_S3_WRITES = frozenset({"cp", "mv", "rm", "sync", "mb", "rb"})
AWS_VALUE_FLAGS = frozenset({"--region", "--profile", "--output", "--query", "--endpoint-url", *_AWS_ID_FLAGS})


def _aws(call: Invocation) -> Effect | None:
    if len(call.positionals) < 2:
        return None
    service, operation = call.positionals[0], call.positionals[1]
    if service == "s3":
        locations = [word for word in call.positionals[2:] if word.startswith("s3://")]
        if operation in _S3_READS:
            return Effect(reads=tuple(_s3(word) for word in locations) or ("aws/s3",))
        if operation in _S3_WRITES and locations:
            return Effect(writes=(_s3(locations[-1]),))
        return None
    target = f"aws/{path_part(service)}"
    given = call.value(*_AWS_ID_FLAGS)
    if given:
        target += "/" + path_part(given.split(",")[0].split()[0] if given.split() else given)
    if operation.startswith(_AWS_READ_PREFIXES):
        return Effect(reads=(target,))
    if operation.startswith(_AWS_WRITE_PREFIXES):
        return Effect(writes=(target,))
    return None


def _s3(location: str) -> str:
    path = location.removeprefix("s3://").strip("/")
    return "aws/s3/" + path if path else "aws/s3"


GCLOUD_READS = frozenset({"describe", "list", "get-iam-policy", "get-credentials", "read", "get", "logs"})
GCLOUD_WRITES = frozenset(
    {
        "create",
        "delete",
        "update",
        "set",
        "resize",
        "start",
        "stop",
        "restart",
        "reset",
        "deploy",
        "add-iam-policy-binding",
        "remove-iam-policy-binding",
        "set-iam-policy",
        "patch",
        "failover",
        "restore",
        "promote-replica",
        "rollback",
        "upgrade",
        "import",
        "export",
        "suspend",
        "resume",
        "scale",
    }
)
GCLOUD_VALUE_FLAGS = frozenset(
    {"--project", "--zone", "--region", "--format", "--filter", "--cluster", "--location", "--num-nodes", "--size"}
)


def _grouped(
    prefix: str, reads: frozenset[str], writes: frozenset[str], call: Invocation, name: str | None
) -> Effect | None:
    """`<tool> <group>... <verb> [<name>]`: the verb is the first positional
    word of either set; the words before it are the groups."""
    words = call.positionals
    for index, word in enumerate(words):
        if word in reads or word in writes:
            groups = [path_part(group) for group in words[:index]]
            named = name or (words[index + 1] if index + 1 < len(words) else None)
            parts = [prefix, *groups] + ([path_part(named)] if named else [])
            return verb_effect(word, reads, writes, ("/".join(parts),))
    return None


def _gcloud(call: Invocation) -> Effect | None:
    return _grouped("gcloud", GCLOUD_READS, GCLOUD_WRITES, call, None)


AZ_READS = frozenset({"show", "list", "get", "list-keys", "show-connection-string", "tail"})
AZ_WRITES = frozenset(
    {
        "create",
        "delete",
        "update",
        "set",
        "start",
        "stop",
        "restart",
        "scale",
        "deallocate",
        "failover",
        "restore",
        "upgrade",
        "deploy",
        "swap",
        "purge",
    }
)
AZ_VALUE_FLAGS = frozenset(
    {"-n", "--name", "-g", "--resource-group", "--subscription", "-o", "--output", "--query", "--location", "-l"}
)


def _az(call: Invocation) -> Effect | None:
    return _grouped("az", AZ_READS, AZ_WRITES, call, call.value("-n", "--name"))


AWS = ToolTable(("aws",), AWS_VALUE_FLAGS, _aws)
GCLOUD = ToolTable(("gcloud",), GCLOUD_VALUE_FLAGS, _gcloud)
AZ = ToolTable(("az",), AZ_VALUE_FLAGS, _az)
