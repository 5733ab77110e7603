"""virtctl (KubeVirt, OpenShift Virtualization): a virtual machine is
`k8s/<namespace>/virtualmachine/<name>`, its running instance
`k8s/<namespace>/virtualmachineinstance/<name>`, as `oc get vm` and `oc get
vmi` name them.  Starting, stopping, restarting and migrating change the
machine; pausing and freezing the instance; `console`, `vnc` and `ssh` open a
session on the instance (what is done there follows, if written); the guest
agent's reports read the instance."""

from __future__ import annotations

from ._invocation import Effect, Invocation, ToolTable
from .kubernetes import resource

_VM_WRITES = frozenset({"start", "stop", "restart", "migrate", "migrate-cancel", "expand", "addvolume", "removevolume"})
_VMI_WRITES = frozenset({"pause", "unpause", "freeze", "unfreeze", "soft-reboot"})
_VMI_READS = frozenset({"guestfsinfo", "fslist", "userlist", "guestosinfo"})
_SESSIONS = frozenset({"console", "vnc", "ssh"})
VALUE_FLAGS = frozenset(
    {"-n", "--namespace", "--kubeconfig", "--context", "-i", "--identity-file", "-l", "--username",
     "--timeout", "--grace-period", "--volume-name", "-c", "--command", "--port", "-p"}
)


def read(call: Invocation) -> Effect | None:
    words = call.positionals
    if len(words) < 2:
        return None
    command, named = words[0], words[-1]
    namespace = call.value("-n", "--namespace")
    if command in ("pause", "unpause") and len(words) >= 3:  # `pause vm|vmi <name>`
        kind = "virtualmachine" if words[1] == "vm" else "virtualmachineinstance"
        return Effect(writes=(resource(namespace, kind, named),))
    if "@" in named:  # `ssh user@vmi/name`
        named = named.split("@", 1)[1]
    if "/" in named:  # `vmi/name`, `vm/name`
        named = named.split("/", 1)[1]
    if command in _VM_WRITES:
        return Effect(writes=(resource(namespace, "virtualmachine", named),))
    if command in _VMI_WRITES:
        return Effect(writes=(resource(namespace, "virtualmachineinstance", named),))
    if command in _VMI_READS:
        return Effect(reads=(resource(namespace, "virtualmachineinstance", named),))
    if command in _SESSIONS:
        if call.has("-c", "--command"):
            return None  # a command of its own on the guest: not known
        return Effect(reads=(resource(namespace, "virtualmachineinstance", named),), opens_shell=True)
    return None


TABLE = ToolTable(("virtctl",), VALUE_FLAGS, read)
