"""What a StackStorm action does, for the Orquesta and ActionChain adapters.

A workflow names the actions its tasks run, not what they touch.  Only
StackStorm's own core actions say it in their parameters; any other action
(a pack's, another workflow) may create, change or need anything, so every
task after one running it requires it, and it every task before it, however
many tasks lie between (as for a Markdown or Rundeck step of unknown
effect): never a gate RL201 questions.

- `core.noop` does nothing, nor does a task with no action.
- `core.local`, `core.local_sudo`, `core.remote` and `core.remote_sudo`
  run their `cmd` as shell: what the shell tables say it reads and writes
  (an expression in it is a `<placeholder>`); a command of no table makes
  the effect unknown, and a `sleep` makes it a wait (for time to pass, or
  in a loop for a state).
- `core.http` reads its `url` (`http/<host>/<path>`) with `GET` or `HEAD`
  (the default) and writes it with any other method.
- An action whose name says it only looks (`get`, `list`, `describe`,
  `show`, `check`...: one of those words, no word of a change) reads its
  pack's system, `stackstorm/<pack>`, and changes nothing.
- An action that waits (`core.pause`, a name with `wait` or `poll`) or
  asks a person (`core.ask`, `core.inquiry`) orders the tasks around it:
  it waits for what the tasks before it do, and those after it for it.
- An action that prints or sends a message (`core.echo`, `core.sendmail`,
  a name with `message`, `mail` or `notify`) reports what the tasks before
  it did ("restart done"): the waits into it are required; it changes
  nothing a later task uses.

A task named for a check (`check`, `verify`...) is a guard, and one named
for the service's health (`health`, `smoke`...) observes it all
(adapters/_behaviour.py).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..model import Ref
from ..shell import read_script
from ..shell.curl import url_resource
from ..source import Document
from ._behaviour import is_check, observes_service, words
from ._builder import Descendants, RunbookBuilder, StepDraft, placeholders, text

_SHELL = frozenset({"core.local", "core.local_sudo", "core.remote", "core.remote_sudo"})
_ASKS = frozenset({"core.ask", "core.inquiry"})
# A message printed (`core.echo`: "restart done") or sent says what happened before it.
_REPORTING = frozenset({"core.echo", "core.sendmail"})
_NUMBER = re.compile(r"\d{1,15}(?:\.\d{1,15})?")
_INLINE_PARAMETER = re.compile(r"""(\w+)=(?:"([^"]*)"|'([^']*)'|(\S+))""")
_READING_METHODS = frozenset({"GET", "HEAD"})
# Words of an action's name (after its pack) saying that it only looks.
_LOOKING = frozenset(
    {
        "get", "list", "describe", "show", "find", "search", "query", "lookup", "read", "fetch",
        "check", "verify", "validate", "status", "info", "view", "count", "inspect",
    }
)
# Words saying that it changes something, which a looking word beside them does not undo.
_CHANGING = frozenset(
    {
        "create", "delete", "remove", "update", "set", "add", "put", "post", "run", "start", "stop",
        "restart", "reboot", "modify", "attach", "detach", "enable", "disable", "deploy", "install",
        "uninstall", "execute", "exec", "apply", "push", "send", "kill", "terminate", "destroy",
        "register", "unregister", "move", "drain", "manage", "unmanage", "assign", "patch", "write",
        "upload", "download", "clean", "cleanup", "purge", "reset", "rotate", "scale", "resize", "copy",
        "sync", "migrate", "mount", "unmount", "format", "backup", "restore", "rollback", "revert",
        "approve", "close", "open", "ack", "acknowledge", "resolve", "trigger", "invoke", "launch",
        "provision", "build", "release", "tag", "merge", "commit", "publish", "save", "store", "import",
        "export", "load", "block", "unblock", "isolate", "quarantine", "suspend", "resume", "shutdown",
        "power", "replace", "rename", "change", "edit", "make", "generate", "init", "initialize",
        "wait", "poll", "sleep", "pause",
    }
)
_WAITING = frozenset({"wait", "poll", "pause", "sleep"})
_MESSAGE = frozenset({"message", "mail", "email", "sendmail", "notify", "notification"})


class Kind(enum.Enum):
    """How the waits around a task are to be taken."""

    KNOWN = "known"  # its reads and writes say what it needs and gives
    UNKNOWN = "unknown"  # what it does is not known: the waits into and out of it are required
    WAITS = "waits"  # it waits or asks a person: the waits into and out of it are required
    REPORTS = "reports"  # a message: the waits into it are required


@dataclass(frozen=True)
class ActionEffect:
    """What a task running an action does: the resources it reads and
    writes, each with the parameter naming it (None: the action's name)."""

    kind: Kind
    action: str | None
    reads: tuple[tuple[str, str | None], ...] = ()
    writes: tuple[tuple[str, str | None], ...] = ()

    def orders(self, task: str, first: bool) -> str | None:
        """Why a wait between this task (`task`) and another is required,
        this task coming `first` or after the other; None when the wait is a
        gate the resources and facts judge."""
        if self.kind is Kind.UNKNOWN:
            return f"what `{task}` does (`{self.action}`) is not known from the workflow"
        if self.kind is Kind.WAITS:
            return f"`{task}` waits (`{self.action}`) for what the tasks before it do, and those after it for it"
        if self.kind is Kind.REPORTS and not first:
            return f"`{task}` reports (`{self.action}`) what the tasks before it did"
        return None


def action_call(
    action: Any, parameters: Any, expressions: tuple[tuple[str, str], ...]
) -> tuple[str | None, dict[Any, Any]]:
    """A task's action name (None when none is written) and its parameters:
    those written inline after the name (`core.local cmd="ls /"`, each
    expression between the delimiters `expressions` a `<placeholder>`),
    then those of the `parameters` mapping, which win."""
    written = text(action)
    name = written.split()[0] if written and written.split() else None
    given: dict[Any, Any] = {}
    if written is not None and name is not None:
        given.update(_inline(placeholders(written[written.index(name) + len(name) :], expressions)))
    if isinstance(parameters, dict):
        given.update(parameters)
    return name, given


def action_effect(action: Any, parameters: Any, expressions: tuple[tuple[str, str], ...]) -> ActionEffect:
    """The effect of a task running `action` (as written: a reference with
    its inline parameters, or None for a task with none) with `parameters`
    (its `input` or `parameters` mapping), whose values write expressions
    between the delimiters `expressions`."""
    if action is None:
        return ActionEffect(Kind.KNOWN, None)
    name, given = action_call(action, parameters, expressions)
    if name is None or any(opening in name for opening, _ in expressions):
        return ActionEffect(Kind.UNKNOWN, text(action))  # chosen at run time
    if name == "core.noop":
        return ActionEffect(Kind.KNOWN, name)
    if name in _ASKS or name == "core.pause":
        return ActionEffect(Kind.WAITS, name)
    if name in _SHELL:
        return _shell(name, text(given.get("cmd")), expressions)
    if name == "core.http":
        return _http(name, text(given.get("url")), text(given.get("method")), expressions)
    if name in _REPORTING:
        return ActionEffect(Kind.REPORTS, name)
    pack, _, short = name.partition(".")
    said = words(short)
    if said & _WAITING:
        return ActionEffect(Kind.WAITS, name)
    if said & _MESSAGE and not (said - {"send", "post"}) & _CHANGING:
        return ActionEffect(Kind.REPORTS, name)
    if said & _LOOKING and not said & _CHANGING:
        return ActionEffect(Kind.KNOWN, name, reads=((f"stackstorm/{pack}", None),))
    return ActionEffect(Kind.UNKNOWN, name)


def _inline(written: str) -> dict[str, str | int | float]:
    """The parameters written after an action's name: a bare number is one
    (`max_pause=60`), anything else text."""
    found: dict[str, str | int | float] = {}
    for match in _INLINE_PARAMETER.finditer(written):
        quoted = match.group(2) if match.group(2) is not None else match.group(3)
        bare = match.group(4)
        if quoted is not None:
            found[match.group(1)] = quoted
        elif _NUMBER.fullmatch(bare):
            found[match.group(1)] = float(bare) if "." in bare else int(bare)
        else:
            found[match.group(1)] = bare
    return found


def _shell(name: str, command: str | None, expressions: tuple[tuple[str, str], ...]) -> ActionEffect:
    if command is None:
        return ActionEffect(Kind.UNKNOWN, name)
    script = read_script(placeholders(command, expressions))
    if not script.known:
        return ActionEffect(Kind.UNKNOWN, name)
    if any(ran.words[:1] == ("sleep",) for ran in script.commands):
        return ActionEffect(Kind.WAITS, name)  # for time to pass, or in a loop for a state
    return ActionEffect(
        Kind.KNOWN,
        name,
        reads=tuple((resource, "cmd") for resource in dict.fromkeys(script.reads)),
        writes=tuple((resource, "cmd") for resource in dict.fromkeys(script.writes)),
    )


def _http(
    name: str, url: str | None, method: str | None, expressions: tuple[tuple[str, str], ...]
) -> ActionEffect:
    resource = url_resource(placeholders(url, expressions)) if url else None
    if resource is None:
        return ActionEffect(Kind.UNKNOWN, name)
    if (method or "GET").upper() in _READING_METHODS:
        return ActionEffect(Kind.KNOWN, name, reads=((resource, "url"),))
    return ActionEffect(Kind.KNOWN, name, writes=((resource, "url"),))


def mark_effects(
    builder: RunbookBuilder,
    doc: Document,
    tasks: Iterable[tuple[StepDraft, dict[Any, Any]]],
    action_key: str,
    parameters_of: Callable[[dict[Any, Any]], Any],
    expressions: tuple[tuple[str, str], ...],
) -> None:
    """Each task's (its draft and mapping: the action under `action_key`,
    its parameters as `parameters_of` finds them) reads and writes, where
    the parameter naming each is written in `doc`, else its action; whether
    it is a check (a guard) or observes the service; and the waits its
    effect requires (declared before: RunbookBuilder.require_around)."""
    effects: dict[str, ActionEffect] = {}
    for draft, task in tasks:
        parameters = parameters_of(task)
        effect = effects[draft.id] = action_effect(task.get(action_key), parameters, expressions)
        action_span = doc.value_span(task, action_key) if action_key in task else draft.span
        for resources, refs in ((effect.reads, draft.reads), (effect.writes, draft.writes)):
            for resource, parameter in resources:
                named = isinstance(parameters, dict) and parameter in parameters
                refs.append(Ref(resource, doc.value_span(parameters, parameter) if named else action_span))
        names = (draft.id, effect.action or "")
        draft.guard = is_check(*names)
        if observes_service(*names):
            draft.observes.append(Ref("*", draft.span))
    builder.require_around(
        {step: (effect.orders(step, True), effect.orders(step, False)) for step, effect in effects.items()}
    )


def drop_initial_values(
    drafts: Iterable[StepDraft],
    given: set[str],
    producers: dict[str, list[str]],
    later: dict[str, set[str]],
) -> None:
    """A task sees the variables the tasks before it published (in Orquesta
    each branch has its own context; an ActionChain runs one task at a time):
    a given variable that no earlier task publishes is read at its initial
    value, which is no task's output: that use of it is left out (kept when
    no other task publishes it: a task's own publish orders nothing)."""
    drafts = list(drafts)
    read = {ref.name for draft in drafts for ref in draft.inputs} & given & producers.keys()
    if not read:
        return
    after = Descendants(later)
    reaching = {fact: after.reached_from(producers[fact]) for fact in read}
    for draft in drafts:
        draft.inputs = [
            ref
            for ref in draft.inputs
            if ref.name not in reaching
            or after.has(reaching[ref.name], draft.id)
            or set(producers[ref.name]) <= {draft.id}
        ]


