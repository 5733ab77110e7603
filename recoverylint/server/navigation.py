"""Hover, go to definition, find references and rename: what is written at a
position, read from the document version's check (its findings, its names,
its plan)."""

from __future__ import annotations

import json
import re
from functools import cache

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from ..catalog import rule_doc
from ..plan import Plan, Schedule
from ..source import resolve_plain
from ..words import minutes
from .documents import DocumentVersion
from .names import Kind, NameUse, contains, use_at
from .ranges import from_position, to_range

# Names a rename may give: what a step id, a role or a fact can be written as
# unquoted, so that the new name needs no quoting wherever it goes.
_RENAMEABLE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./")


def hover(document: DocumentVersion, codec: PositionCodec, position: types.Position) -> types.Hover | None:
    line, column = from_position(document, codec, position)
    parts = [_finding_words(item.code) for item in document.check.findings if contains(item.span, line, column)]
    use = use_at(document.uses, line, column)
    if use is not None:
        parts.append(_name_words(document, use))
    if not parts:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)))


def _finding_words(code: str) -> str:
    doc = rule_doc(code)
    return f"**{code}** {doc.name}: {doc.summary}\n\n**How to fix:** {doc.how_to_fix}"


def _name_words(document: DocumentVersion, use: NameUse) -> str:
    if use.kind is Kind.STEP:
        return _step_words(document, use.name)
    declared = [other for other in _same_name(document, use) if other.declares]
    users = _steps_using(document, use)
    where = (
        ", ".join(f"line {other.span.line}" for other in declared) if declared
        else "nowhere in this runbook"
    )
    verb = "declared" if use.kind in (Kind.ROLE, Kind.RESOURCE) else "established (given or output)"
    words = [f"**{use.kind.value} `{use.name}`**: {verb} at {where}."]
    words.append(f"Used by {len(users)} step{'s' if len(users) != 1 else ''}: " + ", ".join(f"`{s}`" for s in users)
                 if users else "No step uses it.")
    return "\n\n".join(words)


def _steps_using(document: DocumentVersion, use: NameUse) -> list[str]:
    runbook = document.check.runbook
    if runbook is None:
        return []
    found: list[str] = []
    for step in runbook.steps:
        refs = {
            Kind.ROLE: [r for r in (step.role, step.approval) if r is not None],
            Kind.RESOURCE: [*step.reads, *step.writes, *step.observes],
            Kind.FACT: [*step.inputs, *step.outputs],
        }.get(use.kind, [])
        if any(ref.name == use.name for ref in refs):
            found.append(step.id)
    return found


def _step_words(document: DocumentVersion, step_id: str) -> str:
    runbook = document.check.runbook
    step = None if runbook is None else next((s for s in runbook.steps if s.id == step_id), None)
    if runbook is None or step is None:
        return f"**step `{step_id}`**: no step has this id."
    plan = document.check.plan
    words = [f"**step `{step.id}`**" + (f": {step.title}" if step.title else "")]
    if plan is None:
        words.append("Not planned: the runbook cannot be planned until its errors are fixed.")
        return "\n\n".join(words)
    node = step.index
    if node not in plan.required.timings:
        words.append("Left out of the plan: it belongs to an alternative the plan does not follow.")
        return "\n\n".join(words)
    ids = [s.id for s in runbook.steps]
    needed = plan.required.preds[node]
    words.append(
        "Really needs first (required order): " + (", ".join(f"`{ids[n]}`" for n in needed) if needed else "nothing")
    )
    for name, schedule in (("required", plan.required), ("declared", plan.declared)):
        words.append(f"In the {name} order: {_timing_words(schedule, node)}")
    needless = dict(plan.false_waits).get(node, ())
    if needless:
        words.append("Waits needlessly for: " + ", ".join(f"`{ids[n]}`" for n in needless))
    return "\n\n".join(words)


def _timing_words(schedule: Schedule, node: int) -> str:
    timing = schedule.timings[node]
    if node in schedule.critical_path:
        critical = "on the critical path"
    elif timing.slack == 0:  # paths tie: the plan names one chain, and this step is on another
        critical = "on a critical path (no slack)"
    else:
        critical = "not on the critical path"
    return f"earliest start {minutes(timing.earliest_start)}, slack {minutes(timing.slack)}, {critical}."


def _same_name(document: DocumentVersion, use: NameUse) -> list[NameUse]:
    return [other for other in document.uses if other.kind is use.kind and other.name == use.name]


def definition(
    document: DocumentVersion, codec: PositionCodec, position: types.Position
) -> list[types.Location] | None:
    use = use_at(document.uses, *from_position(document, codec, position))
    if use is None:
        return None
    declared = [other for other in _same_name(document, use) if other.declares]
    return [types.Location(uri=document.uri, range=to_range(document, codec, d.span)) for d in declared] or None


def references(
    document: DocumentVersion, codec: PositionCodec, params: types.ReferenceParams
) -> list[types.Location] | None:
    use = use_at(document.uses, *from_position(document, codec, params.position))
    if use is None:
        return None
    return [
        types.Location(uri=document.uri, range=to_range(document, codec, document.name_span(other)))
        for other in _same_name(document, use)
        if params.context.include_declaration or not other.declares
    ]


def prepare_rename(
    document: DocumentVersion, codec: PositionCodec, position: types.Position
) -> types.Range | None:
    use = use_at(document.uses, *from_position(document, codec, position))
    return None if use is None else to_range(document, codec, document.name_span(use))


# The schema's definition of each kind of name.
_NAME_DEFINITIONS = {Kind.STEP: "stepId", Kind.ROLE: "roleName", Kind.RESOURCE: "resourceName", Kind.FACT: "factName"}


@cache
def _name_pattern(kind: Kind) -> re.Pattern[str] | None:
    """The pattern the schema gives names of this kind, if it gives one."""
    from ..schema import schema_text

    definition = json.loads(schema_text())["$defs"][_NAME_DEFINITIONS[kind]]
    pattern = definition.get("pattern")
    return None if pattern is None else re.compile(pattern)


class RenameRefused(ValueError):
    """A new name a rename cannot write (the message says why)."""


def rename(document: DocumentVersion, codec: PositionCodec, params: types.RenameParams) -> types.WorkspaceEdit | None:
    """Every place the name is written, in this file, renamed."""
    use = use_at(document.uses, *from_position(document, codec, params.position))
    if use is None:
        return None
    new_name = params.new_name
    if not new_name or not set(new_name) <= _RENAMEABLE or not isinstance(resolve_plain(new_name), str):
        raise RenameRefused(
            f"`{new_name}` cannot be a {use.kind.value} name written unquoted: use letters, digits and - _ . /"
            " (and no word YAML reads as a number, a boolean or null)"
        )
    pattern = _name_pattern(use.kind)
    if pattern is not None and pattern.search(new_name) is None:
        raise RenameRefused(f"`{new_name}` is not a {use.kind.value} name the schema accepts ({pattern.pattern})")
    if new_name != use.name and any(other.kind is use.kind and other.name == new_name for other in document.uses):
        raise RenameRefused(f"`{new_name}` is a {use.kind.value} of this runbook already: the two would become one")
    edits = [
        types.TextEdit(range=to_range(document, codec, document.name_span(other)), new_text=new_name)
        for other in _same_name(document, use)
    ]
    return types.WorkspaceEdit(changes={document.uri: edits})


def saved_words(plan: Plan) -> str:
    """What the required order saves, in the words of plan's text output."""
    from ..report.plan_text import _saved

    return _saved(plan, lambda text, **_: text)
