"""Rundeck jobs (job YAML: a list of jobs, each with a `sequence`) as runbooks.

- Steps: each command of each job's `sequence.commands`, in order.  A step's
  id is its `description` (Rundeck's step label) made a slug, else
  `step-<number>` (numbered on, `-2`..., when a label took it); a file of several jobs prefixes each with its job's
  name (`restart-api/step-2`).  Its title is the label, else its command.
  A step's error handler (`errorhandler`) is a step of its own
  (`<step>-errorhandler`).  A command that is not a mapping, or a
  `commands` that is not a list, makes the job unreadable (RL002).
- Declared order O: `strategy: node-first`, `sequential` and `step-first`
  run the steps one after the other (they differ only in the order over
  nodes); `parallel` runs them together (no waits).  `strategy: ruleset`
  reads the rules of `pluginConfig.WorkflowStrategy.ruleset.rules`, one
  `[steps] directive conditions...` per line (steps by number, label,
  range `1-3` or `*`): `run-at-start` waits for nothing, `run-after:X,Y`
  waits for X and Y (a need, in D too: the author said so), and
  `run-in-sequence`, or no directive, waits for the step before.  A step
  a rule names that is not in the job is RL102.
- Alternatives: two steps whose conditions cannot both hold exclude each
  other (`if:E` and `unless:E`, or `if:k==a` and `if:k==b`).
- Failure paths: with `keepgoing: false` (the default) a step with an error
  handler decides between its handler and the step after it (each
  excludes the other); with `keepgoing: true` the job goes on after the
  handler, so the next step waits for the handler too.  The handler runs
  only when its step fails: it requires the step (in D).
- Resources: `exec` and `script` commands are read with the shared shell
  mapping (`recoverylint.shell`), each resource where its command is
  written; Rundeck's `${option.x}` and `@option.x@` are read as words of
  the command.  A `jobref` to a job of the same file (by `name` and
  `group`, or `uuid`) reads and writes what that job's steps do; any other
  `jobref`, `scriptfile`, `scripturl` and plugin step (`type:`) has no
  known effect: every step after it requires it, and it every step before
  it, however many steps lie between (back to the nearest such step).
- Facts: each job option (`options`) is given; a step that writes
  `${option.x}`, `@option.x@` or `$RD_OPTION_X` uses the fact `option.x`.
  Each step runs in a shell of its own: no shell variable passes between
  steps.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..capabilities import Capability
from ..finding import Issue
from ..graphs import strong_components
from ..limits import TooLarge
from ..model import EdgeKind, Ref, Span
from ..shell import read_script
from ..source import Document
from . import Adapted, AdapterError, InputFormat, documents
from ._builder import RunbookBuilder, StepDraft, text
from ._step_ids import StepIds, slug

NAME = "rundeck"
SEQUENTIAL = frozenset({"node-first", "sequential", "step-first"})
COMMAND_KEYS = ("exec", "script", "scriptfile", "scripturl", "jobref", "type")
# `${option.name}`, `@option.name@` and the environment's `$RD_OPTION_NAME`.
_OPTION_USE = re.compile(r"\$\{option\.([A-Za-z0-9_.-]+)\}|@option\.([A-Za-z0-9_.-]+)@|\$\{?RD_OPTION_([A-Z0-9_]+)")
# Rundeck's own references, which the shell would not parse: `${a.b}` and `@a.b@`.
_RUNDECK_REFERENCE = re.compile(r"\$\{([A-Za-z_][\w-]*(?:\.[\w-]+)+)\}|@([A-Za-z_][\w-]*(?:\.[\w-]+)+)@")
_RULE = re.compile(r"\s*\[([^\]]*)\]\s*(.*)")
_RANGE = re.compile(r"(\d{1,9})\s*-\s*(\d{1,9})")  # longer numbers name no step: RL102
_COMPARISON = re.compile(r"(.+?)(==|!=|=~|!~)(.*)")


def detect(document: Document) -> bool:
    return any(_jobs(doc.data) for doc in documents(document))


def _jobs(data: Any) -> list[dict[str, Any]]:
    """The jobs of a job list: mappings with a `sequence` mapping (a job
    export holds nothing else)."""
    if not isinstance(data, list):
        return []
    jobs = [job for job in data if isinstance(job, dict) and isinstance(job.get("sequence"), dict)]
    return jobs if jobs and all(isinstance(job, dict) for job in data) else []


def build(document: Document, path: str, default_duration: float | None) -> Adapted:
    docs = [doc for doc in documents(document) if _jobs(doc.data)]
    builder = RunbookBuilder(document, path, NAME, default_duration, wait_key=None)
    jobs = [(doc, job) for doc in docs for job in _jobs(doc.data)]
    called = _called(jobs)
    # A job another job of the file runs is read for its effects, not as
    # steps (unless every job is run by another: then each is read).
    inner = [bool(_names(job) & called) for _, job in jobs]
    if all(inner):
        inner = [False] * len(jobs)
    read: list[_Job] = []
    for number, ((doc, job), nested) in enumerate(zip(jobs, inner, strict=True), 1):
        into = RunbookBuilder(document, path, NAME, default_duration, wait_key=None) if nested else builder
        read.append(_Job(into, doc, job, _prefix(job, number, len(jobs)), nested))
    for each in read:
        each.steps()
        if each.inner:
            builder.problems.extend(each.builder.problems)
    _job_references(read, builder.limits.max_edges)
    top = [each for each in read if not each.inner]
    for each in top:
        each.order()
    for before, after in itertools.pairwise(top):
        _one_after_another(builder, before, after)
    # A step of unknown effect may make or need anything: the steps after it
    # wait for it, and it for those before it, however many steps lie between.
    builder.require_around(
        {
            step.draft.id: (reason, reason)
            for each in top
            for step in each.read
            if not step.known
            for reason in [f"what `{step.draft.id}` does is not known from its command"]
        }
    )
    first_doc, first_job = jobs[0]
    title = text(first_job.get("name")) if len(jobs) == 1 else None
    return builder.build(Path(path).stem, first_doc.value_span(first_doc.data, 0), title=title)


def _names(job: dict[str, Any]) -> set[str]:
    """What a `jobref` may call a job by: its uuid or id, or `group/name`."""
    found = {f"{text(job.get('group')) or ''}/{text(job.get('name'))}"} if text(job.get("name")) else set()
    return found | {str(job[key]) for key in ("uuid", "id") if text(job.get(key))}


def _called(jobs: list[tuple[Document, dict[str, Any]]]) -> set[str]:
    """The names jobs of the file call (`jobref`) other jobs by."""
    called: set[str] = set()
    for _, job in jobs:
        commands = job["sequence"].get("commands")
        for command in commands if isinstance(commands, list) else ():
            reference = command.get("jobref") if isinstance(command, dict) else None
            if isinstance(reference, dict):
                called.add(text(reference.get("uuid")) or _reference_name(reference))
    return called


def _reference_name(reference: dict[str, Any]) -> str:
    return f"{text(reference.get('group')) or ''}/{text(reference.get('name')) or ''}"


def _one_after_another(builder: RunbookBuilder, before: _Job, after: _Job) -> None:
    """The file's jobs are run one at a time, each on its own: the steps
    where `after` starts wait for those where `before` ends."""
    waited = {edge.target for edge in builder.edges}
    waiting = {edge.source for edge in builder.edges}
    ends = [step.draft.id for step in before.read if step.draft.id not in waiting]
    starts = [step.draft for step in after.read if step.draft.id not in waited]
    if len(ends) * len(starts) > builder.limits.max_steps:
        raise TooLarge(f"over {builder.limits.max_steps:,} waits between two jobs")
    span = after.doc.key_span(after.job, "sequence")
    reason = f"`{after.job.get('name')}` is another job of the file: its jobs do not run together"
    for end in ends:
        for start in starts:
            builder.wait(end, start.id, span, EdgeKind.SEQUENCE)
            builder.require(end, start.id, span, reason)


def _prefix(job: dict[str, Any], number: int, count: int) -> str:
    if count == 1:
        return ""
    name = slug(text(job.get("name")) or "") or f"job-{number}"
    return f"{number}-{name}/"


@dataclass
class _Step:
    """A command of a job as read: its draft, its label, its rule conditions."""

    command: dict[str, Any]
    draft: StepDraft
    label: str | None
    known: bool  # whether what the step does is known from its command
    handler: StepDraft | None = None
    conditions: list[tuple[bool, str, Span]] = field(default_factory=list)  # (if, expression, where)


class _Job:
    def __init__(
        self, builder: RunbookBuilder, doc: Document, job: dict[str, Any], prefix: str, inner: bool
    ) -> None:
        self.builder = builder
        self.inner = inner
        self.doc = doc
        self.job = job
        self.prefix = prefix
        self.sequence: dict[str, Any] = job["sequence"]
        self.read: list[_Step] = []
        # Each option by its name, and by its environment variable (`$RD_OPTION_NAME`).
        self.options: dict[str, str] = {}

    def steps(self) -> None:
        doc, sequence = self.doc, self.sequence
        commands = sequence.get("commands", [])
        if not isinstance(commands, list):
            raise AdapterError(
                Issue(doc.value_span(sequence, "commands"), "`commands` of a job's `sequence` must be a list")
            )
        self._options()
        ids = StepIds("step")
        for index, command in enumerate(commands):
            if not isinstance(command, dict):
                raise AdapterError(
                    Issue(doc.value_span(commands, index), "a command of `sequence.commands` must be a mapping")
                )
            label = text(command.get("description"))
            word = slug(label) if label else ""
            wanted = word if word and word not in ids.taken else f"step-{index + 1}"
            # A label may read like another step's generated id: never share one.
            base = wanted if wanted not in ids.taken else ids.fresh(wanted)
            ids.taken.add(base)
            draft, known = self._draft(self.prefix + base, command, commands, index, label)
            step = _Step(command, draft, label, known)
            handler = command.get("errorhandler")
            if isinstance(handler, dict):
                handler_id = self.prefix + ids.fresh(f"{base}-errorhandler")
                step.handler, _ = self._draft(handler_id, handler, command, "errorhandler", None)
            self.read.append(step)

    def _options(self) -> None:
        options = self.job.get("options")
        entries: list[tuple[str, Span]] = []
        if isinstance(options, list):
            entries = [
                (str(option["name"]), self.doc.value_span(option, "name"))
                for option in options
                if isinstance(option, dict) and text(option.get("name"))
            ]
        elif isinstance(options, dict):  # the older export: options keyed by name
            entries = [(str(name), self.doc.key_span(options, name)) for name in options]
        for name, span in entries:
            if name not in self.options:
                self.options[name] = name
                # Rundeck passes each option to scripts as `$RD_OPTION_<NAME>` too.
                self.options.setdefault("$RD_OPTION_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper(), name)
                self.builder.given.append(Ref(f"{self.prefix}option.{name}", span))

    def _draft(
        self, step_id: str, command: dict[str, Any], holder: Any, place: Any, label: str | None
    ) -> tuple[StepDraft, bool]:
        """A step for one command: its title, what its shell reads and
        writes, the options it uses; and whether its effect is known (an
        `exec` or `script` whose every command the shell mapping knows)."""
        span = self.doc.value_span(holder, place)
        key = next((key for key in COMMAND_KEYS if key in command), None)
        key_span = self.doc.key_span(command, key) if key else span
        draft = self.builder.step(step_id, key_span, title=label or _command_title(command, key), extent=span)
        seen: set[str] = set()
        for written, at in self._strings(command):
            for found in _OPTION_USE.finditer(written):
                option = self.options.get(found.group(1) or found.group(2) or f"$RD_OPTION_{found.group(3)}")
                if option is not None and option not in seen:
                    seen.add(option)
                    draft.inputs.append(Ref(f"{self.prefix}option.{option}", at))
        script = command.get(key) if key in ("exec", "script") else None
        if not isinstance(script, str):
            return draft, False
        return draft, self._shell(draft, script, self.doc.value_span(command, key))

    def _strings(self, command: dict[str, Any]) -> list[tuple[str, Span]]:
        found = []
        for key, value in command.items():
            if key == "errorhandler":
                continue
            if isinstance(value, str):
                found.append((value, self.doc.value_span(command, key)))
            elif isinstance(value, dict):
                found.extend(
                    (inner, self.doc.value_span(value, name)) for name, inner in value.items() if isinstance(inner, str)
                )
            elif isinstance(value, list):
                found.extend(
                    (inner, self.doc.value_span(value, i)) for i, inner in enumerate(value) if isinstance(inner, str)
                )
        return found

    def _shell(self, draft: StepDraft, script: str, span: Span) -> bool:
        """The script's resources, each at its command's line (a block
        scalar's text starts on the line after its `|`); whether every
        command's effect is known."""
        parsed = read_script(_RUNDECK_REFERENCE.sub(_shell_word, script))
        for command in parsed.commands:
            if command.effect is None:
                continue
            at = _line_of(span, command.line, "\n" in script)
            if at.line == span.line:
                column = span.column + command.column - 1
                at = Span(span.line, column, span.line, column + len(" ".join(command.words)))
            draft.reads.extend(Ref(name, at) for name in command.effect.reads)
            draft.writes.extend(Ref(name, at) for name in command.effect.writes)
        return parsed.known

    def _in_sequence(self, before: _Step, after: _Step, span: Span) -> None:
        """`after` waits for the step before it."""
        self.builder.wait(before.draft.id, after.draft.id, span, EdgeKind.SEQUENCE)

    def _strategy_span(self) -> Span:
        if "strategy" in self.sequence:
            return self.doc.value_span(self.sequence, "strategy")
        return self.doc.key_span(self.job, "sequence")

    def order(self) -> None:
        strategy = text(self.sequence.get("strategy")) or "node-first"
        keepgoing = self.sequence.get("keepgoing") is True
        if strategy == "ruleset":
            self._ruleset()
        elif strategy != "parallel":
            span = self._strategy_span()
            for before, after in zip(self.read, self.read[1:], strict=False):
                self._in_sequence(before, after, span)
        for index, step in enumerate(self.read):
            if step.handler is None:
                continue
            handler, span = step.handler, self.doc.key_span(step.command, "errorhandler")
            self.builder.wait(step.draft.id, handler.id, span, EdgeKind.SEQUENCE)
            self.builder.require(
                step.draft.id, handler.id, span, f"`{handler.id}` runs only when `{step.draft.id}` fails"
            )
            step.draft.on_failure.append(Ref(handler.id, span))
            if index + 1 == len(self.read) or strategy not in SEQUENTIAL:
                continue
            following = self.read[index + 1].draft
            if keepgoing:
                self.builder.wait(handler.id, following.id, span, EdgeKind.SEQUENCE)
            else:
                step.draft.decides.extend([Ref(handler.id, span), Ref(following.id, span)])
                handler.excludes.append(Ref(following.id, span))
                following.excludes.append(Ref(handler.id, span))

    def _ruleset(self) -> None:
        config = self.sequence.get("pluginConfig")
        strategy = config.get("WorkflowStrategy") if isinstance(config, dict) else None
        ruleset = strategy.get("ruleset") if isinstance(strategy, dict) else None
        rules = ruleset.get("rules") if isinstance(ruleset, dict) else None
        directives: dict[int, tuple[str, list[str], Span]] = {}
        span = self._strategy_span()
        if isinstance(ruleset, dict) and isinstance(rules, str):
            span = self.doc.value_span(ruleset, "rules")
            for offset, line in enumerate(rules.split("\n")):
                self._rule(line.strip(), _line_of(span, offset + 1, "\n" in rules), directives)
        waits: list[list[int]] = []  # the steps each step waits for, by index
        for index, step in enumerate(self.read):
            directive, after, at = directives.get(index, ("run-in-sequence", [], span))
            waits.append([])
            if directive == "run-in-sequence" and index:
                self._in_sequence(self.read[index - 1], step, at)
                waits[index].append(index - 1)
            elif directive == "run-after":
                for name in after:
                    target = self._step_named(name)
                    source = target.draft.id if target else self.prefix + name
                    self.builder.wait(source, step.draft.id, at, EdgeKind.NEEDS)
                    if target is not None:
                        waits[index].append(self.read.index(target))
        self._alternatives(waits)

    def _rule(self, line: str, at: Span, directives: dict[int, tuple[str, list[str], Span]]) -> None:
        rule = _RULE.match(line.strip('"'))
        if not line or line.startswith("#") or rule is None:
            return
        chosen = self._chosen(rule.group(1), at)
        for word in _rule_words(rule.group(2)):
            if word in ("run-at-start", "run-in-sequence"):
                directives.update((index, (word, [], at)) for index in chosen)
            elif word.startswith("run-after:"):
                names = [name.strip() for name in word[len("run-after:") :].split(",") if name.strip()]
                directives.update((index, ("run-after", names, at)) for index in chosen)
            elif word.startswith(("if:", "unless:")):
                holds, expression = word.startswith("if:"), word.split(":", 1)[1].strip()
                for index in chosen:
                    self.read[index].conditions.append((holds, expression, at))

    def _chosen(self, written: str, at: Span) -> list[int]:
        """The steps (by index) a rule's `[...]` names."""
        if written.strip() == "*":
            return list(range(len(self.read)))
        chosen: list[int] = []
        for part in (part.strip() for part in written.split(",")):
            span_of = _RANGE.fullmatch(part)
            if span_of:
                first, last = int(span_of.group(1)), int(span_of.group(2))
                chosen.extend(i - 1 for i in range(first, min(last, len(self.read)) + 1) if i >= 1)
                continue
            step = self._step_named(part)
            if step is not None:
                chosen.append(self.read.index(step))
            elif part:
                self.builder.unknown(self.prefix + part, at, "the rule's step")
        return chosen

    def _step_named(self, name: str) -> _Step | None:
        """The step a rule names: by number (from 1) or label (case sensitive)."""
        if name.isdigit() and len(name) < 10 and 1 <= int(name) <= len(self.read):
            return self.read[int(name) - 1]
        return next((step for step in self.read if step.label == name), None)

    def _alternatives(self, waits: list[list[int]]) -> None:
        """Steps whose conditions cannot both hold exclude each other; the
        engine tests a step's conditions when the steps it waits for are
        done, so the last step both wait for decides between them.  The
        pairs are found through the conditions' expressions (not by testing
        every pair of steps), and refused past the limit on edges."""
        pairs = _exclusive_pairs(
            [(index, condition) for index, step in enumerate(self.read) for condition in step.conditions],
            self.builder.limits.max_edges - len(self.builder.edges),
        )
        for (index, other_index), clash in sorted(pairs.items(), key=lambda pair: pair[0]):
            step, other = self.read[index].draft, self.read[other_index].draft
            step.excludes.append(Ref(other.id, clash))
            other.excludes.append(Ref(step.id, clash))
            common = set(waits[index]) & set(waits[other_index])
            if common:
                self.read[max(common)].draft.decides.extend([Ref(step.id, clash), Ref(other.id, clash)])


def _line_of(span: Span, line: int, multiline: bool) -> Span:
    """Where line `line` (from 1) of a string written at `span` is: a block
    scalar (`|`, which ends at the start of a line) starts on the line after
    its indicator; a line past the string's end is put at its end."""
    block = multiline and span.end_column == 1
    at = min(span.line + line - (0 if block else 1), max(span.end_line - (1 if block else 0), span.line))
    return Span(at, 1, at, 1)


def _exclusive_pairs(
    conditions: list[tuple[int, tuple[bool, str, Span]]], room: int
) -> dict[tuple[int, int], Span]:
    """The pairs of steps (by index, lower first) whose conditions cannot
    both hold, each with where the first of its clashing conditions is
    written: `if:E` and `unless:E`, or `if:k==a` and `if:k==b`.  Past
    `room` pairs (what the limit on edges leaves), the job is refused."""
    by_expression: dict[str, dict[bool, list[tuple[int, Span]]]] = {}
    by_key: dict[str, dict[str, list[tuple[int, Span]]]] = {}
    for index, (holds, expression, at) in conditions:
        by_expression.setdefault(expression, {}).setdefault(holds, []).append((index, at))
        comparison = _COMPARISON.fullmatch(expression)
        if holds and comparison and comparison.group(2) == "==":
            by_key.setdefault(comparison.group(1).strip(), {}).setdefault(comparison.group(3).strip(), []).append(
                (index, at)
            )
    clashing: list[list[list[tuple[int, Span]]]] = [list(sides.values()) for sides in by_expression.values()]
    clashing += [list(values.values()) for values in by_key.values()]
    pairs: dict[tuple[int, int], Span] = {}
    for groups in clashing:
        for number, group in enumerate(groups):
            for other in groups[number + 1 :]:
                for index, at in group:
                    for other_index, other_at in other:
                        if index != other_index:
                            key = (min(index, other_index), max(index, other_index))
                            pairs.setdefault(key, at if index < other_index else other_at)
                            if len(pairs) > room:
                                raise TooLarge(
                                    f"conditions that cannot hold together imply over {room:,} pairs of steps,"
                                    " over the limit on edges"
                                )
    return pairs


def _rule_words(written: str) -> list[str]:
    """A rule's directive and conditions: words split at spaces, a quoted one
    (`"run-after:Step One"`) kept whole."""
    return [quoted or plain for quoted, plain in re.findall(r'"([^"]*)"|(\S+)', written)]


def _job_references(jobs: list[_Job], limit: int) -> None:
    """A `jobref` to a job of the same file does what that job's steps do,
    through the jobs it runs in turn, whatever order the file writes the jobs
    in: a job's effects are those of the group of jobs that run each other
    (a loop of references) and of every job they run.  A job in a loop never
    ends: a `jobref` to it has no known effect.  `limit` bounds the names
    gathered (a long chain of jobs, each gathering those of all after it)."""
    budget = limit
    by_name: dict[str, int] = {}
    for number, job in enumerate(jobs):
        for name in _names(job.job):
            by_name.setdefault(name, number)
    calls: list[list[tuple[_Step, int]]] = []  # per job: its `jobref` steps and the job each runs
    for job in jobs:
        found = []
        for step in job.read:
            reference = step.command.get("jobref")
            if isinstance(reference, dict):
                target = by_name.get(text(reference.get("uuid")) or "")
                if target is None:
                    target = by_name.get(_reference_name(reference))
                if target is not None:
                    found.append((step, target))
        calls.append(found)
    effects: dict[int, tuple[dict[str, None], dict[str, None], bool]] = {}  # group -> reads, writes, known
    groups = _called_groups([[target for _, target in found] for found in calls])
    group_of = [0] * len(jobs)
    for group, members in enumerate(groups):
        for member in members:
            group_of[member] = group
    for group, members in enumerate(groups):
        reads: dict[str, None] = {}
        writes: dict[str, None] = {}
        # A loop never ends: no known effect (a job running itself is one too).
        known = len(members) == 1 and all(target != members[0] for _, target in calls[members[0]])
        for member in members:
            resolved = {id(step) for step, _ in calls[member]}
            for step in jobs[member].read:
                if id(step) in resolved:
                    continue  # what it runs is gathered below
                known = known and step.known
                reads.update(dict.fromkeys(ref.name for ref in step.draft.reads))
                writes.update(dict.fromkeys(ref.name for ref in step.draft.writes))
            for _, target in calls[member]:
                if group_of[target] != group:  # the groups it runs come before it
                    target_reads, target_writes, target_known = effects[group_of[target]]
                    budget -= len(target_reads) + len(target_writes)
                    if budget < 0:
                        raise TooLarge(f"over {limit:,} resource names gathered through `jobref`s")
                    reads.update(target_reads)
                    writes.update(target_writes)
                    known = known and target_known
        # Every `jobref` takes on its group's names below: one within the loop
        # is charged here, one to another group was charged as it gathered them.
        calls_within = sum(group_of[target] == group for member in members for _, target in calls[member])
        budget -= calls_within * (len(reads) + len(writes))
        if budget < 0:
            raise TooLarge(f"over {limit:,} resource names gathered through `jobref`s")
        effects[group] = (reads, writes, known)
    for found in calls:
        for step, target in found:
            reads, writes, known = effects[group_of[target]]
            at = step.draft.span
            step.draft.reads.extend(Ref(name, at) for name in reads)
            step.draft.writes.extend(Ref(name, at) for name in writes)
            # A `jobref` to another file's job, or a command not read, counts as unknown.
            step.known = known


def _called_groups(runs: list[list[int]]) -> list[list[int]]:
    """The groups of jobs that run each other (strongly connected components
    of `runs`, job -> the jobs it runs), each after every group it runs:
    Tarjan's algorithm numbers a component after every one it reaches."""
    component, count = strong_components(runs)
    groups: list[list[int]] = [[] for _ in range(count)]
    for job, group in enumerate(component):
        groups[group].append(job)
    return groups


def _command_title(command: dict[str, Any], key: str | None) -> str | None:
    value = command.get(key) if key else None
    if key == "jobref" and isinstance(value, dict):
        return f"job {text(value.get('name')) or text(value.get('uuid')) or ''}".strip()
    written = text(value)
    if written is None:
        return None
    return next((line.strip() for line in written.split("\n") if line.strip() and not line.startswith("#!")), None)


def _shell_word(found: re.Match[str]) -> str:
    """A Rundeck reference as a `<placeholder>`, which the shell mapping
    keeps as written in resource names."""
    return f"<{found.group(1) or found.group(2)}>"


FORMAT = InputFormat(
    name=NAME,
    title="Rundeck job",
    detect=detect,
    build=build,
    keys=("sequence",),
    priority=75,
    wait_key=None,
    lacks=((Capability.ROLES, "a Rundeck job names no roles or approvers: its access rules are kept apart from it"),),
)
