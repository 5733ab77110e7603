"""kubectl and oc: `k8s/<namespace>/<kind>/<name>` (`*` for the namespace
when the command names none, so that it overlaps whichever the context
uses; `k8s/<kind>/<name>` for cluster-scoped kinds)."""

from __future__ import annotations

from ._invocation import Effect, Invocation, ToolTable, path_part

READS = frozenset({"get", "describe", "logs", "top", "explain", "events", "api-resources", "status"})
WRITES = frozenset(
    {
        "apply", "create", "replace", "patch", "delete", "scale", "edit", "label", "annotate",
        "drain", "cordon", "uncordon", "taint", "set", "autoscale", "expose", "restart", "undo",
        "pause", "resume",
    }
)
# `rollout status` reads; `rollout restart` writes; `adm drain` as `drain`.
_GROUPS = frozenset({"rollout", "adm"})
_ROLLOUT_READS = frozenset({"status", "history"})
# `oc adm` commands that read what they name: `inspect` and `node-logs`
# gather it; `must-gather` and `cluster-info` read the whole cluster.
_GATHER = frozenset({"inspect", "node-logs"})
_WHOLE_CLUSTER_READS = frozenset({"must-gather", "cluster-info"})
_CERTIFICATE_WRITES = frozenset({"approve", "deny"})
# Verbs whose name needs no kind: `drain <node>`, `logs <pod>`.
_IMPLIED_KIND = {
    "drain": "node", "cordon": "node", "uncordon": "node", "logs": "pod", "exec": "pod",
    "node-logs": "node", "rsh": "pod",
}
CLUSTER_SCOPED = frozenset(
    {
        "node", "namespace", "persistentvolume", "storageclass", "clusteroperator",
        "clusterversion", "machineconfigpool", "machineconfig", "clusterrole",
        "clusterrolebinding", "customresourcedefinition", "apiservice", "project",
        "mutatingwebhookconfiguration", "validatingwebhookconfiguration", "infrastructure",
        "proxy", "network", "ingresscontroller", "console", "oauth", "apiserver", "featuregate",
        "certificatesigningrequest",
    }
)
ALIASES = {
    "po": "pod", "pods": "pod", "deploy": "deployment", "deployments": "deployment",
    "svc": "service", "services": "service", "ns": "namespace", "namespaces": "namespace",
    "no": "node", "nodes": "node", "cm": "configmap", "configmaps": "configmap",
    "ds": "daemonset", "daemonsets": "daemonset", "sts": "statefulset",
    "statefulsets": "statefulset", "pvc": "persistentvolumeclaim",
    "persistentvolumeclaims": "persistentvolumeclaim", "pv": "persistentvolume",
    "persistentvolumes": "persistentvolume", "rs": "replicaset", "replicasets": "replicaset",
    "csv": "clusterserviceversion", "clusterserviceversions": "clusterserviceversion",
    "co": "clusteroperator", "clusteroperators": "clusteroperator",
    "mcp": "machineconfigpool", "machineconfigpools": "machineconfigpool",
    "mc": "machineconfig", "machineconfigs": "machineconfig", "secrets": "secret",
    "jobs": "job", "cronjobs": "cronjob", "cj": "cronjob", "ing": "ingress",
    "ingresses": "ingress", "sc": "storageclass", "storageclasses": "storageclass",
    "crd": "customresourcedefinition", "crds": "customresourcedefinition",
    "dc": "deploymentconfig", "deploymentconfigs": "deploymentconfig", "routes": "route",
    "ep": "endpoints", "sa": "serviceaccount", "serviceaccounts": "serviceaccount",
    "projects": "project", "events": "event", "ev": "event",
    "vm": "virtualmachine", "vms": "virtualmachine", "virtualmachines": "virtualmachine",
    "vmi": "virtualmachineinstance", "vmis": "virtualmachineinstance",
    "virtualmachineinstances": "virtualmachineinstance",
    "vmim": "virtualmachineinstancemigration", "vmims": "virtualmachineinstancemigration",
    "csr": "certificatesigningrequest", "csrs": "certificatesigningrequest",
    "certificatesigningrequests": "certificatesigningrequest",
}
VALUE_FLAGS = frozenset(
    {
        "-n", "--namespace", "-l", "--selector", "-o", "--output", "-p", "--patch", "--type",
        "-c", "--container", "-f", "--filename", "--replicas", "--field-selector", "--timeout",
        "--since", "--tail", "--context", "--kubeconfig", "--as", "-L", "--sort-by",
        "--template", "--grace-period", "--cluster", "--server", "--token", "--user",
        "-k", "--kustomize", "--to-revision", "--since-time", "--image", "--overwrite-with",
        "--chunk-size", "--request-timeout", "--max-log-requests", "--for",
    }
)


def kind_name(word: str) -> str:
    """A kind as written (`pods`, `deploy`, `deployment.apps`) in one spelling."""
    base = word.lower().split(".", 1)[0]
    return ALIASES.get(base, base)


def resource(namespace: str | None, kind: str, name: str | None = None) -> str:
    parts = ["k8s"]
    if kind not in CLUSTER_SCOPED:
        parts.append(path_part(namespace) if namespace else "*")
    parts.append(kind)
    if name:
        parts.append(path_part(name))
    return "/".join(parts)


def _targets(call: Invocation, verb: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """The resources the positional words after the verb name: `kind/name`
    words, or a kind followed by names; `key=value` and `key-` words (labels,
    annotations, `set image` containers) name nothing."""
    namespace = call.value("-n", "--namespace")
    if call.has("-A", "--all-namespaces"):
        namespace = "*"
    words = tuple(word for word in words if "=" not in word and not word.endswith("-") and word)
    named: list[str] = []
    if words and all("/" in word for word in words):
        for word in words:
            kind, _, name = word.partition("/")
            named.append(resource(namespace, kind_name(kind), name))
        return tuple(named)
    implied = _IMPLIED_KIND.get(verb)
    if implied is not None:
        if not words:
            return (resource(namespace, implied),)
        return tuple(resource(namespace, implied, word) for word in words)
    if not words:
        # `apply -f file`: the file says what; the namespace is all that is known.
        if namespace and namespace != "*":
            return (f"k8s/{path_part(namespace)}",)
        return ()
    if "$" in words[0]:
        # A variable holding `kind/name` (as `-o name` prints it): kept as written.
        return tuple(f"k8s/{path_part(namespace) if namespace else '*'}/{word}" for word in words)
    kinds = [kind_name(kind) for kind in words[0].split(",") if kind]
    names = words[1:]
    if call.has("-l", "--selector", "--all") or not names:
        return tuple(resource(namespace, kind) for kind in kinds)
    return tuple(resource(namespace, kind, name) for kind in kinds for name in names)


def read(call: Invocation) -> Effect | None:
    words = call.positionals
    if not words:
        return None
    verb, rest = words[0], words[1:]
    if verb == "exec":
        return Effect(runs=call.rest) if call.rest else None
    if verb in ("rsh", "debug"):
        # `oc rsh pod [command]`, `oc debug node/n [-- command]`: the command
        # run there; with none, a shell opens there (what is typed in it
        # follows as commands of its own), which only reads where it is.
        command = call.rest or (rest[1:] if verb == "rsh" else ())
        if command:
            return Effect(runs=command)
        return Effect(reads=_targets(call, verb, rest[:1]), opens_shell=True) if rest else None
    if verb in _WHOLE_CLUSTER_READS:
        return Effect(reads=("k8s",))
    if verb in _GROUPS and rest:
        group, verb, rest = verb, rest[0], rest[1:]
        if group == "rollout" and verb in _ROLLOUT_READS:
            return Effect(reads=_targets(call, verb, rest))
        if group == "adm" and verb in _WHOLE_CLUSTER_READS:
            return Effect(reads=("k8s",))
        if group == "adm" and verb in _GATHER:
            return Effect(reads=_targets(call, verb, rest)) if rest else None
        if group == "adm" and verb == "certificate" and rest and rest[0] in _CERTIFICATE_WRITES:
            names = tuple(name for name in rest[1:] if "/" not in name) or (None,)
            return Effect(writes=tuple(resource(None, "certificatesigningrequest", name) for name in names))
    targets = _targets(call, verb, rest)
    if not targets:
        return None
    if verb in READS:
        return Effect(reads=targets)
    if verb in WRITES:
        return Effect(writes=targets)
    return None


TABLE = ToolTable(("kubectl", "oc"), VALUE_FLAGS, read)
