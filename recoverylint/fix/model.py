"""A fix's effect on the runbook model, and on the text once accepted.

Fixes that remove `needs` entries are judged on the model: the entries are
dropped from their steps (and their waits from the declared order) and the
rules run again, without reading the text anew.  The accepted ones are then
cut from the text at once, where each entry's span says it is, when the
layout is one this can follow; otherwise `edits.apply_edits` does it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..finding import Edit, MakeFlowParallel, RemoveNeed, RemoveNeeds
from ..model import DeclaredEdge, EdgeKind, Need, Runbook, Span, Step


@dataclass(frozen=True)
class Removal:
    """A runbook model less some `needs` entries, and those entries (their
    spans are in the text the model was read from)."""

    runbook: Runbook
    removed: tuple[Need, ...]


def removed_needs(runbook: Runbook, edits: Sequence[Edit]) -> Removal | None:
    """The model with `edits` applied in order, when each removes `needs`
    entries that exist and give no reason; None otherwise (the text decides)."""
    steps = {step.id: step for step in runbook.steps}
    if len(steps) != len(runbook.steps):
        return None
    removed: list[Need] = []
    for edit in edits:
        if isinstance(edit, RemoveNeed):
            step = steps.get(edit.step)
            if step is None:
                return None
            named = [need for need in step.needs if need.step == edit.need]
            if edit.occurrence >= len(named):
                return None
            gone = [named[edit.occurrence]]
        elif isinstance(edit, RemoveNeeds):
            step = steps.get(edit.step)
            if step is None:
                return None
            gone = []
            for name in edit.needs:
                named = [need for need in step.needs if need.step == name]
                if len(named) != 1:
                    return None
                gone += named
        else:
            return None
        if any(need.reason for need in gone):
            return None  # the author's word stays: edits.py refuses it, and says why
        steps[step.id] = replace(step, needs=tuple(need for need in step.needs if need not in gone))
        removed += gone
    spans = {need.span for need in removed}
    return Removal(
        replace(
            runbook,
            steps=tuple(steps[step.id] for step in runbook.steps),
            declared_edges=tuple(
                edge
                for edge in runbook.declared_edges
                if not (edge.kind is EdgeKind.NEEDS and edge.span in spans)
            ),
        ),
        tuple(removed),
    )


def restructured(runbook: Runbook, edit: MakeFlowParallel) -> Runbook | None:
    """The model of a checklist rewritten as `flow: parallel` with `edit`'s
    `needs`, as reading the rewritten text would give it but for the spans of
    new entries (each its own, on no line); None when the edit names a step
    the runbook does not have once, or it is not a plain checklist that
    `edits.apply_edits` rewrites (blocks, stages, a merge key: the native
    reader says so).  Only a count of the fixes that would apply uses it: `--fix`
    judges the rewritten text itself."""
    if not runbook.plain_checklist:
        return None
    by_id = {step.id: step for step in runbook.steps}
    wanted = dict(edit.needs)
    names = {name for needs in wanted.values() for name in needs} | set(wanted)
    if len(by_id) != len(runbook.steps) or len(wanted) != len(edit.needs) or not names <= set(by_id):
        return None
    steps: list[Step] = []
    edges: list[DeclaredEdge] = []
    for step in runbook.steps:
        written = {need.step: need for need in step.needs}
        needs: list[Need] = []
        for name in wanted.get(step.id, ()):
            need = written.get(name) or Need(name, Span(0, len(edges) + len(needs) + 1, 0, 0))
            needs.append(need)
        steps.append(replace(step, needs=tuple(needs)))
        edges += [DeclaredEdge(need.step, step.id, EdgeKind.NEEDS, need.span, need.reason) for need in needs]
    return replace(
        runbook, steps=tuple(steps), declared_edges=tuple(edges), declared_joins=(), plain_checklist=False
    )


def same_needs(a: Runbook, b: Runbook) -> bool:
    """Whether two models' steps are the same steps with the same `needs`
    (spans aside)."""
    return [_needs_of(step) for step in a.steps] == [_needs_of(step) for step in b.steps]


def _needs_of(step: Step) -> tuple[str, tuple[tuple[str, str | None], ...]]:
    return step.id, tuple((need.step, need.reason) for need in step.needs)


# Line breaks other than LF (YAML 1.1 readers such as ruamel count NEL and
# the Unicode separators too): edits.py handles those texts.
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")
# What may stand on a block list's line beside the entry cut: its dash and a comment.
_DASH = re.compile(r"[ ]*-[ ]+")
_AFTER = re.compile(r"[ ]*(#.*)?")
# A flow list on one line of plain or quoted names, as `[a, b]` or `[ 'a' ]`.
_NAME = r"""(?:[A-Za-z0-9_][A-Za-z0-9_.\-/]*|'[^'\n]*'|"[^"\\\n]*")"""
_FLOW = re.compile(rf"\[[ ]*{_NAME}(?:[ ]*,[ ]*{_NAME})*[ ]*\]")


def cut_needs(text: str, removal: Removal, steps: Sequence[Step]) -> str | None:
    """`text` less the removed entries, each as `edits.apply_edits` would
    remove it; None when the layout is not one handled here: a block list
    left empty, a flow list over several lines, an anchor or alias, line
    breaks other than LF."""
    if _OTHER_BREAKS.search(text) or text.startswith("\ufeff"):
        return None
    lines = text.split("\n")
    gone = {need.span for need in removal.removed}
    owners = [step for step in steps if any(need.span in gone for need in step.needs)]
    cut_lines: set[int] = set()
    rewritten: dict[int, str] = {}
    for step in owners:
        spans = [need.span for need in step.needs]
        if any(span.line != span.end_line for span in spans):
            return None
        kept = [span for span in spans if span not in gone]
        if len({span.line for span in spans}) == 1 and _flow_line(lines[spans[0].line - 1], spans):
            line = spans[0].line - 1
            rewritten[line] = _without_flow_entries(lines[line], spans, kept)
            continue
        if not kept:
            return None  # a block list left empty becomes `needs: []`: edits.py writes it
        for span in spans:
            if span in gone:
                content = lines[span.line - 1]
                if not (
                    _DASH.fullmatch(content[: span.column - 1])
                    and _AFTER.fullmatch(content[span.end_column - 1:])
                ):
                    return None
                cut_lines.add(span.line - 1)
    out = []
    for number, content in enumerate(lines):
        if number in cut_lines:
            continue
        out.append(rewritten.get(number, content))
    return "\n".join(out)


def _flow_line(content: str, spans: Sequence[Span]) -> bool:
    """Whether the entries at `spans` are the whole of a one-line flow list."""
    start = content.rfind("[", 0, spans[0].column - 1)
    end = content.find("]", spans[-1].end_column - 1)
    return start >= 0 and end >= 0 and bool(_FLOW.fullmatch(content[start:end + 1]))


def _without_flow_entries(content: str, spans: Sequence[Span], kept: Sequence[Span]) -> str:
    """The line with its flow list holding only the entries at `kept`,
    written `[a, b]` as ruamel writes it, and what follows the list (a
    comment) left in its column."""
    start = content.rfind("[", 0, spans[0].column - 1)
    end = content.find("]", spans[-1].end_column - 1)
    body = "[" + ", ".join(content[span.column - 1:span.end_column - 1] for span in kept) + "]"
    rest = content[end + 1:]
    if rest.strip():
        rest = " " * (end + 1 - start - len(body)) + rest
    return content[:start] + body + rest
