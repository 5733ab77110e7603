"""A runbook model read from another format, written as a native runbook.

The native file declares the same order (every wait of the original becomes
a `needs` entry, under `flow: parallel`), the same facts, resources and
alternatives, so that it checks and plans as the original did; a team then
adds what the original format could not say (roles, phases, durations,
verifications, rollbacks).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import RoundTripEmitter, ScalarAnalysis

from .model import Duration, Runbook, Step
from .report.shown import shown

_NOT_IN_ID = re.compile(r"[^A-Za-z0-9._-]+")
_NOT_IN_SLUG = re.compile(r"[^a-z0-9._-]+")
_NOT_IN_RESOURCE = re.compile(r"\s+")
_SLASHES = re.compile(r"/+")
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


# Bidirectional marks, embeddings, overrides and isolates: YAML counts them
# printable and ruamel writes them as they are, where they reorder what a
# terminal or an editor shows (report.shown escapes them in every output).
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class _Emitter(RoundTripEmitter):
    """ruamel's emitter, but a scalar with a bidirectional control in it is
    double-quoted with that control escaped (`\\u202E`): the data is the same."""

    def analyze_scalar(self, scalar: str) -> ScalarAnalysis:
        analysis: ScalarAnalysis = super().analyze_scalar(scalar)
        if _BIDI.search(scalar):
            analysis.allow_flow_plain = analysis.allow_block_plain = False
            analysis.allow_single_quoted = analysis.allow_block = False
        return analysis

    def write_double_quoted(self, text: str, split: bool = True) -> None:
        if not _BIDI.search(text):
            return super().write_double_quoted(text, split)
        allow_unicode = self.allow_unicode
        self.allow_unicode = False  # escapes what is not ASCII in this scalar only
        try:
            super().write_double_quoted(text, split)
        finally:
            self.allow_unicode = allow_unicode


def to_native(runbook: Runbook, source_title: str) -> str:
    """The native runbook YAML equivalent to `runbook`, read from a file of
    the format titled `source_title`."""
    ids = _step_ids(runbook.steps)
    document = CommentedMap()
    document["runbook"] = _slug(runbook.id)
    document["title"] = runbook.title or f"{runbook.id} (converted from {source_title})"
    document["flow"] = "parallel"
    if runbook.given:
        document["given"] = _flow(dict.fromkeys(ref.name for ref in runbook.given))
    if runbook.parents:
        document["resources"] = _resources(runbook)
    waits = _waits(runbook, ids)
    renamed: dict[str, str] = {}
    for step in runbook.steps:
        renamed.setdefault(step.id, ids[step.index])
    steps = CommentedSeq()
    for step in runbook.steps:
        steps.append(_step(step, ids, renamed, waits.get(step.index, {})))
    document["steps"] = steps
    # The file name is the one text from outside the document that is not a
    # value ruamel quotes: on one line, escaped, it cannot end the comment.
    document.yaml_set_start_comment(
        f"Converted by recoverylint from {shown(runbook.path)} ({source_title}).\n"
        "Each step keeps its original name as its title.  Add what the original could\n"
        "not say: roles, phases, durations, verifications and rollbacks."
    )
    yaml = YAML(typ="rt")
    yaml.Emitter = _Emitter
    yaml.width = 4096  # one entry per line, however long
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def _step(
    step: Step, ids: dict[int, str], renamed: dict[str, str], waits: dict[int, str | None]
) -> CommentedMap:
    entry = CommentedMap()
    entry["id"] = ids[step.index]
    title = step.id if step.title is None else f"{step.id}: {step.title}"
    entry["title"] = title
    if step.phase is not None:  # a format whose headings give phases (Markdown)
        entry["phase"] = step.phase.value
    if step.duration is not None:  # a format's default for the kind of step, or measured
        entry["duration"] = _duration(step.duration)
    if waits:
        needs = CommentedSeq()
        for source, reason in waits.items():
            needs.append(ids[source] if reason is None else CommentedMap(step=ids[source], reason=reason))
        if all(reason is None and _PLAIN.fullmatch(ids[source]) for source, reason in waits.items()):
            needs.fa.set_flow_style()
        entry["needs"] = needs
    for key, refs, name in (
        ("inputs", step.inputs, str),
        ("outputs", step.outputs, str),
        ("reads", step.reads, _resource),
        ("writes", step.writes, _resource),
    ):
        if refs:
            entry[key] = _flow(dict.fromkeys(name(ref.name) for ref in refs))
    for key, refs in (("decides", step.decides), ("excludes", step.excludes), ("approves", step.approves)):
        named = [renamed.get(ref.name, ref.name) for ref in refs]
        if named:
            entry[key] = _flow(dict.fromkeys(named))
    _behaviour(entry, step)
    return entry


def _behaviour(entry: CommentedMap, step: Step) -> None:
    """What the step does beyond facts and resources (a native step starts
    and stops at most one clock each)."""
    if step.guard:
        entry["guard"] = True
    if step.observes:
        entry["observes"] = _flow(dict.fromkeys(_resource(ref.name) for ref in step.observes))
    clock = CommentedMap()
    for use in step.clocks:
        clock.setdefault("start" if use.start else "stop", use.name)
    if clock:
        clock.fa.set_flow_style()
        entry["clock"] = clock
    if step.condition is not None:
        entry["when"] = step.condition.name


def _waits(runbook: Runbook, ids: dict[int, str]) -> dict[int, dict[int, str | None]]:
    """Step -> the steps it waits for (in the order written), each with the
    reason the work requires it when there is one."""
    index = {step.id: step.index for step in runbook.steps}
    waits: dict[int, dict[int, str | None]] = {}
    for edge in runbook.declared_edges:
        if edge.source in index and edge.target in index:  # a self-wait stays: a deadlock either way
            waits.setdefault(index[edge.target], {}).setdefault(index[edge.source], None)
    for step in runbook.steps:
        for need in step.needs:
            if need.reason and need.step in index and need.step != step.id:
                waits.setdefault(step.index, {})[index[need.step]] = need.reason
    return waits


def _step_ids(steps: tuple[Step, ...]) -> dict[int, str]:
    """A native step id for each step: its own when valid, else made valid,
    and unique."""
    taken: set[str] = set()
    ids = {}
    for step in steps:
        base = _NOT_IN_ID.sub("-", step.id).strip("-._") or "step"
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}-{number}", number + 1
        taken.add(candidate)
        ids[step.index] = candidate
    return ids


def _slug(name: str) -> str:
    return _NOT_IN_SLUG.sub("-", name.lower()).strip("-._") or "converted"


def _resources(runbook: Runbook) -> CommentedMap:
    """Every resource the steps use, and the parents the original gives
    (native `parent` holds only among declared resources, and then every
    name used must be declared)."""
    parents = {_resource(name): _resource(parent.name) for name, parent in runbook.parents.items()}
    used = [_resource(ref.name) for step in runbook.steps for ref in step.reads + step.writes]
    declared = CommentedMap()
    for name in dict.fromkeys([*used, *parents, *parents.values()]):
        entry = CommentedMap()
        if name in parents and parents[name] != name:
            entry["parent"] = parents[name]
        entry.fa.set_flow_style()
        declared[name] = entry
    return declared


def _resource(name: str) -> str:
    return _SLASHES.sub("/", _NOT_IN_RESOURCE.sub("", name)).strip("/") or "resource"


def _duration(duration: Duration) -> str | CommentedMap:
    """One duration (`5m`), or the range {min, likely, max}."""
    if duration.exact:
        return _minutes(duration.likely)
    written = CommentedMap(
        min=_minutes(duration.minimum), likely=_minutes(duration.likely), max=_minutes(duration.maximum)
    )
    written.fa.set_flow_style()
    return written


def _minutes(minutes: float) -> str:
    seconds = round(minutes * 60)
    if seconds % 60:
        return f"{seconds}s"
    return f"{seconds // 60}m"


def _flow(items: Iterable[str]) -> CommentedSeq:
    """A list on one line when every item is a plain word (other scalars in a
    flow list are where YAML parsers disagree, `a:b` for one)."""
    seq = CommentedSeq(items)
    if all(_PLAIN.fullmatch(item) for item in seq):
        seq.fa.set_flow_style()
    return seq
