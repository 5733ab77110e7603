"""Ansible playbooks (a list of plays) and task files (a list of tasks) as runbooks.

- Steps: each task of each play's `pre_tasks`, `roles`, `tasks` and
  `post_tasks`, in the order Ansible runs them; each task of a `block`,
  `rescue` and `always`; each role (`role-<name>`); each
  `import_playbook`; each handler where it runs.  A step's id is its
  task's `name` made a word (`restart-nginx`), else `<module>-<number>`;
  a name taken before gets `-2`, `-3`...  Its title is the name, else the
  module.  A task or play that is not a mapping, or a section that is not
  a list, makes the file unreadable (RL002).
- Declared order O: plays run one after the other; the tasks of a play
  run one after the other on each host (the linear strategy; `strategy:
  free` lets hosts run ahead of each other, not a host's tasks; `serial`
  and `throttle` bound how many hosts run at once, `run_once` runs a task
  on one host: none of them changes the order of tasks).  A task started
  with `async` and `poll: 0` is not waited for: the next task starts at
  once, and the task that reads its registered result (`async_status`)
  waits for it.  Handlers run where the handlers are flushed (`meta:
  flush_handlers`, the end of `pre_tasks`, of the roles and tasks, and of
  `post_tasks`) when a task before has notified them (`notify`, by name or
  `listen` topic): a handler step waits for the task before the flush,
  requires the tasks notifying it, and runs only when notified.  A
  `meta: flush_handlers` after a task notified a handler the file does not
  define (a role's, in a task file) is of unknown effect: it runs that handler.
- Failure paths: a task of a `block` fails into its `rescue` (the first
  rescue task is its failure path; the rescue runs only when a task of the
  block fails, so every later rescue task requires the first); `always`
  runs after the block and its rescue either way.
- Guards: `assert`, `fail`, a `pause` (a person confirming), `meta:
  end_play` (and `end_host`, `end_batch`) and a task with a `failed_when`
  stop the run when they fail: every later change needs them, and a task
  using a variable a guard tests (`x is not defined`) needs it.  A `debug` message
  reports on what ran before it: the wait into it is required.
  `wait_for`, `wait_for_connection` and `pause` let what ran before them
  finish (a reboot, a service coming up): the waits into and out of them
  are required.  `when` is the
  task's condition (a block's applies to its tasks).
- Facts: `register` outputs a fact (set even when the task is skipped),
  `set_fact` outputs its keys; a task whose `{{ ... }}`, `when`,
  `failed_when`, `changed_when` or `until` names a fact an earlier task
  outputs uses it.  A fact no later task of the file uses is no output (a
  role or an included file, which are not read, may use it; a task's own
  `until` reads its result).  `setup`, `gather_facts` and `*_facts`
  output the host facts, which `ansible_facts` and `hostvars[...]` use.  A use that does without the fact (`x |
  default(...)`, `x is defined`) waits for it but does not miss it.  Other variables
  (inventory, `vars`) are not facts.  A `when` naming `item` on a looped
  task is tested item by item: not a condition of the whole step.
- Resources: modules map to reads and writes through `MODULES` (a module's
  collection prefix, `ansible.builtin.` or another, is dropped): services
  write `systemd/<name>` and read the host's config; `command`, `shell`
  and `raw` are read with the shared shell mapping (`recoverylint.shell`)
  and read the host's config; `uri` reads (`GET`, `HEAD`) or writes its
  URL as `http/<host>/<path>`; `k8s` writes `k8s/<namespace>/<kind>/<name>`
  (`k8s_info` reads it); package and other system modules write the
  host's config (`host/<hosts>/config`, the play's `hosts` or the task's
  `delegate_to`; a templated one, `{{ item }}`, is known only at run time:
  any host, `host/*/config`); `*_info`, `*_facts`, `stat`, `setup` read it.
  Modules writing one file or folder (`file`, `copy`, `template`,
  `lineinfile`...) write it by its path, under the host's config
  (`host/<hosts>/config/etc/nginx/nginx.conf`), so that writes of
  different files do not conflict; a path is known up to the folder
  before its first template (`{{ conf_dir }}/a.conf` is the whole config,
  `/etc/ceph/{{ cluster }}.conf` is `.../config/etc/ceph`): its value is
  known only at run time, so the write may touch anything in that folder,
  and taking the folder keeps every conflict with a write there.  A path
  that is not absolute is the whole config (the folder it is relative to
  is not known here).  `copy` and `unarchive` with `remote_src` (or
  `unarchive`'s older `copy: no`) read their `src` on the host the same
  way, as `file` reads a link's `src`; `copy` and `template` from an
  absolute `src` read it on the controller (`host/localhost/config`, where
  `fetch` writes).  A bare `with_*` variable (`with_items:
  result.stdout_lines`, Ansible 1's form) is a use of it.  Roles,
  `import_playbook`, `include_*`/`import_*` (`include_vars` too: the
  variables it sets are in another file) and modules not in the table
  have no known effect (never guessed): the steps around them wait for
  them, and so does each later task of the play using a file of the same
  host's config (it may use any file there).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..capabilities import Capability
from ..durations import MAX_MINUTES, format_default
from ..finding import Issue
from ..model import Duration, EdgeKind, Ref, Span
from ..shell import Script, read_script
from ..shell._invocation import path_part
from ..shell.curl import url_resource
from ..source import Document
from . import Adapted, AdapterError, InputFormat, documents
from ._builder import RunbookBuilder, StepDraft, delimited, placeholders, text
from ._step_ids import StepIds

# Jinja expressions (`{% %}` statements name no value).
_JINJA = (("{{", "}}"),)

NAME = "ansible"
PLAY_SECTIONS = ("pre_tasks", "roles", "tasks", "post_tasks")
PLAY_KEYS = frozenset({"hosts", "import_playbook", "ansible.builtin.import_playbook", "include"})
# Keywords of a task that are not its module (Ansible's task keywords).
TASK_KEYWORDS = frozenset(
    {
        "name",
        "when",
        "register",
        "notify",
        "loop",
        "loop_control",
        "become",
        "become_user",
        "become_method",
        "become_flags",
        "become_exe",
        "tags",
        "vars",
        "delegate_to",
        "delegate_facts",
        "run_once",
        "async",
        "poll",
        "ignore_errors",
        "ignore_unreachable",
        "failed_when",
        "changed_when",
        "until",
        "retries",
        "delay",
        "environment",
        "args",
        "no_log",
        "check_mode",
        "diff",
        "any_errors_fatal",
        "throttle",
        "timeout",
        "listen",
        "connection",
        "remote_user",
        "collections",
        "module_defaults",
        "debugger",
        "port",
        "block",
        "rescue",
        "always",
        "local_action",
        "action",
    }
)
_EXPRESSION_KEYS = ("when", "failed_when", "changed_when", "until")
_IDENTIFIER = re.compile(r"(?<![\w.'\"])([A-Za-z_]\w*)")
# What follows a variable that does without it: a default, or a test of whether it is set.
_TOLERATED = re.compile(
    r"""(?:\.\w+|\[[^\]]{0,200}\])*\s*(?:\|\s*(?:default|d)\b|is\s+(?:not\s+)?(?:defined|undefined)\b)"""
)
_LOOPED = re.compile(r"\bitem\b")
_FREE_ARGUMENT = re.compile(r"""(\w+)=("[^"]{0,200}"|'[^']{0,200}'|\S+)""")

Effect = tuple[tuple[str, ...], tuple[str, ...]]  # (reads, writes) of resource names


@dataclass(frozen=True)
class Call:
    """A task's module as written: its short name, its arguments (a free-form
    argument string is `_raw_params`), and the host it runs on."""

    module: str
    arguments: dict[str, Any]
    host: str

    def word(self, key: str) -> str | None:
        value = self.arguments.get(key)
        return text(value)

    @property
    def config(self) -> str:
        return f"host/{self.host}/config"


def _service(call: Call) -> Effect | None:
    name = call.word("name")
    if not name:
        return None
    unit = "systemd/" + path_part(placeholders(name, _JINJA).removesuffix(".service"))
    changes = any(key in call.arguments for key in ("state", "enabled", "masked", "daemon_reload"))
    return ((call.config,), (unit,)) if changes else ((unit,), ())


def _reads_host(call: Call) -> Effect | None:
    return ((call.config,), ())


def _writes_host(call: Call) -> Effect | None:
    return ((), (call.config,))


def _writes_file(call: Call) -> Effect | None:
    """A module writing one file or folder writes it by its path (see
    `_file_resource`); `copy` and `unarchive` with `remote_src` (or
    `unarchive`'s older `copy: no`) read their `src` on the host too, as
    `file` reads a link's `src`; otherwise `src` is on the controller, read
    there when absolute (where a `fetch` puts files)."""
    path = next((word for word in map(call.word, _FILE_WRITERS[call.module]) if word), None)
    written = _file_resource(call.config, path)
    source = call.word("src")
    remote = _flag(call.arguments.get("remote_src"))
    if call.module == "unarchive" and _flag(call.arguments.get("copy")) is False:
        remote = True
    if source and (remote or call.module == "file"):  # a link's target is on the host
        return ((_file_resource(call.config, source),), (written,))
    if source and source.startswith("/") and call.module in ("copy", "template"):
        return ((_file_resource(_CONTROLLER, source),), (written,))  # a file a `fetch` may have put there
    return ((), (written,))


def _flag(value: Any) -> bool | None:
    """An Ansible boolean as written (`true`, `yes`, `no`...); None when it is not one."""
    if isinstance(value, bool):
        return value
    word = (text(value) or "").lower()
    return True if word in ("yes", "true", "on", "1") else False if word in ("no", "false", "off", "0") else None


_GLOB_CHARACTER = re.compile(r"[*?[]")
_BARE_VARIABLE = re.compile(r"[A-Za-z_]\w*(?:\.\w+)*")
# Where the controller's files are, for `fetch` and for a `copy` or `template` from an absolute path.
_CONTROLLER = "host/localhost/config"


def _file_resource(config: str, path: str | None) -> str:
    """The file or folder `path` of a host as a resource under its config:
    its absolute path's parts after `config`, up to the folder before the
    first template; `config` itself for no path or a relative one."""
    if not path or not path.startswith("/"):
        return config
    templated = min((at for at in (path.find("{{"), path.find("{%")) if at >= 0), default=-1)
    if templated >= 0:
        path = path[: path.rfind("/", 0, templated) + 1]
    parts = [re.sub(r"\s+", "-", part) for part in posixpath.normpath(path).split("/") if part]
    # A path is literal: `*`, `?` and `[` in it match only themselves (`[*]`...), not as a glob would.
    return "/".join([config, *(_GLOB_CHARACTER.sub(r"[\g<0>]", part) for part in parts)])


def _fetch(call: Call) -> Effect | None:
    """`fetch` copies from the host to the controller, where Ansible runs."""
    return ((call.config,), (_CONTROLLER,))


def _nothing(call: Call) -> Effect | None:
    return ((), ())


def _shell(call: Call) -> Effect | None:
    script = call.word("_raw_params") or call.word("cmd")
    argv = call.arguments.get("argv")
    if script is None and isinstance(argv, list):
        script = " ".join(str(word) for word in argv)
    if script is None:
        return None
    parsed = _script(placeholders(script, _JINJA))
    if not parsed.known:
        return None
    return ((call.config, *parsed.reads), parsed.writes)


@lru_cache(maxsize=4096)
def _script(script: str) -> Script:
    """A command's script as the shell mapping reads it (playbooks repeat
    their commands across plays and hosts: each is parsed once)."""
    return read_script(script)


def _uri(call: Call) -> Effect | None:
    url = call.word("url")
    resource = url_resource(placeholders(url, _JINJA)) if url else None
    if resource is None:
        return None
    method = (call.word("method") or "GET").upper()
    return ((resource,), ()) if method in ("GET", "HEAD") else ((), (resource,))


def _k8s_resource(call: Call) -> str | None:
    definition = call.arguments.get("definition")
    metadata = definition.get("metadata") if isinstance(definition, dict) else None
    kind = call.word("kind") or (text(definition.get("kind")) if isinstance(definition, dict) else None)
    name = call.word("name") or (text(metadata.get("name")) if isinstance(metadata, dict) else None)
    namespace = call.word("namespace") or (text(metadata.get("namespace")) if isinstance(metadata, dict) else None)
    if not kind:
        return None
    parts = [path_part(namespace) if namespace else "*", kind.lower()] + ([path_part(name)] if name else [])
    return "k8s/" + "/".join(parts)


def _k8s(call: Call) -> Effect | None:
    resource = _k8s_resource(call)
    return None if resource is None else ((), (resource,))


def _k8s_info(call: Call) -> Effect | None:
    resource = _k8s_resource(call)
    return None if resource is None else ((resource,), ())


_HOST_WRITERS = (
    "package",
    "apt",
    "yum",
    "dnf",
    "pip",
    "apk",
    "zypper",
    "snap",
    "gem",
    "npm",
    "homebrew",
    "apt_key",
    "apt_repository",
    "yum_repository",
    "rpm_key",
    "user",
    "group",
    "mount",
    "sysctl",
    "cron",
    "git",
    "authorized_key",
    "selinux",
    "seboolean",
    "sefcontext",
    "firewalld",
    "ufw",
    "iptables",
    "hostname",
    "timezone",
    "alternatives",
    "modprobe",
    "reboot",
    "synchronize",
    "openssl_certificate",
    "x509_certificate",
    "openssl_privatekey",
    "mysql_db",
    "mysql_user",
    "postgresql_db",
    "postgresql_user",
    "kernel_blacklist",
    "pam_limits",
    "locale_gen",
    "parted",
    "lvg",
    "lvol",
    "filesystem",
    "docker_container",
    "podman_container",
    "docker_image",
    "podman_image",
    "known_hosts",
)
# Modules writing one file or folder, and the arguments naming it (with Ansible's aliases).
_FILE_WRITERS: dict[str, tuple[str, ...]] = {
    "file": ("path", "dest", "name"),
    "copy": ("dest",),
    "template": ("dest",),
    "lineinfile": ("path", "dest", "destfile", "name"),
    "blockinfile": ("path", "dest", "destfile", "name"),
    "replace": ("path", "dest", "destfile", "name"),
    "ini_file": ("path", "dest"),
    "get_url": ("dest",),
    "unarchive": ("dest",),
}
_HOST_READERS = ("stat", "setup", "slurp", "find", "command_info", "package_facts", "service_facts", "getent")
_NEUTRAL = (
    "debug",
    "assert",
    "fail",
    "set_fact",
    "pause",
    "wait_for",
    "wait_for_connection",
    "ping",
    "set_stats",
    "meta",
    "async_status",
    "fetch_facts",
    "validate_argument_spec",
)
# A module's short name -> what it reads and writes (None: not known).
MODULES: dict[str, Callable[[Call], Effect | None]] = {
    **{name: _writes_host for name in _HOST_WRITERS},
    **{name: _writes_file for name in _FILE_WRITERS},
    **{name: _reads_host for name in _HOST_READERS},
    **{name: _nothing for name in _NEUTRAL},
    "service": _service,
    "systemd": _service,
    "systemd_service": _service,
    "sysvinit": _service,
    "command": _shell,
    "shell": _shell,
    "raw": _shell,
    "uri": _uri,
    "fetch": _fetch,
    "k8s": _k8s,
    "k8s_scale": _k8s,
    "k8s_drain": _k8s,
    "k8s_json_patch": _k8s,
    "k8s_rollback": _k8s,
    "k8s_info": _k8s_info,
    "k8s_log": _k8s_info,
}
GUARDS = frozenset({"assert", "fail", "pause"})
GATHERERS = frozenset({"setup", "gather_facts"})
HOST_FACTS = "ansible_facts"  # what gathering facts outputs: a later `ansible_facts` or `hostvars` uses it
REPORTS = frozenset({"debug"})
HOLDS = frozenset({"wait_for", "wait_for_connection", "pause"})
INSTANT = frozenset({"debug", "set_fact", "assert", "fail", "meta"})
_UNKNOWN_STEPS = frozenset({"include_tasks", "import_tasks", "include_role", "import_role", "include"})


def _host(written: str) -> str:
    """A host pattern as one part of a resource name; a templated one
    (`{{ item }}`, `{{ groups['mons'][0] }}`) names a host known only at run
    time, which may be any host: `*`."""
    if "{{" in written or "{%" in written:
        return "*"
    return path_part(written)


def short_module(key: str) -> str:
    """A module's name without its collection (`ansible.builtin.service`: `service`)."""
    return key.rsplit(".", 1)[-1]


def _module_key(task: dict[str, Any]) -> str | None:
    return next((key for key in task if not _keyword(key)), None)


def _keyword(key: Any) -> bool:
    return isinstance(key, str) and (key in TASK_KEYWORDS or key.startswith("with_"))


def _is_play(item: Any) -> bool:
    return isinstance(item, dict) and any(key in item for key in PLAY_KEYS)


def _is_task(item: Any) -> bool:
    """A mapping Ansible would take for a task: a block, or one module and
    task keywords."""
    if not isinstance(item, dict):
        return False
    if "block" in item:
        return True
    modules = [key for key in item if not _keyword(key)]
    return len(modules) == 1 or (not modules and ("action" in item or "local_action" in item))


def _known_task(item: dict[str, Any]) -> bool:
    """A task of a module Ansible ships (by name, or any collection's full name)."""
    key = _module_key(item)
    return "block" in item or (
        key is not None and (short_module(key) in MODULES or short_module(key) in _UNKNOWN_STEPS or "." in key)
    )


def detect(document: Document) -> bool:
    return any(_kind(doc.data) is not None for doc in documents(document))


def _kind(data: Any) -> str | None:
    """`plays` for a playbook (a list of plays, each with `hosts` and its
    tasks or roles, or an `import_playbook`), `tasks` for a task file (a list
    of tasks, each a block or a module Ansible ships), else None."""
    if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
        return None
    if any("sequence" in item for item in data):
        return None  # Rundeck's job lists
    plays = [item for item in data if _is_play(item)]
    if (
        plays
        and all(_is_play(item) or _is_task(item) for item in data)
        and any(
            any(
                key in item
                for key in ("import_playbook", "ansible.builtin.import_playbook", *PLAY_SECTIONS, "handlers")
            )
            for item in plays
        )
    ):
        return "plays"
    if all(_is_task(item) for item in data) and any(_known_task(item) for item in data):
        return "tasks"
    return None


def build(document: Document, path: str, default_duration: float | None) -> Adapted:
    docs = [doc for doc in documents(document) if _kind(doc.data) is not None]
    builder = RunbookBuilder(document, path, NAME, default_duration, wait_key=None)
    reader = _Reader(builder)
    for doc in docs:
        reader.doc = doc
        if _kind(doc.data) == "plays":
            for index, play in enumerate(doc.data):
                reader.play(play, doc.data, index)
        else:
            reader.last = reader.tasks(doc.data, reader.last, _Context(host="all"))
            reader.flush(_Context(host="all"))
    first = docs[0]
    title = None
    if _kind(first.data) == "plays" and len(first.data) == 1:
        title = text(first.data[0].get("name"))
    return builder.build(Path(path).stem, first.value_span(first.data, 0), title=title)


@dataclass(frozen=True)
class _Context:
    """What a task inherits from its play and its blocks."""

    host: str
    condition: str | None = None
    rescue: Ref | None = None  # the failure path of the tasks of a block with a rescue
    handlers: bool = False  # whether the tasks are handlers (they notify no flush)
    tested: tuple[tuple[str, Span], ...] = ()  # the `when` of the blocks around the tasks, and where


@dataclass
class _Placed:
    """A step as placed in the order: its draft, and whether its effect is known."""

    draft: StepDraft
    known: bool
    reports: bool = False  # a message about what ran before it (`debug`)
    holds: bool = False  # a wait letting what ran before it finish (`wait_for`, `pause`)
    host: str | None = None  # the host it runs on, for a task or a role


@dataclass
class _Handler:
    """A handler of the play as written, and the names that notify it (its name, its `listen` topics)."""

    task: dict[str, Any]
    holder: list[Any]
    index: int
    names: set[str] = field(default_factory=set)


class _Reader:
    def __init__(self, builder: RunbookBuilder) -> None:
        self.builder = builder
        self.doc: Document = builder.document
        self.ids = StepIds("task")
        self.count = 0
        self.last: list[_Placed] = []  # the steps the next step waits for
        # fact -> the latest step outputting it, and where: an output is
        # given to that step once a step uses it (a fact no task of the file
        # uses may be for a role or an included file, which are not read).
        self.facts: dict[str, tuple[StepDraft, Ref, bool]] = {}
        self.pending_async: dict[str, _Placed] = {}  # registered name -> a task not waited for
        self.handlers: list[_Handler] = []
        # Whether a step of unknown effect (a role, an include...) was placed: it may set any fact.
        self.unknown_seen = False
        # host -> the play's latest step of unknown effect on it (see `_after_unknown`).
        self.unknown_on: dict[str, _Placed] = {}
        self.checked: dict[str, StepDraft] = {}  # a variable -> the latest guard testing it
        self.handler_names: dict[str, list[int]] = {}  # name or topic -> the handlers it notifies
        self.notified: dict[int, list[tuple[str, Span]]] = {}  # handler index -> notifying steps
        # Whether a task notified a handler this file does not define (a
        # role's) since the last flush: a `meta: flush_handlers` runs it.
        self.notified_elsewhere = False

    # The order of a play and its sections.

    def play(self, play: dict[str, Any], plays: list[Any], index: int) -> None:
        doc = self.doc
        span = doc.value_span(plays, index)
        imported = play.get("import_playbook", play.get("ansible.builtin.import_playbook"))
        if imported is not None or ("include" in play and "hosts" not in play):
            key = next(k for k in ("import_playbook", "ansible.builtin.import_playbook", "include") if k in play)
            title = text(play.get("name")) or f"import {text(imported) or ''}".strip()
            draft = self._draft(
                text(play.get("name")) or f"import-{text(imported) or 'playbook'}", doc.key_span(play, key), span, title
            )
            self._condition(draft, play, None)
            self._place(_Placed(draft, False), doc.key_span(play, key))
            return
        if not _is_play(play):
            raise AdapterError(
                Issue(span, "a play of a playbook must have `hosts` (or be an `import_playbook`): this one is a task")
            )
        host = text(play.get("hosts")) or "all"
        context = _Context(host=_host(host))
        self.unknown_on = {}
        self.handlers = self._handlers(play)
        self.handler_names = {}
        for number, handler in enumerate(self.handlers):
            for name in handler.names:
                self.handler_names.setdefault(name, []).append(number)
        self.notified = {}
        self.notified_elsewhere = False
        for section in PLAY_SECTIONS:
            items = play.get(section)
            if items is None:
                continue
            if not isinstance(items, list):
                raise AdapterError(Issue(doc.value_span(play, section), f"`{section}` of a play must be a list"))
            if section == "roles":
                for number, role in enumerate(items):
                    self._role(role, items, number, context)
            else:
                self.last = self.tasks(items, self.last, context)
            if section != "roles":  # handlers flush after pre_tasks, after roles and tasks, and after post_tasks
                self.flush(context)

    def _handlers(self, play: dict[str, Any]) -> list[_Handler]:
        items = play.get("handlers")
        if items is None:
            return []
        if not isinstance(items, list):
            raise AdapterError(Issue(self.doc.value_span(play, "handlers"), "`handlers` of a play must be a list"))
        found = []
        for index, handler in enumerate(items):
            if not isinstance(handler, dict):
                raise AdapterError(Issue(self.doc.value_span(items, index), "a handler must be a mapping"))
            names = {name for name in (text(handler.get("name")),) if name}
            listen = handler.get("listen")
            names.update(
                text(topic) or "" for topic in (listen if isinstance(listen, list) else [listen]) if text(topic)
            )
            found.append(_Handler(handler, items, index, names))
        return found

    def _role(self, role: Any, roles: list[Any], index: int, context: _Context) -> None:
        name = text(role.get("role", role.get("name"))) if isinstance(role, dict) else text(role)
        span = self.doc.value_span(roles, index)
        draft = self._draft(f"role-{name or index + 1}", span, span, f"role {name or ''}".strip())
        if isinstance(role, dict):
            self._condition(draft, role, context.condition)
        self._place(_Placed(draft, False, host=context.host), span)

    def flush(self, context: _Context) -> None:
        """The handlers notified since the last flush, as steps in the order
        they are written: each requires the tasks that notified it."""
        notified, self.notified = self.notified, {}
        self.notified_elsewhere = False
        for index in sorted(notified):
            handler = self.handlers[index]
            first = len(self.builder.drafts)
            self._task(handler.task, handler.holder, handler.index, _Context(context.host, handlers=True))
            notifiers = notified[index]
            for draft in self.builder.drafts[first:]:
                draft.condition = Ref(f"notified by {', '.join(name for name, _ in notifiers)}", draft.span)
                for name, at in notifiers:
                    self.builder.require(name, draft.id, at, f"`{draft.id}` runs only when `{name}` notifies it")

    def tasks(self, items: list[Any], before: list[_Placed], context: _Context) -> list[_Placed]:
        """Place the tasks of `items` one after the other, after `before`;
        the steps the next task waits for."""
        self.last = before
        for index, task in enumerate(items):
            if not isinstance(task, dict):
                raise AdapterError(Issue(self.doc.value_span(items, index), "a task must be a mapping"))
            self._task(task, items, index, context)
        return self.last

    def _task(self, task: dict[str, Any], holder: list[Any], index: int, context: _Context) -> None:
        """Place one task (a block: its tasks) after `self.last`."""
        if "block" in task:
            self._block(task, context)
            return
        doc = self.doc
        key = _module_key(task)
        action = task.get("action", task.get("local_action"))
        arguments: Any = task.get(key) if key else None
        module = short_module(key) if key else None
        if module is None and action is not None:
            written = text(action.get("module")) if isinstance(action, dict) else text(action)
            head, _, rest = (written or "").partition(" ")
            module = short_module(head) or None
            arguments = action if isinstance(action, dict) else rest
        span = doc.key_span(task, key) if key else doc.value_span(holder, index)
        name = text(task.get("name"))
        self.count += 1
        draft = self._draft(
            name or f"{module or 'task'}-{self.count}", span, doc.value_span(holder, index), name or module
        )
        delegate = text(task.get("delegate_to"))
        host = "localhost" if "local_action" in task else _host(delegate) if delegate else context.host
        call = Call(module or "", _arguments(arguments, task.get("args")), host)
        draft.duration = _default_duration(module, call.arguments)
        flushes = module == "meta" and text(arguments) == "flush_handlers"
        # A flush runs the handlers notified: one this file does not define may do anything.
        runs_unknown = flushes and self.notified_elsewhere
        effect = MODULES[module](call) if module in MODULES and not runs_unknown else None
        if effect is not None:
            reads, writes = effect
            draft.reads.extend(Ref(resource, span) for resource in dict.fromkeys(reads))
            draft.writes.extend(Ref(resource, span) for resource in dict.fromkeys(writes))
        ends = module == "meta" and text(arguments) in ("end_play", "end_host", "end_batch")
        failed_when = task.get("failed_when")
        checks = failed_when is not None and failed_when is not False and text(failed_when) not in ("false", "False")
        draft.guard = module in GUARDS or ends or checks
        self._condition(draft, task, context.condition)
        if context.rescue is not None:
            draft.on_failure.append(context.rescue)
        self._facts(draft, task, call, context)
        # An unconditional `fail` or an end ends the run after what comes before it: the wait into it is required.
        final = ends or (module == "fail" and "when" not in task)
        placed = _Placed(draft, effect is not None, module in REPORTS or final, module in HOLDS, host)
        if draft.guard:
            self._checks(draft, task, module, arguments)
        started = task.get("async") is not None and text(task.get("poll")) == "0"
        self._place(placed, span, keep_last=started)
        register = text(task.get("register"))
        if started and register:
            self.pending_async[register] = placed
        if not context.handlers:
            self._notify(task, draft)
        if flushes:
            self.flush(context)

    def _block(self, task: dict[str, Any], context: _Context) -> None:
        """A block's tasks, then its rescue (run only when a task of the
        block fails), then its always (run either way)."""
        doc = self.doc
        sections: dict[str, list[Any]] = {}
        for section in ("block", "rescue", "always"):
            items = task.get(section)
            if items is None:
                continue
            if not isinstance(items, list):
                raise AdapterError(Issue(doc.value_span(task, section), f"`{section}` must be a list of tasks"))
            sections[section] = items
        condition = _joined(context.condition, _condition_text(task.get("when")))
        tested = context.tested + tuple(self._conditions(task))
        delegate = text(task.get("delegate_to"))
        host = _host(delegate) if delegate else context.host
        # The rescue's first step is not drafted yet: the block's tasks get
        # this marker as their failure path, replaced once it is.
        marker = Ref("", doc.key_span(task, "rescue")) if sections.get("rescue") else None
        first_of_block = len(self.builder.drafts)
        ends = self.tasks(
            sections.get("block", []),
            self.last,
            _Context(host, condition, marker or context.rescue, context.handlers, tested),
        )
        block_steps = self.builder.drafts[first_of_block:]
        if marker is not None:
            first_of_rescue = len(self.builder.drafts)
            rescue_context = _Context(
                host, _joined(condition, "a task of the block failed"), context.rescue, context.handlers, tested
            )
            after_rescue = self.tasks(sections["rescue"], ends, rescue_context)
            rescue_steps = self.builder.drafts[first_of_rescue:]
            rescued = rescue_steps[:1]
            # Every rescue task runs only when the block failed, which its first one stands for.
            for first in rescued:
                for later in rescue_steps[1:]:
                    self.builder.require(
                        first.id, later.id, later.span, f"`{later.id}` runs only when a task of the block fails"
                    )
            for draft in block_steps:
                draft.on_failure[:] = [ref for ref in draft.on_failure if ref is not marker]
                for first in rescued:
                    draft.on_failure.append(Ref(first.id, marker.span))
                    self.builder.require(
                        draft.id, first.id, marker.span, f"`{first.id}` runs only when a task of the block fails"
                    )
            ends = _unique(ends + after_rescue)
        self.last = ends
        if "always" in sections:
            self.tasks(sections["always"], ends, _Context(host, condition, context.rescue, context.handlers, tested))

    def _place(self, placed: _Placed, span: Span, keep_last: bool = False) -> None:
        """`placed` waits for the steps before it; required when what either
        does is not known (it may make what the other uses)."""
        for before in self.last:
            self.builder.wait(before.draft.id, placed.draft.id, span, EdgeKind.SEQUENCE)
            if placed.reports or placed.holds or before.holds:
                self.builder.require(
                    before.draft.id,
                    placed.draft.id,
                    span,
                    f"`{placed.draft.id}` reports on what ran before it"
                    if placed.reports
                    else f"`{(placed if placed.holds else before).draft.id}` waits for what ran before it to finish",
                )
            elif not (before.known and placed.known):
                unknown = before if not before.known else placed
                self.builder.require(
                    before.draft.id,
                    placed.draft.id,
                    span,
                    f"what `{unknown.draft.id}` does is not known from its module",
                )
        self._after_unknown(placed, span)
        if not placed.known:
            self.unknown_seen = True
            if placed.host is not None:
                self.unknown_on[placed.host] = placed
        if not keep_last:
            self.last = [placed]

    def _after_unknown(self, placed: _Placed, span: Span) -> None:
        """A step using a host's config, or a file in it, requires the play's
        latest step of unknown effect on that host: that step may use any
        file there (`cephadm_adopt` copies the legacy data a later task
        removes), and a wait pins only the step right after it."""
        unknown = self.unknown_on.get(placed.host) if placed.known and placed.host is not None else None
        if unknown is None or any(before is unknown for before in self.last):
            return
        within = f"host/{placed.host}/config/"
        if any(ref.name.startswith(within) for ref in (*placed.draft.reads, *placed.draft.writes)):
            self.builder.require(
                unknown.draft.id,
                placed.draft.id,
                span,
                f"what `{unknown.draft.id}` does is not known from its module",
            )

    # What a step is: its id, condition, facts and notifications.

    def _draft(self, written: str, span: Span, extent: Span, title: str | None) -> StepDraft:
        return self.builder.step(self.ids.fresh(written), span, title=title, extent=extent)

    def _condition(self, draft: StepDraft, task: dict[str, Any], inherited: str | None) -> None:
        own = _condition_text(task.get("when"))
        if own and _LOOPED.search(own) and any(key == "loop" or str(key).startswith("with_") for key in task):
            own = None  # tested item by item: the task runs for the items it holds for
        condition = _joined(inherited, own)
        if condition:
            at = self.doc.value_span(task, "when") if "when" in task else draft.span
            draft.condition = Ref(condition, at)

    def _facts(self, draft: StepDraft, task: dict[str, Any], call: Call, context: _Context) -> None:
        register = text(task.get("register"))
        used: set[str] = set()
        checked: set[str] = set()
        for written, at in (*context.tested, *self._expressions(task)):
            self._after_checks(written, at, draft, checked)
            for found in _IDENTIFIER.finditer(written):
                name = HOST_FACTS if found.group(1) == "hostvars" else found.group(1)
                if name in self.facts and name not in used and name != register:
                    used.add(name)
                    # `x | default(...)`, `x is defined`: read whether or not it was set
                    self._use(name, draft, at, tolerant=bool(_TOLERATED.match(written, found.end())))
        made = [(register, self.doc.value_span(task, "register"), True)] if register else []
        if call.module in GATHERERS or call.module.endswith("_facts"):
            # the host facts (`ansible_facts`, `hostvars[...]`), there from earlier gathering when it is skipped
            made.append((HOST_FACTS, draft.span, True))
        if call.module == "set_fact":
            made += [
                (name, draft.span, False)
                for name in call.arguments
                if isinstance(name, str) and name not in ("cacheable", "_raw_params")
            ]
        for name, at, always in made:
            self.facts[name] = (draft, Ref(name, at), always)

    def _use(self, name: str, draft: StepDraft, at: Span, tolerant: bool) -> None:
        producer, output, always = self.facts[name]
        if output not in producer.outputs:
            producer.outputs.append(output)
        # A registered result is set even when its task is skipped; a use
        # with a default does without it; a role or include run since may
        # have set it (never guessed which): no path misses it.
        if (always or tolerant or self.unknown_seen) and output not in producer.outputs_when_skipped:
            producer.outputs_when_skipped.append(output)
        draft.inputs.append(Ref(name, at))
        waiting = self.pending_async.pop(name, None)
        if waiting is not None:
            self.builder.wait(waiting.draft.id, draft.id, at, EdgeKind.SEQUENCE)

    def _conditions(self, task: dict[str, Any], keys: tuple[str, ...] = _EXPRESSION_KEYS) -> Iterator[tuple[str, Span]]:
        """The conditions of a task (Jinja without braces), each where it is written."""
        for key in keys:
            value = task.get(key)
            for index, item in enumerate(value if isinstance(value, list) else [value]):
                if isinstance(item, str):
                    yield (
                        item,
                        self.doc.value_span(value, index)
                        if isinstance(value, list)
                        else self.doc.value_span(task, key),
                    )

    def _checks(self, draft: StepDraft, task: dict[str, Any], module: str | None, arguments: Any) -> None:
        """A guard's variables: what it tests (`when`, an assert's `that`)
        before the tasks that use them."""
        tests = list(self._conditions(task, ("when",)))
        if module == "assert" and isinstance(arguments, dict):
            tests += self._conditions(arguments, ("that",))
        for written, _ in tests:
            for name in _variables(written):
                self.checked[name] = draft

    def _after_checks(self, written: str, at: Span, draft: StepDraft, checked: set[str]) -> None:
        """A use of a variable a guard before tested requires the guard (a
        check that `x` is defined, then a task using `x`)."""
        for name in _variables(written):
            guard = self.checked.get(name)
            if guard is not None and guard is not draft and name not in checked:
                checked.add(name)
                self.builder.require(guard.id, draft.id, at, f"`{guard.id}` tests `{name}` before `{draft.id}` uses it")

    def _expressions(self, task: dict[str, Any]) -> Iterator[tuple[str, Span]]:
        """The Jinja a task evaluates: each `{{ ... }}` of its values (but its
        name), and its conditions, which are Jinja without braces."""
        yield from self._conditions(task)
        for key, value in task.items():
            if key in ("name", "block", "rescue", "always", *_EXPRESSION_KEYS):
                continue
            if str(key).startswith("with_") and isinstance(value, str) and _BARE_VARIABLE.fullmatch(value.strip()):
                # Ansible 1's loop over a bare variable (`with_items: result.stdout_lines`): Jinja without braces.
                yield value.strip(), self.doc.value_span(task, key)
                continue
            for written, container, place in _strings(value, task, key):
                if "{{" in written:
                    at = self.doc.value_span(container, place)
                    for found in delimited(written, _JINJA):
                        yield found.inner, at

    def _notify(self, task: dict[str, Any], draft: StepDraft) -> None:
        notify = task.get("notify")
        if notify is None:
            return
        at = self.doc.value_span(task, "notify")
        for name in notify if isinstance(notify, list) else [notify]:
            handlers = self.handler_names.get(text(name) or "", [])
            for index in handlers:
                self.notified.setdefault(index, []).append((draft.id, at))
            self.notified_elsewhere = self.notified_elsewhere or not handlers


# Names in Jinja that are no variable a guard can test: keywords, Ansible's
# magic variables (the same for every task), loop variables.
_NOT_CHECKED = frozenset(
    {
        "and",
        "or",
        "not",
        "in",
        "is",
        "if",
        "else",
        "true",
        "false",
        "none",
        "True",
        "False",
        "None",
        "item",
        "groups",
        "hostvars",
        "inventory_hostname",
        "inventory_hostname_short",
        "group_names",
        "ansible_facts",
        "ansible_play_hosts",
        "ansible_play_batch",
        "play_hosts",
        "omit",
        "lookup",
        "query",
        "range",
        "ansible_check_mode",
        "ansible_loop",
        "loop",
    }
)
_FILTER_BEFORE = re.compile(r"(?:\|\s*|\bis\s+(?:not\s+)?)$")


def _variables(written: str) -> Iterator[str]:
    """The variables an expression names (not filters, tests, keywords)."""
    for found in _IDENTIFIER.finditer(written):
        name = found.group(1)
        if name in _NOT_CHECKED or _FILTER_BEFORE.search(written[max(0, found.start() - 8) : found.start()]):
            continue
        yield name


def _default_duration(module: str | None, arguments: dict[str, Any]) -> Duration | None:
    """The minutes of a task whose time the playbook says (docs/format.md,
    Durations): a `pause` of `seconds` or `minutes`; modules that only
    evaluate on the controller (`debug`, `set_fact`, `assert`, `fail`,
    `meta`) take none; any other is unknown (`wait_for`'s `timeout` is a
    limit, not an estimate)."""
    if module in INSTANT:
        return format_default(0.0, f"a `{module}` task")
    if module == "pause":
        for unit, per_minute in (("minutes", 1), ("seconds", 60)):
            given = arguments.get(unit)
            if isinstance(given, str) and given.isdigit() and len(given) < 12:
                given = int(given)
            if isinstance(given, (int, float)) and not isinstance(given, bool) and given >= 0:
                # Compared before dividing: an integer of hundreds of digits has no float.
                minutes = given / per_minute if given <= MAX_MINUTES * per_minute else None
                return format_default(minutes, f"a `pause` task (its `{unit}`)")
    return None


def _strings(value: Any, container: Any, key: Any) -> Iterator[tuple[str, Any, Any]]:
    """Every string under `value` (itself included), with its container and key."""
    stack = [(value, container, key)]
    while stack:
        current, holder, place = stack.pop()
        if isinstance(current, str):
            yield current, holder, place
        elif isinstance(current, dict):
            stack.extend((inner, current, name) for name, inner in reversed(list(current.items())))
        elif isinstance(current, list):
            stack.extend((inner, current, number) for number, inner in reversed(list(enumerate(current))))


def _arguments(arguments: Any, args: Any) -> dict[str, Any]:
    """A module's arguments as a mapping: free-form `k=v` words are split,
    the rest of a free-form string (a command) is `_raw_params`."""
    found: dict[str, Any] = {}
    if isinstance(arguments, dict):
        found.update(arguments)
    elif isinstance(arguments, str):
        raw = arguments
        for match in _FREE_ARGUMENT.finditer(arguments):
            if match.group(1) in ("chdir", "creates", "removes", "executable", "warn", "stdin"):
                raw = raw.replace(match.group(0), "")
            found.setdefault(match.group(1), match.group(2).strip("'\""))
        found["_raw_params"] = raw.strip()
    if isinstance(args, dict):
        found.update(args)
    return found


def _condition_text(when: Any) -> str | None:
    if isinstance(when, list):
        parts = [text(item) for item in when if text(item)]
        return " and ".join(f"({part})" if len(parts) > 1 else part for part in parts if part) or None
    return text(when)


def _joined(first: str | None, second: str | None) -> str | None:
    if first and second:
        return f"({first}) and ({second})"
    return first or second


def _unique(placed: list[_Placed]) -> list[_Placed]:
    seen: set[str] = set()
    return [step for step in placed if not (step.draft.id in seen or seen.add(step.draft.id))]  # type: ignore[func-returns-value]


FORMAT = InputFormat(
    name=NAME,
    title="Ansible playbook",
    detect=detect,
    build=build,
    keys=("hosts", "import_playbook", "block", "include_tasks", "import_tasks"),
    priority=77,
    wait_key=None,
    lacks=((Capability.ROLES, "an Ansible playbook names hosts, not the people who perform or approve its tasks"),),
)
