"""Cortex XSOAR playbooks (a mapping with `starttaskid` and `tasks` keyed by id).

- Steps: each task of `tasks` but `start` and `title` tasks, which only
  mark where the playbook starts and name sections: a wait through them
  is a wait between the tasks on either side (a title waits for all the
  tasks pointing to it).  A step's id is its task's name made a word
  (`get-device-id`; `task-<key>` for a task with no name, `<word>-<key>`
  for a name taken before, numbered on (`-2`...) when that too is taken),
  its title the name as written.
- Declared order O: each task waits for the tasks whose `nexttasks` name
  it, whatever the label (`#none#` the default path, `#default#` and the
  others a condition's branches, `#error#` the error path).  A key that is
  no task (there, or in `starttaskid`) is RL102.  Jumps back (a polling
  loop) are left out of O.
- Alternatives: a condition task (`type: condition`) decides between the
  tasks its labels lead to: tasks of two labels exclude each other unless
  one reaches the other.  The waits from a condition to the tasks it
  chooses are required.  Tasks under `#error#` run only when the task
  fails: its failure path, and required after it.
- Human steps: a `collection` task (a form sent to people), and a
  `regular` or `condition` task with no script and no `conditions` (a
  manual task, or a question an analyst answers).  The playbook stops at
  them, and people look at whatever came before (they observe `*`): the
  waits into and out of them are required, as they are around a `Sleep`
  task and a polling sub-playbook (`GenericPolling`), which are there to
  let what came before them finish, and around a task or sub-playbook
  named for a `commit` or `publish`, which makes the changes before it
  take effect.  A task sending a message to people (`send-mail`,
  `send-notification`...) tells what came before it, and
  `closeInvestigation` closes it: the waits into them are required.
- A task after a condition's branch (or an `#error#` path) runs only when
  the run takes it: it requires the condition, and a wait that brings it
  from a branch it is not otherwise on (where branches meet) is required.
- Facts: the context paths a task reads, in `${...}` anywhere in it (but
  its `task` description and `view`), a `complex` argument's `root`, and a
  condition's or transformer's value marked `iscontext`.  A path is named
  by its first part (`${IP.Address}` reads `IP`).  `inputs.X` are the
  playbook's inputs: given.  `incident.x` (and `alert.x`) are the
  incident's fields (`incident.id` names the incident: no fact), output by
  `setIncident` for each field it is given, and by the scripts known to
  set one (`IncreaseIncidentSeverity`, `AssignAnalystToIncident`); a
  sub-playbook runs on the incident and uses every field set before it.
  A `Set`-like script (`Set`, `SetAndHandleEmpty`, `SetContext`) outputs
  the fact its `key` names (one fact, whichever task sets it).  The
  outputs of other scripts, integration commands, sub-playbooks and forms
  are declared elsewhere (in the integration or the sub-playbook), so any
  of them before a task in O may have written the context it reads, and
  any sub-playbook before it the incident field it reads:
  `<producer>.<path>` is a fact each of them outputs (always there, even
  when it was skipped) and the task uses, but for those its other needs
  already put before it in D (one before a later producer that reads
  context, or before a task it must wait for): the order D requires is the
  same, and a task after thousands of commands that read context uses the
  facts of the latest, not of thousands.  `lastCompletedTaskEntries` is
  the output of the tasks just before.  Builtin commands known to write no
  context (`setIncident`, `closeInvestigation`, `send-mail`, `Print`,
  `Sleep`...) output nothing.  `separatecontext` makes a sub-playbook's
  own context its own: what it returns is its declared outputs, which
  this file does not list, so it is such a producer either way.
  `quietmode` only hides entries: no fact.
- Resources: an integration command (`Brand|||name-of-command`) whose
  name says it reads (`get`, `list`, `search`, `show`, `query`...) or
  writes (`add`, `create`, `update`, `delete`, `block`, `isolate`...)
  reads or writes `xsoar/<first word of the command>` (`checkpoint`,
  `xdr`...); other commands touch nothing known.
- Failure behaviour: `skipunavailable: true` (the task is skipped when its
  integration is missing) is the task's condition.  A regular task named
  as a check (`check`, `verify`, `validate`...) stops the playbook when it
  fails: a guard, unless `continueonerror: true` lets the playbook go on.
- Durations: a condition with `conditions` and no script takes no time; a
  `Sleep` task its `seconds`; the rest (a question people answer too) are
  unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..durations import format_default
from ..finding import Issue
from ..limits import TooLarge
from ..model import Duration, EdgeKind, Ref, Span
from ..source import Document
from . import Adapted, AdapterError, InputFormat, documents
from ._behaviour import is_check
from ._builder import RunbookBuilder, StepDraft, delimited, strings_in, text
from ._step_ids import StepIds

# Tasks that mark the start or name a section: no step of their own.
_STRUCTURAL = frozenset({"start", "title"})
_CONDITION = "condition"
_ERROR_LABEL = "#error#"
# Context roots the platform fills, not a task of the playbook.
_SYSTEM_ROOTS = frozenset({"demistoUrls", "modules", "playbookQuery", "investigation", "user"})
_INCIDENT_ROOTS = frozenset({"incident", "alert"})
# Fields that name the incident, which no task changes (`setIncident`'s `id` picks the incident).
_INCIDENT_IDS = frozenset({"id", "investigationid"})
_PREVIOUS = "lastCompletedTaskEntries"
# Scripts that write the context key their `key` argument names.
_SETTERS = frozenset({"Set", "SetAndHandleEmpty", "SetContext"})
# Builtin commands and scripts that write no context.
_NO_CONTEXT = frozenset(
    {
        "setIncident", "closeInvestigation", "send-mail", "Print", "PrintErrorEntry", "Sleep",
        "linkIncidents", "setIndicator", "appendIndicatorField", "removeIndicatorField",
        "DeleteContext", "setOwner", "AssignAnalystToIncident", "setIndicators", "createNewIndicator",
        "CreateIndicatorRelationship", "setIncidentByID", "addEntitlement", "markAsNote",
    }
)
# Scripts that set one field of the incident.
_INCIDENT_SCRIPTS = {"IncreaseIncidentSeverity": "severity", "AssignAnalystToIncident": "owner"}
# What an integration command's name says it does to its system.
_READ_VERBS = frozenset(
    {
        "get", "list", "search", "show", "query", "fetch", "status", "info", "details", "lookup",
        "describe", "download", "report", "results", "result", "history", "hunt", "find",
    }
)
_WRITE_VERBS = frozenset(
    {
        "add", "create", "update", "delete", "remove", "set", "block", "unblock", "isolate",
        "unisolate", "quarantine", "unquarantine", "kill", "publish", "install", "disable", "enable",
        "close", "assign", "move", "reset", "release", "revoke", "suspend", "contain", "edit",
        "modify", "insert", "append", "terminate", "restore", "stop", "lock", "unlock", "ban",
        "unban", "uninstall", "purge", "mark", "put", "commit", "remediate", "remediation", "containment",
        "deactivate", "expire",
    }
)
# A task so named makes the configuration changes before it take effect.
_COMMITS = frozenset({"commit", "publish"})
# Commands and scripts sending a message to people.
_MESSAGE_WORDS = frozenset({"mail", "email", "notification", "notify", "message", "msg"})
_MESSAGE_SCRIPTS = frozenset({"SendEmail", "SendEmailReply", "SendMessage", "SlackSend", "MicrosoftTeamsSend"})
_CONTEXT = (("${", "}"),)
# Keys of a task that hold no context path: its names, descriptions and layout.
_NOT_READ = frozenset({"task", "view", "nexttasks", "id", "taskid", "note"})
_ROOT = re.compile(r"[^.(\[=]+")
_WORD = re.compile(r"[^a-z0-9]+")


def detect(document: Document) -> bool:
    return any(_is_playbook(doc.data) for doc in documents(document))


def _is_playbook(data: Any) -> bool:
    return isinstance(data, dict) and "starttaskid" in data and isinstance(data.get("tasks"), dict)


def build(document: Document, path: str, default_duration: float | None) -> Adapted:
    doc = next(doc for doc in documents(document) if _is_playbook(doc.data))
    builder = RunbookBuilder(document, path, FORMAT.name, default_duration, wait_key=None)
    playbook = _Playbook(builder, doc)
    playbook.read()
    data = doc.data
    name = text(data.get("name"))
    runbook_id = text(data.get("id")) or name or Path(path).stem
    return builder.build(runbook_id, doc.key_span(data, "tasks"), title=name, loops=True)


class _Task:
    """One task of the playbook as written, and its step (None: a start or title task)."""

    def __init__(self, key: str, mapping: dict[str, Any]) -> None:
        self.key = key
        self.mapping = mapping
        inner = mapping.get("task")
        self.inner: dict[str, Any] = inner if isinstance(inner, dict) else {}
        self.type = text(mapping.get("type")) or text(self.inner.get("type")) or "regular"
        self.draft: StepDraft | None = None

    @property
    def script(self) -> str:
        """The script, or the command without its brand (`|||ip` -> `ip`)."""
        written = text(self.inner.get("script")) or text(self.inner.get("scriptName")) or ""
        return written.rsplit("|||", 1)[-1].strip()

    @property
    def playbook(self) -> str:
        """The sub-playbook a `playbook` task runs ('' for other tasks)."""
        return (text(self.inner.get("playbookName")) or text(self.inner.get("playbookId")) or "").strip()

    @property
    def name(self) -> str:
        return (text(self.inner.get("name")) or "").strip()

    @property
    def is_human(self) -> bool:
        if self.type == "collection":
            return True
        if self.type not in ("regular", _CONDITION) or self.script:
            return False
        return not self.playbook and not self.mapping.get("conditions")

    @property
    def writes_unknown_context(self) -> bool:
        """Whether the task may write context this file does not declare."""
        if self.type == "playbook" or self.type == "collection":
            return True
        if self.type != "regular" or not self.script:
            return False
        return self.script not in _NO_CONTEXT and self.script not in _SETTERS


class _Reader:
    """A step while the facts it uses are found, and what D is known to put
    before it (a bit per step, in topological order): the steps it uses a
    fact of or must wait for (`direct`), and what those need in turn
    (`through`, every step D orders before one of them)."""

    def __init__(self, draft: StepDraft, earlier: int) -> None:
        self.draft = draft
        self.earlier = earlier  # the steps before it in O
        self.used: set[str] = set()
        self.direct = 0
        self.through = 0

    def use(self, fact: str, span: Span) -> None:
        if fact not in self.used:
            self.used.add(fact)
            self.draft.inputs.append(Ref(fact, span))

    def needs(self, step_bits: int, needed: int) -> None:
        """It needs the steps of `step_bits`, which need `needed`."""
        self.direct |= step_bits
        self.through |= needed


class _Playbook:
    def __init__(self, builder: RunbookBuilder, doc: Document) -> None:
        self.builder = builder
        self.doc = doc
        self.tasks: dict[str, _Task] = {}

    def read(self) -> None:
        doc, data = self.doc, self.doc.data
        tasks = data["tasks"]
        ids = StepIds("task")
        for key, mapping in tasks.items():
            if not isinstance(mapping, dict):
                raise AdapterError(
                    Issue(doc.value_span(tasks, key), f"task `{key}` of `tasks` must be a mapping")
                )
            if "task" in mapping and not isinstance(mapping["task"], dict):
                raise AdapterError(Issue(
                    doc.value_span(mapping, "task"),
                    f"`task` of task `{key}` must be a mapping (its name, script and arguments)",
                ))
            task = _Task(str(key), mapping)
            self.tasks[task.key] = task
            if task.type in _STRUCTURAL:
                continue
            step_id = _step_id(task, ids)
            task.draft = self.builder.step(
                step_id,
                doc.key_span(tasks, key),
                title=task.name or None,
                extent=doc.value_span(tasks, key),
                duration=_duration(task),
            )
        self._order()
        self._facts()
        self._resources()
        self._behaviour()

    # The declared order.

    def _targets(self, task: _Task) -> Iterator[tuple[str, str, Span]]:
        """(label, task key, span) of each entry of a task's `nexttasks`."""
        nexttasks = task.mapping.get("nexttasks")
        if not isinstance(nexttasks, dict):
            return
        for label, keys in nexttasks.items():
            entries = keys if isinstance(keys, list) else [keys]
            for index, written in enumerate(entries):
                key = text(written)
                if key is None:
                    continue
                holder, place = (keys, index) if isinstance(keys, list) else (nexttasks, label)
                yield str(label), key.strip(), self.doc.value_span(holder, place)

    def _order(self) -> None:
        """Waits between steps, through start and title tasks; decisions,
        failure paths and human steps."""
        data = self.doc.data
        passed: dict[str, list[str]] = {}  # structural key -> the step ids it leads to
        budget = [self.builder.limits.max_edges]
        start = text(data.get("starttaskid"))
        if start is not None and start.strip() not in self.tasks:
            self.builder.unknown(start, self.doc.value_span(data, "starttaskid"), "the `starttaskid` task")
        elif start is not None:
            first = self.tasks[start.strip()]
            entries = [first.draft.id] if first.draft else self._through(first.key, passed, budget)
            self.builder.entries.extend(entries)
        branches: dict[str, dict[str, list[str]]] = {}  # step id -> label -> targets
        for task in self.tasks.values():
            if task.draft is None:
                continue
            for label, key, span in self._targets(task):
                target = self.tasks.get(key)
                if target is None:
                    self.builder.unknown(key, span, "the next task")
                    continue
                reached = [target.draft.id] if target.draft else self._through(key, passed, budget)
                budget[0] -= len(reached)
                if budget[0] < 0:
                    raise TooLarge(f"over {self.builder.limits.max_edges:,} waits between tasks")
                for step_id in reached:
                    self.builder.wait(task.draft.id, step_id, span, EdgeKind.SEQUENCE)
                    branches.setdefault(task.draft.id, {}).setdefault(label, []).append(step_id)
                    if label == _ERROR_LABEL:
                        self.builder.by_id[task.draft.id].on_failure.append(Ref(step_id, span))
                        self.builder.require(
                            task.draft.id, step_id, span, f"it runs only when `{task.draft.id}` fails"
                        )
                    elif task.type == _CONDITION:
                        self.builder.require(
                            task.draft.id, step_id, span, f"`{task.draft.id}` chooses it ({label})"
                        )
        self.forward = _forward_successors(self.builder)
        self.order = _topological(self.builder, self.forward)
        self._alternatives(branches)
        self._keep_branches(branches)
        self._keep_pauses()

    def _keep_branches(self, branches: dict[str, dict[str, list[str]]]) -> None:
        """A task after a condition's branch (or an error path) runs only when
        the run takes that branch: it waits for the condition, and a wait
        that brings it from a branch it is not on otherwise says when it runs
        (where branches meet, the task runs after whichever ran)."""
        # A bit per branch (a chooser and one of its labels); a task under
        # several labels of one chooser runs whichever it picks.
        choosers: list[str] = []  # bit index -> the chooser of that branch
        branch_of: dict[tuple[str, str], int] = {}  # (chooser, target) -> the branch's bit
        for task in self.tasks.values():
            draft = task.draft
            labels = branches.get(draft.id, {}) if draft is not None else {}
            if draft is None or not (task.type == _CONDITION or _ERROR_LABEL in labels):
                continue
            counted: dict[str, int] = {}
            for targets in labels.values():
                for target in set(targets):
                    counted[target] = counted.get(target, 0) + 1
            for targets in labels.values():
                bit = 1 << len(choosers)
                choosers.append(draft.id)
                for target in targets:
                    if counted[target] == 1:
                        branch_of[(draft.id, target)] = bit
        predecessors: dict[str, list[str]] = {}
        for source, targets in self.forward.items():
            for target in targets:
                predecessors.setdefault(target, []).append(source)
        on_branches: dict[str, int] = {}  # step id -> the branches it runs only on

        def carried(source: str, target: str) -> int:
            """The branches the run has taken when it goes from `source` to `target`."""
            return on_branches[source] | branch_of.get((source, target), 0)

        for step_id in self.order:
            sources = predecessors.get(step_id, [])
            mask = -1 if sources else 0
            for source in sources:
                mask &= carried(source, step_id)
            on_branches[step_id] = mask
        spans = {(edge.source, edge.target): edge.span for edge in self.builder.edges}
        for step_id in self.order:
            mask = on_branches[step_id]
            implied = 0  # the branches its choosers are on themselves
            bits = mask
            while bits:
                lowest = bits & -bits
                bits ^= lowest
                implied |= on_branches[choosers[lowest.bit_length() - 1]]
            nearest = mask & ~implied
            while nearest:
                lowest = nearest & -nearest
                nearest ^= lowest
                chooser = choosers[lowest.bit_length() - 1]
                if (chooser, step_id) not in branch_of:
                    self.builder.require(
                        chooser, step_id, self.builder.by_id[step_id].span,
                        f"it runs only on the branch `{chooser}` chooses",
                    )
            for source in predecessors.get(step_id, ()):
                if (source, step_id) in branch_of:
                    continue  # required where the branch is declared
                if carried(source, step_id) & ~mask:
                    self.builder.require(
                        source, step_id, spans[(source, step_id)],
                        f"the run reaches it from `{source}` only on the branches `{source}` runs on",
                    )

    def _keep_pauses(self) -> None:
        """The waits into and out of a human step or a `Sleep` are the point of
        it; a message tells people what the tasks before it did."""
        pauses: dict[str, str] = {}  # step id -> why the playbook stops there
        messages: set[str] = set()
        for task in self.tasks.values():
            if task.draft is None:
                continue
            if task.is_human:
                pauses[task.draft.id] = f"the playbook waits for people at `{task.draft.id}`"
            elif task.script == "Sleep":
                pauses[task.draft.id] = f"`{task.draft.id}` sleeps to let what came before it finish"
            elif "polling" in task.playbook.lower():
                pauses[task.draft.id] = f"`{task.draft.id}` polls until what came before it finishes"
            elif set(_WORD.split(f"{task.playbook} {task.script}".lower())) & _COMMITS:
                pauses[task.draft.id] = f"`{task.draft.id}` commits the changes made before it"
            elif _is_message(task.script) or task.script == "closeInvestigation":
                messages.add(task.draft.id)
        for edge in list(self.builder.edges):
            if edge.target not in self.forward.get(edge.source, ()):
                continue
            if edge.source in pauses or edge.target in pauses:
                why = pauses.get(edge.source) or pauses[edge.target]
                self.builder.require(edge.source, edge.target, edge.span, why)
            elif edge.target in messages:
                self.builder.require(
                    edge.source, edge.target, edge.span, f"`{edge.target}` reports or closes what came before it"
                )

    def _through(self, key: str, passed: dict[str, list[str]], budget: list[int]) -> list[str]:
        """The steps a start or title task leads to, through other such tasks."""
        if key in passed:
            return passed[key]
        passed[key] = []  # a loop of titles leads nowhere more
        found: dict[str, None] = {}
        for _, target_key, _ in self._targets(self.tasks[key]):
            target = self.tasks.get(target_key)
            if target is None:
                continue
            for step_id in [target.draft.id] if target.draft else self._through(target_key, passed, budget):
                found[step_id] = None
        budget[0] -= len(found)
        if budget[0] < 0:
            raise TooLarge(f"over {self.builder.limits.max_edges:,} waits through title tasks")
        passed[key] = list(found)
        return passed[key]

    def _alternatives(self, branches: dict[str, dict[str, list[str]]]) -> None:
        """A condition's labels lead to tasks that never run together, unless
        one is reached from the other.  Each pair of tasks on two branches,
        and each task a search between two branches passes, counts against
        `max_edges`: a condition of thousands of labels pairs millions of
        tasks, and a hostile file must not exhaust memory or time."""
        drafts = self.builder.by_id
        budget = [self.builder.limits.max_edges]
        position = {step_id: index for index, step_id in enumerate(self.order)}
        for task in self.tasks.values():
            if task.draft is None or task.type != _CONDITION:
                continue
            labels = {
                label: [t for t in targets if t in self.forward.get(task.draft.id, ())]
                for label, targets in branches.get(task.draft.id, {}).items()
                if label != _ERROR_LABEL
            }
            if len(labels) < 2:
                continue
            chosen = [(label, target) for label, targets in labels.items() for target in targets]
            budget[0] -= len(chosen) * (len(chosen) - 1) // 2
            if budget[0] < 0:
                raise TooLarge(f"over {self.builder.limits.max_edges:,} pairs of tasks on a condition's branches")
            for index, (label, target) in enumerate(chosen):
                for other_label, other in chosen[index + 1 :]:
                    if other_label == label or other == target:
                        continue
                    first, later = (target, other) if position[target] < position[other] else (other, target)
                    if self._reaches(first, later, position, budget):
                        continue
                    span = drafts[other].span
                    drafts[target].excludes.append(Ref(other, span))
                    drafts[other].excludes.append(Ref(target, drafts[target].span))
            draft = task.draft
            # Exclusions are written both ways: a target another chosen task excludes excludes it.
            chosen_ids = {target for _, target in chosen}
            for target in dict.fromkeys(target for _, target in chosen):
                if any(ref.name in chosen_ids for ref in drafts[target].excludes):
                    draft.decides.append(Ref(target, drafts[target].span))

    def _reaches(self, source: str, target: str, position: dict[str, int], budget: list[int]) -> bool:
        """Whether `target` is after `source` in the forward order.  The search
        passes only tasks placed between the two in the topological order (no
        path leaves that stretch), so branches side by side cost a step or two
        however long what follows them; each task it passes counts against `budget`."""
        bound = position[target]
        seen = {source}
        stack = [source]
        while stack:
            for successor in self.forward.get(stack.pop(), ()):
                if successor == target:
                    return True
                if successor not in seen and position.get(successor, -1) < bound:
                    seen.add(successor)
                    stack.append(successor)
            budget[0] -= 1
            if budget[0] < 0:
                raise TooLarge(
                    f"over {self.builder.limits.max_edges:,} pairs of tasks on a condition's branches"
                    " and tasks searched between them"
                )
        return False

    # Facts.

    def _facts(self) -> None:
        data = self.doc.data
        inputs = data.get("inputs")
        for entry in inputs if isinstance(inputs, list) else ():
            key = text(entry.get("key")) if isinstance(entry, dict) else None
            if key:
                self.builder.given.append(Ref(f"inputs.{key}", self.doc.value_span(entry, "key")))
        steps = [(task, task.draft) for task in self.tasks.values() if task.draft is not None]
        for task, draft in steps:
            if task.script in _SETTERS:
                arguments = task.mapping.get("scriptarguments")
                key = _simple(arguments.get("key")) if isinstance(arguments, dict) else None
                root = _root(key) if key and "${" not in key else None
                if root and isinstance(arguments, dict):
                    draft.outputs.append(Ref(root, self.doc.value_span(arguments, "key")))
            for field, span in self._fields_set(task):
                draft.outputs.append(Ref(f"incident.{field}", span))
        # Which steps may write a context root (a bit per step, in
        # topological order; made when wanted: a bit of each of 60,000 steps
        # kept was 225 MB).
        position = {step_id: index for index, step_id in enumerate(self.order)}
        writers = 0
        incident_writers = 0  # the sub-playbooks: they run on the incident
        setters: dict[str, int] = {}  # root -> the `Set` steps writing it
        for task, draft in steps:
            bit = 1 << position[draft.id]
            if task.writes_unknown_context:
                writers |= bit
            if task.type == "playbook":
                incident_writers |= bit
            for ref in draft.outputs:
                setters[ref.name] = setters.get(ref.name, 0) | bit
        set_outputs = {draft.id: list(draft.outputs) for _, draft in steps}
        for _, draft in steps:
            draft.outputs.clear()  # given back below, when some step uses them
        predecessors: dict[str, list[str]] = {}
        for source, targets in self.forward.items():
            for target in targets:
                predecessors.setdefault(target, []).append(source)
        # The steps before each step in O, kept until its last successor has
        # its own: a chain keeps one.
        before: dict[str, int] = {}
        unread = {step_id: len(targets) for step_id, targets in self.forward.items()}
        self.budget = self.builder.limits.max_edges
        outputs: dict[str, set[str]] = {}
        incident_fields = [name for name in setters if name.startswith("incident.")]
        # Topological order: what a step is known to need is worked out
        # before any step after it reads context.
        step_of = {draft.id: (task, draft) for task, draft in steps}
        needed: dict[str, int] = {}
        for step_id in self.order:
            task, draft = step_of[step_id]
            earlier = 0
            for source in predecessors.get(step_id, ()):
                earlier |= before[source] | 1 << position[source]
                unread[source] -= 1
                if not unread[source]:
                    del before[source]
            if step_id in unread:
                before[step_id] = earlier
            reader = _Reader(draft, earlier)
            for need in draft.needs:
                if need.reason and need.step in position and earlier >> position[need.step] & 1:
                    reader.needs(1 << position[need.step], needed[need.step])
            if task.type == "playbook":
                # It runs on the incident: the fields set before it are there for it.
                self._use(reader, "incident", draft.span, 0, setters, incident_fields, needed, outputs)
            for path, span in self._paths(task):
                root = _root(path)
                if not root or root in _SYSTEM_ROOTS:
                    continue
                if root == "inputs":
                    reader.use("inputs." + _root(path[len("inputs.") :]).strip(), span)
                elif root in _INCIDENT_ROOTS:
                    field = _root(path[len(root) + 1 :]).strip().lower()
                    if field in _INCIDENT_IDS:
                        continue
                    root = f"incident.{field}" if field else "incident"
                    # Every field's setters when the incident is read whole.
                    fields = incident_fields if not field else [root]
                    self._use(reader, root, span, incident_writers, setters, fields, needed, outputs)
                elif root == _PREVIOUS:
                    for source in predecessors.get(draft.id, ()):
                        fact = f"{source}.{_PREVIOUS}"
                        reader.use(fact, span)
                        reader.needs(1 << position[source], needed[source])
                        outputs.setdefault(source, set()).add(fact)
                else:
                    self._use(reader, root, span, writers, setters, [root], needed, outputs)
            needed[step_id] = reader.direct | reader.through
        for step_id, facts in outputs.items():
            producer = self.builder.by_id[step_id]
            declared = {ref.name: ref for ref in set_outputs.get(step_id, ())}
            for fact in sorted(facts):
                ref = declared.get(fact) or Ref(fact, producer.span)
                producer.outputs.append(ref)
                # Context another task may have written, or left from before:
                # never known to be missing.
                producer.outputs_when_skipped.append(ref)

    def _use(
        self,
        reader: _Reader,
        root: str,
        span: Span,
        writers: int,
        setters: dict[str, int],
        facts: list[str],
        needed: dict[str, int],
        outputs: dict[str, set[str]],
    ) -> None:
        """`reader` reads `root` (a context root, or an incident field): it uses
        the fact of each step before it that sets it (`facts`: their names,
        one per field read) and of each of `writers` before it that may have
        written it, but those another of its needs already brings before it
        (a writer before one it needs: the order D requires is the same, with
        an edge per writer where one per pair of writer and reader was
        millions)."""
        setting = 0
        for fact in facts:
            setting |= setters.get(fact, 0)
        # The latest writers first: what they need is then known to be before it.
        latest = 0
        shared = 0  # those whose fact has other producers too
        gained = 0  # what those it needs need
        unknown = reader.earlier & writers & ~setting & ~reader.through
        while unknown:
            top = 1 << (unknown.bit_length() - 1)
            latest |= top
            unknown ^= top
            writer = self.order[top.bit_length() - 1]
            if f"{writer}.{root}" in setters:
                # A task named `incident` may write `incident.<field>`, a fact of
                # several producers: D may not order it before the reader.
                shared |= top
            elif needed[writer]:
                gained |= needed[writer]
                unknown &= ~needed[writer]
        reader.needs(latest & ~shared, gained)
        mask = reader.earlier & setting | latest
        while mask:
            lowest = mask & -mask
            mask ^= lowest
            step_id = self.order[lowest.bit_length() - 1]
            if lowest & setting:
                # What a step sets is one fact, whichever step sets it.
                named = [fact for fact in facts if lowest & setters.get(fact, 0)]
            else:
                named = [f"{step_id}.{root}"]
            self.budget -= len(named)
            if self.budget < 0:
                raise TooLarge(f"over {self.builder.limits.max_edges:,} uses of context")
            for fact in named:
                outputs.setdefault(step_id, set()).add(fact)
                reader.use(fact, span)

    def _fields_set(self, task: _Task) -> Iterator[tuple[str, Span]]:
        """The incident fields a task sets, where written: `setIncident`'s
        arguments, or the field a known script sets."""
        arguments = task.mapping.get("scriptarguments")
        if task.script == "setIncident" and isinstance(arguments, dict):
            for field, value in arguments.items():
                if value not in (None, {}, "") and str(field).lower() not in _INCIDENT_IDS:
                    yield str(field).lower(), self.doc.key_span(arguments, field)
        elif task.script in _INCIDENT_SCRIPTS and task.draft is not None:
            yield _INCIDENT_SCRIPTS[task.script], task.draft.span

    def _paths(self, task: _Task) -> Iterator[tuple[str, Span]]:
        """The context paths a task reads, where written."""
        marked = _context_values(task.mapping)
        for written, holder, place in strings_in(task.mapping, leaving_out=_NOT_READ):
            span = self.doc.value_span(holder, place)
            if place == "root":
                path = written.strip().removeprefix("${").removesuffix("}")
                accessor = text(holder.get("accessor"))
                if accessor:
                    path = f"{path}.{accessor.strip().removesuffix('}')}"
                yield path, span
                continue
            if place == "simple" and id(holder) in marked:
                yield written.strip(), span
                continue
            for found in delimited(written, _CONTEXT):
                inner = found.inner.strip()
                if inner and not inner.startswith("."):
                    yield inner, span

    # Resources and behaviour.

    def _resources(self) -> None:
        for task in self.tasks.values():
            draft = task.draft
            if draft is None or not task.script:
                continue
            span = self.doc.value_span(task.inner, "script") if "script" in task.inner else draft.span
            if "-" in task.script:
                words = [word for word in task.script.lower().split("-") if word]
                system = words[0]
                if set(words[1:]) & _WRITE_VERBS:
                    draft.writes.append(Ref(f"xsoar/{system}", span))
                elif set(words[1:]) & _READ_VERBS:
                    draft.reads.append(Ref(f"xsoar/{system}", span))

    def _behaviour(self) -> None:
        for task in self.tasks.values():
            draft = task.draft
            if draft is None:
                continue
            if task.type == "regular" and task.mapping.get("continueonerror") is not True and is_check(task.name):
                draft.guard = True
            if task.is_human:
                # People look at whatever the playbook did before them.
                draft.observes.append(Ref("*", draft.span))
            if task.mapping.get("skipunavailable") is True:
                draft.condition = Ref(
                    "its integration is available (`skipunavailable`)",
                    self.doc.value_span(task.mapping, "skipunavailable"),
                )


def _context_values(node: Any) -> set[int]:
    """The ids of the `value` mappings whose `simple` is a context path: those
    of a mapping marked `iscontext: true` (conditions, transformer args)."""
    found: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            value = current.get("value")
            if current.get("iscontext") is True and isinstance(value, dict):
                found.add(id(value))
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found


def _is_message(script: str) -> bool:
    """Whether a command or script sends a message to people (mail, chat)."""
    words = set(script.lower().replace("_", "-").split("-"))
    return bool(words & _MESSAGE_WORDS) or script in _MESSAGE_SCRIPTS


def _forward_successors(builder: RunbookBuilder) -> dict[str, list[str]]:
    successors: dict[str, list[str]] = {}
    for edge in builder.forward_edges():
        successors.setdefault(edge.source, []).append(edge.target)
    return successors


def _topological(builder: RunbookBuilder, forward: dict[str, list[str]]) -> list[str]:
    """Step ids in an order where each comes after its forward predecessors."""
    incoming: dict[str, int] = {draft.id: 0 for draft in builder.drafts}
    for targets in forward.values():
        for target in targets:
            if target in incoming:
                incoming[target] += 1
    ready = [step_id for step_id, count in incoming.items() if count == 0]
    ready.reverse()
    order: list[str] = []
    while ready:
        step_id = ready.pop()
        order.append(step_id)
        for target in reversed(forward.get(step_id, ())):
            if target in incoming:
                incoming[target] -= 1
                if incoming[target] == 0:
                    ready.append(target)
    return order


def _simple(value: Any) -> str | None:
    """The text of an argument written `{simple: x}` or plainly."""
    if isinstance(value, dict):
        return text(value.get("simple"))
    return text(value)


def _root(path: str) -> str:
    """The first part of a context path (`IP.Address` -> `IP`)."""
    found = _ROOT.match(path.strip())
    return found.group().strip() if found else ""


def _step_id(task: _Task, ids: StepIds) -> str:
    word = _WORD.sub("-", task.name.lower()).strip("-")[:60].strip("-")
    wanted = word if word and word not in ids.taken else f"{word or 'task'}-{task.key}"
    # `foo-3` may be written as a name too: a clash is numbered on, never shared.
    step_id = wanted if wanted not in ids.taken else ids.fresh(wanted)
    ids.taken.add(step_id)
    return step_id


def _duration(task: _Task) -> Duration | None:
    if task.type == _CONDITION and not task.script and not task.is_human:
        return format_default(0.0, "a condition task with no script")
    if task.script == "Sleep":
        arguments = task.mapping.get("scriptarguments")
        seconds = _simple(arguments.get("seconds")) if isinstance(arguments, dict) else None
        if seconds is not None and seconds.strip().isdigit() and len(seconds.strip()) < 10:
            return format_default(int(seconds) / 60, "a `Sleep` task (its `seconds`)")
    return None


FORMAT = InputFormat(
    name="xsoar",
    title="Cortex XSOAR playbook",
    detect=detect,
    build=build,
    keys=("starttaskid",),
    priority=72,  # after the example format of tests/formats (70)
    wait_key=None,
)
