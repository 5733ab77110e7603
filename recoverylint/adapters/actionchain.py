"""StackStorm ActionChains (a mapping whose `chain` is a list of tasks) as runbooks.

- Steps: each task of `chain`, in file order; its `name` is the id, its
  action `ref` the title.  The runbook is named after the file.  A task that
  is not a mapping with a `name` makes the chain unreadable (RL002): the
  runner refuses it too.
- Declared order O: `on-success: X` and `on-failure: X` make X wait for the
  task (a sequence edge at the value).  A name that is no task, there or in
  `default` (the task the chain starts with), is RL102; a name written as a
  Jinja expression is chosen at run time and left out.  Jumps may go back
  (a retry loop): those back edges are left out of O.
- Alternatives: a task whose `on-success` and `on-failure` name two
  different tasks, both forward, decides between them (its `decides`; each
  `excludes` the other), unless one reaches the other through the jumps
  other than through the task again (then both run, one after the other).
  An `on-failure` target that is no alternative runs because the task
  failed: the work requires it after the task (a need with a reason: in D,
  not in O).  An `on-success` target alone is a plain sequence, which RL201
  questions.  A jump back starts another round and is chosen for none.
- Facts: `publish` (a mapping) makes the task output each variable some
  task reads.  A task reads, in the Jinja (`{{ }}`, `{% %}`) of its
  parameters and published values, `{{ var }}` for a variable (the fact
  `var`) and `{{ task.anything }}` for another task of the chain (its
  result: the fact `<task>.result`, output by that task); its own name is
  its own result.  Published values are rendered one by one with the
  variables as they were before: naming a variable published alongside
  reads its earlier value.  Top-level `vars` are given.  A task reads a
  given variable at its initial value when no task before it publishes it,
  even if a later task or another branch does: that use is no input.  Any
  other name (the chain's own action parameters, `st2kv`, `__results`,
  Jinja's own words) is no fact.
- Effects: as Orquesta's (adapters/_stackstorm.py), from each task's
  `parameters` (or `params`, their older name): a pack's action is of
  unknown effect, and the waits around it are required.
- Failure paths: the `on-failure` target a task decides between is its
  `on_failure` (RL307 names the path "when the task fails").
- Clocks: a task reading the time in its parameters (`date +%s`,
  `datetime.now()`, `now()`...) whose result or published variable a later
  task uses starts a clock; that later task stops it when it reads the time
  too, or its name or a variable it publishes says elapsed time (`elapsed`,
  `duration`, `mttr`, `took`).
- Guards and observations: a task named for a check, or a health check.
- A file holding several chains (`---`) prefixes ids and variables with the
  chain's number (`2/c1`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..finding import Issue
from ..model import EdgeKind, Ref, Span
from ..source import Document
from . import Adapted, AdapterError, InputFormat, documents
from ._behaviour import mark_clocks, reads_time
from ._builder import Descendants, RunbookBuilder, StepDraft, delimited, forward_successors, strings_in, text
from ._durations import stackstorm_default
from ._stackstorm import drop_initial_values, mark_effects

JUMPS = ("on-success", "on-failure")
# Keys of a task that hold names, not templates.
NAMING_KEYS = frozenset({"name", "ref", *JUMPS})

# Jinja's `{{ }}` and `{% %}` (found by `delimited`: a regex is quadratic on unclosed ones).
_JINJA = (("{{", "}}"), ("{%", "%}"))
_STRING_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
_NAME = re.compile(r"(?<!\w)[A-Za-z_]\w*")
# What follows a name that is called (`x(`) or a keyword argument (`x=`, not `x ==`).
_CALLED_OR_KEYWORD = re.compile(r"\s*(?:\(|=(?!=))")


def detect(document: Document) -> bool:
    return any(_is_chain(doc.data) for doc in documents(document))


def _is_chain(data: Any) -> bool:
    """A `chain` list, empty or holding a mapping (a list of words is no chain)."""
    if not isinstance(data, dict) or not isinstance(data.get("chain"), list):
        return False
    tasks = data["chain"]
    return not tasks or any(isinstance(task, dict) for task in tasks)


def build(document: Document, path: str, default_duration: float | None) -> Adapted:
    chains = [doc for doc in documents(document) if _is_chain(doc.data)]
    builder = RunbookBuilder(document, path, FORMAT.name, default_duration, wait_key=None)
    for number, doc in enumerate(chains, 1):
        _Chain(builder, doc, f"{number}/" if len(chains) > 1 else "").read()
    first = chains[0]
    return builder.build(Path(path).stem, first.key_span(first.data, "chain"), loops=True)


class _Chain:
    """One chain document read into the builder; `prefix` qualifies its ids
    and variables when the file holds several."""

    def __init__(self, builder: RunbookBuilder, doc: Document, prefix: str) -> None:
        self.builder = builder
        self.doc = doc
        self.prefix = prefix
        self.tasks: dict[str, dict[Any, Any]] = {}  # the first task of each name
        self.drafts: dict[str, StepDraft] = {}

    def read(self) -> None:
        doc, data = self.doc, self.doc.data
        chain = data["chain"]
        for index, task in enumerate(chain):
            name = text(task.get("name")) if isinstance(task, dict) else None
            if name is None:
                raise AdapterError(
                    Issue(doc.value_span(chain, index), "a task of `chain` must be a mapping with a `name`")
                )
            draft = self.builder.step(
                self.prefix + name,
                doc.value_span(task, "name"),
                title=text(task.get("ref")),
                extent=doc.value_span(chain, index),
                duration=stackstorm_default(text(task.get("ref")), _parameters(task), without_action=False),
            )
            self.tasks.setdefault(name, task)
            self.drafts.setdefault(name, draft)
        jumps: dict[str, set[str]] = {}
        for name, task in self.tasks.items():
            for key in JUMPS:
                target = _static_name(task.get(key))
                if target is not None:
                    self.builder.wait(
                        self.prefix + name, self.prefix + target, doc.value_span(task, key), EdgeKind.SEQUENCE
                    )
                    jumps.setdefault(name, set()).add(target)
        start = _static_name(data.get("default"))
        if start is not None and start not in self.tasks:
            self.builder.unknown(self.prefix + start, doc.value_span(data, "default"), "the `default` task")
        if self.tasks:
            # The chain starts at its `default` task, else at its first.
            self.builder.entries.append(self.prefix + (start if start in self.tasks else next(iter(self.tasks))))
        self.later = forward_successors(self.builder)
        # What each task reaches, computed once for the whole chain (a
        # search from each task's targets was quadratic in a long chain).
        self.reach = Descendants(jumps)
        for name, task in self.tasks.items():
            self._choices(name, task)
        self._effects()
        self._facts()
        self._clocks()

    def _effects(self) -> None:
        """What each task's action does, and the waits that requires (adapters/_stackstorm.py)."""
        tasks = [(self.drafts[name], task) for name, task in self.tasks.items() if isinstance(task, dict)]
        mark_effects(self.builder, self.doc, tasks, "ref", _parameters, _JINJA)

    def _choices(self, name: str, task: dict[Any, Any]) -> None:
        """Whether `name` decides between its two targets, or its failure
        handler depends on its outcome alone.  A jump back (a retry) starts
        another round: it is chosen for none."""
        success, failure = (self._forward(name, task.get(key)) for key in JUMPS)
        if failure is None or failure == success:
            return
        failure_span = self.doc.value_span(task, "on-failure")
        if (
            success is not None
            and not self.reach.has(self.reach.reached_avoiding(success, name), failure)
            and not self.reach.has(self.reach.reached_avoiding(failure, name), success)
        ):
            success_span = self.doc.value_span(task, "on-success")
            self.drafts[name].decides.extend(
                [Ref(self.prefix + success, success_span), Ref(self.prefix + failure, failure_span)]
            )
            self.drafts[name].on_failure.append(Ref(self.prefix + failure, failure_span))
            self.drafts[success].excludes.append(Ref(self.prefix + failure, failure_span))
            self.drafts[failure].excludes.append(Ref(self.prefix + success, success_span))
            return
        self.builder.require(
            self.prefix + name,
            self.prefix + failure,
            failure_span,
            f"`{failure}` runs only when `{name}` fails",
        )

    def _forward(self, name: str, written: Any) -> str | None:
        """The task a jump of `name` names, when it is one that goes forward."""
        target = _static_name(written)
        if target not in self.tasks or self.prefix + target not in self.later.get(self.prefix + name, ()):
            return None
        return target

    def _facts(self) -> None:
        published = {name: self._published(task) for name, task in self.tasks.items()}
        variables = {variable for names in published.values() for variable, _ in names}
        given = self.doc.data.get("vars")
        if isinstance(given, dict):
            self.builder.given.extend(
                Ref(self.prefix + variable, self.doc.key_span(given, variable)) for variable in given
            )
            variables.update(given)
        for name, task in self.tasks.items():
            inputs = self.drafts[name].inputs
            seen: set[str] = set()
            for written, span in self._templates(task):
                for word in _names_read(written):
                    if word in variables:
                        fact = word
                    elif word in self.tasks and word != name:
                        fact = f"{word}.result"
                    else:
                        continue  # the chain's parameters, `st2kv`, Jinja's own names
                    if fact not in seen:
                        seen.add(fact)
                        inputs.append(Ref(self.prefix + fact, span))
        producers: dict[str, list[str]] = {}
        for name, names in published.items():
            for variable, _ in names:
                producers.setdefault(self.prefix + variable, []).append(self.prefix + name)
        drop_initial_values(
            self.drafts.values(),
            {ref.name for ref in self.builder.given},
            producers,
            self.later,
        )
        used = {ref.name for draft in self.drafts.values() for ref in draft.inputs}
        for name, names in published.items():
            outputs = self.drafts[name].outputs
            for variable, span in names:
                if self.prefix + variable in used:
                    outputs.append(Ref(self.prefix + variable, span))
            if f"{self.prefix}{name}.result" in used:
                span = self.doc.value_span(self.tasks[name], "name")
                outputs.append(Ref(f"{self.prefix}{name}.result", span))

    def _clocks(self) -> None:
        """Tasks reading the time in their parameters are clock readings."""
        readers = {
            self.drafts[name].id
            for name, task in self.tasks.items()
            if reads_time(written for written, _ in self._templates(task))
        }
        mark_clocks(self.drafts.values(), readers)

    def _published(self, task: dict[Any, Any]) -> list[tuple[str, Span]]:
        publish = task.get("publish")
        if not isinstance(publish, dict):
            return []
        return [(variable, self.doc.key_span(publish, variable)) for variable in publish]

    def _templates(self, task: dict[Any, Any]) -> Iterator[tuple[str, Span]]:
        """Every string of a task but its names, where written."""
        for written, holder, place in strings_in(task, leaving_out=NAMING_KEYS):
            yield written, self.doc.value_span(holder, place)


def _parameters(task: dict[Any, Any]) -> Any:
    """A task's action parameters: `parameters`, or `params` (its older name)."""
    return task["parameters"] if "parameters" in task else task.get("params")


def _static_name(value: Any) -> str | None:
    """A task name as written, or None when absent or a Jinja expression."""
    name = text(value)
    if name is None or not name.strip() or next(delimited(name, _JINJA), None):
        return None
    return name.strip()


def _names_read(written: str) -> Iterator[str]:
    """The top-level names the Jinja expressions of a string read: not
    attributes (`.x`), filters (`| x`), tests (`is x`), calls (`x(`),
    keyword arguments (`x=`) or anything in a string literal."""
    for jinja in delimited(written, _JINJA):
        expression = _STRING_LITERAL.sub(lambda m: " " * len(m.group()), jinja.inner)
        # The words before this one with only spacing between them and it,
        # latest last (each gap is looked at once: linear in the expression).
        adjacent: list[str] = []
        end = 0  # of the word before
        for word in _NAME.finditer(expression):
            gap = expression[end : word.start()].rstrip()
            end = word.end()
            if gap:
                adjacent = []
            previous, adjacent = adjacent, ([*adjacent, word.group()])[-3:]
            if gap.endswith((".", "|")):
                continue  # an attribute or a filter
            if previous[-1:] == ["is"] or previous[-2:] == ["is", "not"]:
                continue  # a test
            if _CALLED_OR_KEYWORD.match(expression, word.end()):
                continue
            yield word.group()


FORMAT = InputFormat(
    name="actionchain",
    title="StackStorm ActionChain",
    detect=detect,
    build=build,
    keys=("chain",),
    priority=60,
    wait_key=None,
)
