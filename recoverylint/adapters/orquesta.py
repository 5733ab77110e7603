"""StackStorm Orquesta workflows (`version: 1.0` and a `tasks` mapping) as runbooks.

- Steps: each task, in file order; its key is the id, the action it runs
  (without inline parameters) the title.  The runbook is named after the
  file and titled by `description`.
- Declared order O: a task's `next` transitions jump to the tasks their `do`
  names (one name, several comma-separated, or a list); each target waits
  for the task (a sequence edge at the `do` entry).  `continue`, `fail`,
  `noop` and `retry` are engine commands, not tasks; any other name that is
  no task is RL102.  Jumps may go back (loops, retries written by hand):
  those back edges are left out of O.  A `join` task waits for its inbound
  transitions, which are its edges already; a task without `join` reached
  from two branches (or by two transitions of one task taken together)
  runs once per branch, which O approximates by the same edges (as if it
  waited for both).  Those waits say how often a task runs, so they are
  required (in D too): the waits into a `join`, into a task run more than
  once, and into every task after it up to a join.
- Alternatives: on one task, the targets of transitions guarded by different
  `when` conditions are alternatives the task decides between (its
  `decides`; each `excludes` the targets of the other conditions), provided
  each appears in exactly one conditional transition and in none that is
  always taken (no `when`, or `completed()`), goes forward (a jump back
  starts another round), and neither reaches an alternative of another
  condition nor is reached by one other than through the task again (then
  both run, one after the other).  There must be two conditions left.
  Targets of one transition, or of transitions with the same condition, run
  together; as the model keeps one group per deciding task, they are taken
  as never running at the same time (a race between them goes unreported).
- A conditional target that is no alternative and whose condition says more
  than `succeeded()` (a failure handler, a test of the result or of a
  variable) runs because of what the task found: the work requires it after
  the task (a need with a reason: in D, not in O).  A target of
  `succeeded()` alone is a plain sequence, which RL201 questions unless an
  effect (below) requires it.
- Facts: context variables are workflow-wide names, so a fact is named by
  the variable.  `publish` (a list of one-key mappings, a mapping or inline
  `var=<% ... %>` text, in a transition or, in older workflows, on the task)
  makes the task output the variable, when some task reads it.  A task
  reads `var` through `ctx(var)`, `ctx('var')`, `ctx().var`,
  `ctx().get('var')`, `ctx()['var']` or YAQL's `$.var` (not inside a call,
  where `$` is an item) in a `<% %>`, `{{ }}` or `{% %}` expression anywhere
  in its definition (action, input, `with`, `when`, published values...).
  `ctx()` whole reads every variable another task publishes.  The
  workflow's `output` reads its variables at the end: the tasks publishing
  one keep their order (each requires those before it: the last one sets
  what the workflow gives back).
  Its own publishes are not inputs where it sees them as its own: in its
  `when` (which tests its own outcome), and in a published value, those
  published before it in the same `publish` (evaluated in turn; a value
  naming its own variable reads the earlier value).  `task(name)` reads
  that task's record: the fact `<name>.result`, output by that task (a name
  that is no task is RL102).  `result()`, `item()` and the runtime context
  `ctx().st2` are no facts.  Workflow `input` and `vars` names are given.
  Each branch has its own context: a task reads a given variable at its
  initial value when no task before it publishes it, even if a later task
  or another branch does; that use is no input.
- Effects (adapters/_stackstorm.py): what a task's action does, from its
  `input` and inline parameters.  Core actions say it: `core.local` and
  `core.remote` run shell the shell tables read, `core.http` reads or
  writes its URL, `core.noop` and `core.echo` do nothing; an action named
  for a lookup reads its pack's system.  Any other action (a pack's, a
  workflow) is of unknown effect: the tasks after it require it, and it
  the tasks before it, however many tasks lie between.  Waits
  (`core.pause`, a `sleep`, `wait` in the name) and questions (`core.ask`)
  are required on both sides, a message (`core.sendmail`...) after what
  came before it.  A task named for a check is a guard, one named for a
  health check observes the service.
- Stopwatches: a task reading the time (`now()` in an expression, `date`
  in a command...) whose published moment (`start_time`...) a later task
  reading the time too, or telling elapsed time, uses starts a clock that
  task stops (adapters/_behaviour.py).
- A file holding several workflows (`---`) prefixes ids and variables with
  the workflow's number (`2/task1`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import EdgeKind, Ref, Span
from ..source import Document
from . import Adapted, InputFormat, documents
from ._behaviour import mark_clocks, reads_time
from ._builder import Descendants, RunbookBuilder, StepDraft, delimited, forward_successors, strings_in, text
from ._durations import stackstorm_default
from ._stackstorm import action_call, drop_initial_values, mark_effects

ENGINE_COMMANDS = frozenset({"continue", "fail", "noop", "retry"})
# Context variables StackStorm provides itself.
RUNTIME_VARIABLES = frozenset({"st2"})
# A condition that holds whenever the task ends chooses nothing.
ALWAYS_TAKEN = "completed()"
PLAIN_SUCCESS = "succeeded()"

# YAQL `<% %>`, Jinja `{{ }}` and `{% %}` (found by `delimited`: a regex is
# quadratic on unclosed ones).
_YAQL = 0
_EXPRESSION = (("<%", "%>"), ("{{", "}}"), ("{%", "%}"))
_DELIMITED = re.compile(r"\s*(?:<%(.*)%>|\{\{(.*)\}\})\s*", re.DOTALL)
_STRING_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
_NAMED = r"""(?:'([^']+)'|"([^"]+)"|(\w+))"""
_CTX_CALL = re.compile(rf"\bctx\(\s*{_NAMED}\s*\)")
_CTX_ATTRIBUTE = re.compile(r"\bctx\(\s*\)\s*\.\s*(\w+)(\s*\()?")
_CTX_GET = re.compile(rf"\bctx\(\s*\)\s*\.\s*get\(\s*{_NAMED}")
# `ctx()` itself, whole (not `ctx().x`, `ctx()[...]`): every variable.
_CTX_WHOLE = re.compile(r"\bctx\(\s*\)(?!\s*[.\[])")
WHOLE_CONTEXT = "ctx()"
_CTX_ITEM = re.compile(r"""\bctx\(\s*\)\s*\[\s*(?:'([^']+)'|"([^"]+)")\s*\]""")
_TASK_CALL = re.compile(rf"\btask\(\s*{_NAMED}\s*[,)]")
_YAQL_ROOT = re.compile(r"\$\.(\w+)")
_INLINE_PARAMETER = re.compile(r"(?:^|\s)(\w+)=")


def detect(document: Document) -> bool:
    return any(_is_workflow(doc.data) for doc in documents(document))


def _is_workflow(data: Any) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), dict):
        return False
    version = data.get("version")
    return version == "1.0" or (isinstance(version, float) and version == 1.0)


def build(document: Document, path: str, default_duration: float | None) -> Adapted:
    workflows = [doc for doc in documents(document) if _is_workflow(doc.data)]
    builder = RunbookBuilder(document, path, FORMAT.name, default_duration, wait_key=None)
    for number, doc in enumerate(workflows, 1):
        _Workflow(builder, doc, f"{number}/" if len(workflows) > 1 else "").read()
    first = workflows[0]
    return builder.build(
        Path(path).stem,
        first.key_span(first.data, "version"),
        title=text(first.data.get("description")),
        loops=True,
    )


@dataclass
class _Transition:
    condition: str | None  # None: taken whenever the task ends
    targets: list[tuple[str, Span]]  # task names (no engine commands), where written


class _Workflow:
    """One workflow document read into the builder; `prefix` qualifies its
    ids and variables when the file holds several."""

    def __init__(self, builder: RunbookBuilder, doc: Document, prefix: str) -> None:
        self.builder = builder
        self.doc = doc
        self.prefix = prefix
        self.tasks: dict[str, Any] = doc.data["tasks"]
        self.drafts: dict[str, StepDraft] = {}
        self.jumps: Descendants | None = None  # what each task reaches, once needed

    def read(self) -> None:
        doc, tasks = self.doc, self.tasks
        for name, body in tasks.items():
            action = body.get("action") if isinstance(body, dict) else None
            named, given = action_call(action, body.get("input") if isinstance(body, dict) else None, _EXPRESSION)
            self.drafts[name] = self.builder.step(
                self.prefix + name,
                doc.key_span(tasks, name),
                title=named,
                extent=doc.value_span(tasks, name),
                duration=stackstorm_default(action if named is None else named, given, without_action=True),
            )
        transitions = {
            name: self._transitions(body) for name, body in tasks.items() if isinstance(body, dict)
        }
        for name, outgoing in transitions.items():
            for transition in outgoing:
                for target, span in transition.targets:
                    self.builder.wait(self.prefix + name, self.prefix + target, span, EdgeKind.SEQUENCE)
        # The run starts at the tasks no transition leads to.
        reached_by_jump = {target for outgoing in transitions.values() for t in outgoing for target, _ in t.targets}
        self.builder.entries.extend(self.prefix + name for name in tasks if name not in reached_by_jump)
        self.later = forward_successors(self.builder)
        jumps = {
            name: {target for transition in outgoing for target, _ in transition.targets}
            for name, outgoing in transitions.items()
        }
        for name, outgoing in transitions.items():
            self._choices(name, outgoing, jumps)
        self._joins_and_splits(transitions)
        self._effects()
        self._given()
        self._facts()
        self._clocks()

    def _joins_and_splits(self, transitions: dict[str, list[_Transition]]) -> None:
        """The waits that decide how many times a task runs, which are never
        gates to lift: those into a `join` (it runs once the branches into
        it are done), and those into a task that runs once per transition
        leading to it (two or more, and no `join`: a split), or after such a
        task before any join: started at once, it would run once."""
        inbound: dict[str, list[tuple[str, str | None, Span]]] = {}  # target -> (source, condition, where)
        for name, outgoing in transitions.items():
            for transition in outgoing:
                for target, span in transition.targets:
                    # A task (a name of none is RL102), not by a jump back.
                    if target in self.drafts and self.prefix + target in self.later.get(self.prefix + name, ()):
                        inbound.setdefault(target, []).append((name, transition.condition, span))
        joins = {name for name, body in self.tasks.items() if isinstance(body, dict) and "join" in body}
        repeated = {target for target, sources in inbound.items() if target not in joins and _split(sources)}
        pending = list(repeated)
        while pending:
            for successor in self.later.get(self.prefix + pending.pop(), ()):
                task = successor.removeprefix(self.prefix)
                if task not in joins and task not in repeated:
                    repeated.add(task)
                    pending.append(task)
        for target, sources in inbound.items():
            if target in joins:
                reason = f"`{target}` joins the branches into it (`join`)"
            elif target in repeated:
                reason = f"`{target}` runs once for each run reaching it (no `join` before it): the wait sets how often"
            else:
                continue
            for source, _, span in sources:
                self.builder.require_once(self.prefix + source, self.prefix + target, span, reason)

    def _effects(self) -> None:
        """What each task's action does, and the waits that requires (adapters/_stackstorm.py)."""
        tasks = [(self.drafts[name], task) for name, task in self.tasks.items() if isinstance(task, dict)]
        mark_effects(self.builder, self.doc, tasks, "action", lambda task: task.get("input"), _EXPRESSION)

    def _transitions(self, body: dict[Any, Any]) -> list[_Transition]:
        return [
            _Transition(_condition(entry.get("when")), self._targets(entry))
            for entry in _transitions_of(body)
        ]

    def _targets(self, transition: dict[Any, Any]) -> list[tuple[str, Span]]:
        """The tasks a transition's `do` names, each once, with where it is written."""
        written = transition.get("do")
        named: list[tuple[str, Span]] = []
        if isinstance(written, str):
            span = self.doc.value_span(transition, "do")
            named = [(name.strip(), span) for name in written.split(",")]
        elif isinstance(written, list):
            named = [
                (name, self.doc.value_span(written, index))
                for index, name in enumerate(map(text, written))
                if name is not None
            ]
        targets: dict[str, Span] = {}
        for name, span in named:
            if name and name not in ENGINE_COMMANDS:
                targets.setdefault(name, span)
        return list(targets.items())

    def _choices(self, name: str, outgoing: list[_Transition], jumps: dict[str, set[str]]) -> None:
        """The alternatives `name` decides between, and the conditional
        targets that depend on its outcome without being alternatives."""
        always = {target for t in outgoing if t.condition is None for target, _ in t.targets}
        guarded = Counter(
            target for t in outgoing if t.condition is not None for target, _ in t.targets
        )
        chosen: dict[str, tuple[str, Span]] = {}  # target -> its condition, where written
        for transition in outgoing:
            for target, span in transition.targets:
                if (
                    transition.condition is not None
                    and guarded[target] == 1
                    and target not in always
                    and target in self.tasks
                    # a jump back starts another round: not chosen for this one
                    and self.prefix + target in self.later.get(self.prefix + name, ())
                ):
                    chosen[target] = (transition.condition, span)
        alternatives: list[str] = []  # fewer than two choices are no alternatives
        if len(chosen) >= 2:
            if self.jumps is None:
                self.jumps = Descendants(jumps)
            descendants = self.jumps
            reach = {target: descendants.reached_avoiding(target, name) for target in chosen}
            alternatives = [
                target
                for target, (condition, _) in chosen.items()
                if not any(
                    other_condition != condition
                    and (descendants.has(reach[target], other) or descendants.has(reach[other], target))
                    for other, (other_condition, _) in chosen.items()
                )
            ]
        if len({chosen[target][0] for target in alternatives}) < 2:
            alternatives = []
        draft = self.drafts[name]
        for target in alternatives:
            condition, span = chosen[target]
            draft.decides.append(Ref(self.prefix + target, span))
            excludes = self.drafts[target].excludes
            for other in alternatives:
                if chosen[other][0] != condition and all(
                    ref.name != self.prefix + other for ref in excludes
                ):
                    excludes.append(Ref(self.prefix + other, chosen[other][1]))
        for target, (condition, span) in chosen.items():
            if target not in alternatives and condition != PLAIN_SUCCESS:
                self.builder.require(
                    self.prefix + name,
                    self.prefix + target,
                    span,
                    f"`{target}` runs only when `{condition}` holds after `{name}`",
                )

    def _given(self) -> None:
        """Workflow `input` and `vars` names: known before any task runs."""
        data, doc = self.doc.data, self.doc
        for key in ("input", "vars"):
            entries = data.get(key)
            if isinstance(entries, dict):
                entries = [entries]
            for index, entry in enumerate(entries if isinstance(entries, list) else ()):
                if isinstance(entry, dict):
                    self.builder.given.extend(
                        Ref(self.prefix + variable, doc.key_span(entry, variable)) for variable in entry
                    )
                elif (given_name := text(entry)) is not None:
                    self.builder.given.append(Ref(self.prefix + given_name, doc.value_span(entries, index)))

    def _facts(self) -> None:
        published = {
            name: self._published(body) for name, body in self.tasks.items() if isinstance(body, dict)
        }
        read_tasks: set[str] = set()
        every_variable = sorted({variable for variables in published.values() for variable, _ in variables})
        for name in published:
            inputs = self.drafts[name].inputs
            seen: set[str] = set()
            for is_task, target, span in self._reads(self.tasks[name]):
                if target == WHOLE_CONTEXT and not is_task:
                    # The whole context: every variable another task publishes (a given one's uses are judged below).
                    own = {variable for variable, _ in published[name]}
                    for variable in every_variable:
                        if variable not in seen and variable not in own:
                            seen.add(variable)
                            inputs.append(Ref(self.prefix + variable, span))
                    continue
                if is_task:
                    if target == name:
                        continue
                    if target not in self.tasks:
                        self.builder.unknown(target, span, "the task")
                        continue
                    fact = f"{target}.result"
                    read_tasks.add(target)
                elif target in RUNTIME_VARIABLES:
                    continue
                else:
                    fact = target
                if fact not in seen:
                    seen.add(fact)
                    inputs.append(Ref(self.prefix + fact, span))
        producers: dict[str, list[tuple[str, Span]]] = {}  # fact -> publishing tasks, where
        for name, variables in published.items():
            for variable, span in variables:
                producers.setdefault(self.prefix + variable, []).append((name, span))
        for task in read_tasks:
            producers[f"{self.prefix}{task}.result"] = [(task, self.doc.key_span(self.tasks, task))]
        drop_initial_values(
            self.drafts.values(),
            {ref.name for ref in self.builder.given},
            {fact: [self.prefix + task for task, _ in tasks] for fact, tasks in producers.items()},
            self.later,
        )
        used = {ref.name for draft in self.drafts.values() for ref in draft.inputs}
        for fact, publishing in producers.items():
            for name, span in publishing:
                outputs = self.drafts[name].outputs
                if fact in used and all(ref.name != fact for ref in outputs):
                    outputs.append(Ref(fact, span))
        self._last_value_output(producers, every_variable)

    def _last_value_output(self, producers: dict[str, list[tuple[str, Span]]], every_variable: list[str]) -> None:
        """The workflow's `output` reads its variables when the run ends: of
        the tasks publishing one, each requires those O puts before it (the
        last one sets what the workflow gives back)."""
        output = self.doc.data.get("output")
        written = [output] if isinstance(output, str) else [found for found, _, _ in strings_in(output)]
        variables: set[str] = set()
        for text_written in written:
            for _, is_task, name in _references(text_written):
                if not is_task:
                    variables.update(every_variable if name == WHOLE_CONTEXT else [name])
        reach: Descendants | None = None
        for variable in sorted(variables):
            publishing = producers.get(self.prefix + variable, [])
            if len(publishing) < 2:
                continue
            reach = reach or Descendants(self.later)
            for name, span in publishing:
                for other, _ in publishing:
                    if other != name and reach.has(reach.reached_from([self.prefix + other]), self.prefix + name):
                        self.builder.require_once(
                            self.prefix + other,
                            self.prefix + name,
                            span,
                            f"`{name}` publishes `{variable}` after `{other}`, and the workflow outputs the last value",
                        )

    def _clocks(self) -> None:
        """Tasks reading the time anywhere in their definition are clock readings."""
        readers = {
            self.drafts[name].id
            for name, body in self.tasks.items()
            if isinstance(body, dict) and reads_time(written for written, _, _ in strings_in(body))
        }
        mark_clocks(self.drafts.values(), readers)

    def _published(self, body: dict[Any, Any]) -> list[tuple[str, Span]]:
        """Variables a task publishes: in its transitions, or on itself (older syntax)."""
        found = self._publish_of(body)
        for transition in _transitions_of(body):
            found.extend(self._publish_of(transition))
        return found

    def _publish_of(self, holder: dict[Any, Any]) -> list[tuple[str, Span]]:
        """The variables the `publish` of a transition or a task names, where written."""
        if "publish" not in holder:
            return []
        value = holder["publish"]
        if isinstance(value, str):
            span = self.doc.value_span(holder, "publish")
            return [(variable, span) for _, variable in _inline_parameters(value)]
        return [(variable, self.doc.key_span(entry, variable)) for entry, variable in _entries(value)]

    def _reads(self, body: dict[Any, Any]) -> Iterator[tuple[bool, str, Span]]:
        """What a task's definition (but its `do` names) reads: (by `task()`?,
        variable or task name, where).  Not its own publishes: a `when` tests
        the task's own outcome, so every variable the task publishes is its
        own there; a published value sees those published before it in the
        same `publish` (they are evaluated in turn), not itself."""
        everything = {variable for variable, _ in self._published(body)}
        holders: list[tuple[dict[Any, Any], str, set[str]]] = [
            (body, key, set()) for key in body if key != "next" or not isinstance(body[key], list)
        ]
        for transition in _transitions_of(body):
            holders.extend(
                (transition, part, everything if part == "when" else set())
                for part in transition
                if part != "do"
            )
        for holder, key, own in holders:
            if key == "publish":
                yield from self._publish_reads(holder)
                continue
            for written, span in _strings_at(self.doc, holder, key):
                for _, is_task, name in _references(written):
                    if is_task or name not in own:
                        yield is_task, name, span

    def _publish_reads(self, holder: dict[Any, Any]) -> Iterator[tuple[bool, str, Span]]:
        value = holder["publish"]
        if isinstance(value, str):
            span = self.doc.value_span(holder, "publish")
            parameters = _inline_parameters(value)
            for position, is_task, name in _references(value):
                earlier = [variable for start, variable in parameters if start < position]
                if is_task or name not in earlier[:-1]:
                    yield is_task, name, span
            return
        before: set[str] = set()
        for entry, variable in _entries(value):
            for written, span in _strings_at(self.doc, entry, variable):
                for _, is_task, name in _references(written):
                    if is_task or name not in before:
                        yield is_task, name, span
            before.add(variable)


def _split(sources: list[tuple[str, str | None, Span]]) -> bool:
    """Whether the transitions into a task (source, condition, where) can
    start it more than once in a run: from two tasks, or twice from one
    (the same condition, or one taken whatever happens; two different
    conditions, `succeeded()` and `failed()`, are taken as never both
    holding)."""
    by_source: dict[str, list[str | None]] = {}
    for source, condition, _ in sources:
        by_source.setdefault(source, []).append(condition)
    if len(by_source) > 1:
        return True
    (conditions,) = by_source.values()
    return len(conditions) > 1 and (None in conditions or len(set(conditions)) < len(conditions))


def _entries(publish: Any) -> list[tuple[dict[Any, Any], str]]:
    """The (mapping, variable) pairs of a `publish` list of one-key mappings, or mapping."""
    mappings = publish if isinstance(publish, list) else [publish]
    return [(entry, variable) for entry in mappings if isinstance(entry, dict) for variable in entry]


def _transitions_of(body: dict[Any, Any]) -> list[dict[Any, Any]]:
    entries = body.get("next")
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def _strings_at(doc: Document, container: dict[Any, Any], key: str) -> Iterator[tuple[str, Span]]:
    value = container[key]
    if isinstance(value, str):
        yield value, doc.value_span(container, key)
    for written, holder, place in strings_in(value):
        yield written, doc.value_span(holder, place)


def _references(written: str) -> list[tuple[int, bool, str]]:
    """What the expressions in a string read, in the order written:
    (position, by `task()`?, context variable or task name)."""
    found: list[tuple[int, bool, str]] = []
    for delimited_expression in delimited(written, _EXPRESSION):
        expression, start = delimited_expression.inner, delimited_expression.inner_start
        for pattern in (_CTX_CALL, _CTX_GET, _CTX_ITEM):
            found.extend((start + m.start(), False, _first(m)) for m in pattern.finditer(expression))
        found.extend(
            (start + m.start(), False, m.group(1))
            for m in _CTX_ATTRIBUTE.finditer(expression)
            if not m.group(2)  # `ctx().get(...)`: a method, read above
        )
        found.extend((start + m.start(), False, WHOLE_CONTEXT) for m in _CTX_WHOLE.finditer(expression))
        found.extend((start + m.start(), True, _first(m)) for m in _TASK_CALL.finditer(expression))
        if delimited_expression.pair == _YAQL:
            # `$` is the context, except inside a call (a lambda's item)
            blanked = _STRING_LITERAL.sub(lambda m: " " * len(m.group()), expression)
            depth = 0  # brackets opened and not closed before the match
            counted = 0  # how much of `blanked` `depth` counts
            for m in _YAQL_ROOT.finditer(blanked):
                before = blanked[counted : m.start()]
                depth += before.count("(") + before.count("[") - before.count(")") - before.count("]")
                counted = m.start()
                if depth == 0:
                    found.append((start + m.start(), False, m.group(1)))
    return sorted(found)


def _first(match: re.Match[str]) -> str:
    first: str = next(group for group in match.groups() if group is not None)
    return first


def _inline_parameters(written: str) -> list[tuple[int, str]]:
    """(position, name) of each parameter of inline `var=<% ... %> other=value` text."""
    parts, position = [], 0
    for expression in delimited(written, _EXPRESSION):
        parts += [written[position : expression.start], " " * (expression.end - expression.start)]
        position = expression.end
    blanked = "".join(parts) + written[position:]
    blanked = _STRING_LITERAL.sub(lambda m: " " * len(m.group()), blanked)
    return [(m.start(1), m.group(1)) for m in _INLINE_PARAMETER.finditer(blanked)]


def _condition(value: Any) -> str | None:
    """A `when` as a comparable key: its expression without delimiters and
    with spaces normalized; None when it always holds."""
    written = text(value)
    if written is None:
        return None
    match = _DELIMITED.fullmatch(written)
    inner = _first(match) if match else written
    key = " ".join(inner.split())
    return None if key in ("", ALWAYS_TAKEN) else key


FORMAT = InputFormat(
    name="orquesta",
    title="StackStorm Orquesta",
    detect=detect,
    build=build,
    keys=("tasks",),
    priority=50,
    wait_key=None,
)
