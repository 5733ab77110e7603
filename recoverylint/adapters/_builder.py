"""What every adapter needs to build a model: steps drafted and completed in
any order, declared waits, references that name nothing, and loops."""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..durations import stated_default
from ..finding import Issue
from ..limits import AnalysisLimits, TooLarge
from ..model import ClockUse, DeclaredEdge, Duration, EdgeKind, Need, Ref, Runbook, Span, Stage, Step
from ..source import Document
from ..words import closest
from . import Adapted


@dataclass
class StepDraft:
    """A step while its adapter is still finding out what it does."""

    id: str
    span: Span
    title: str | None = None
    extent: Span | None = None
    duration: Duration | None = None  # the format's default for its kind; None: unknown
    stage: str | None = None
    needs: list[Need] = field(default_factory=list)
    inputs: list[Ref] = field(default_factory=list)
    outputs: list[Ref] = field(default_factory=list)
    reads: list[Ref] = field(default_factory=list)
    writes: list[Ref] = field(default_factory=list)
    excludes: list[Ref] = field(default_factory=list)
    decides: list[Ref] = field(default_factory=list)
    approves: list[Ref] = field(default_factory=list)
    guard: bool = False
    observes: list[Ref] = field(default_factory=list)
    clocks: list[ClockUse] = field(default_factory=list)
    condition: Ref | None = None
    on_failure: list[Ref] = field(default_factory=list)
    outputs_when_skipped: list[Ref] = field(default_factory=list)


class RunbookBuilder:
    def __init__(
        self,
        document: Document,
        path: str,
        format_name: str,
        default_duration: float | None,
        wait_key: str | None = "needs",
        limits: AnalysisLimits = AnalysisLimits(),
    ) -> None:
        self.document = document
        self.path = path
        self.format_name = format_name
        self.wait_key = wait_key
        self.default_duration = default_duration
        self.limits = limits
        self.drafts: list[StepDraft] = []
        self.by_id: dict[str, StepDraft] = {}  # the first step of each id
        self.edges: list[DeclaredEdge] = []
        self.stages: list[Stage] = []
        self.given: list[Ref] = []  # facts known before any step runs (workflow inputs)
        # Where a run starts, for formats that jump: the search for jumps back
        # starts there (then at every other step, in file order).
        self.entries: list[str] = []
        self.problems: list[tuple[str, Issue]] = []
        self.parents: dict[str, Ref] = {}  # resource name -> the resource it belongs to

    def step(self, step_id: str, span: Span, **fields: Any) -> StepDraft:
        """Add a step (in file order); duplicate ids are kept for RL101 to report."""
        if len(self.drafts) >= self.limits.max_steps:
            raise TooLarge(f"over {self.limits.max_steps:,} steps")
        draft = StepDraft(step_id, span, **fields)
        self.drafts.append(draft)
        self.by_id.setdefault(step_id, draft)
        return draft

    def wait(
        self, source: str, target: str, span: Span, kind: EdgeKind = EdgeKind.SEQUENCE
    ) -> None:
        """`target` waits for `source`, as the format declares it at `span`.  A
        NEEDS wait is written at the waiting step (as `needs`, `runAfter`...),
        so it is also one of that step's needs."""
        if kind is EdgeKind.NEEDS and target in self.by_id:
            self.by_id[target].needs.append(Need(source, span))
        self.edges.append(DeclaredEdge(source, target, kind, span))

    def require(self, source: str, target: str, span: Span, reason: str) -> None:
        """The work requires `source` before `target` for a reason the format
        implies (not through facts or resources): an edge of D."""
        if target in self.by_id:
            self.by_id[target].needs.append(Need(source, span, reason))

    def unknown(self, name: str, span: Span, what: str) -> None:
        """A step name written in the document that names no step (RL102)."""
        known = [draft.id for draft in self.drafts]
        hint = closest(name, known)
        self.problems.append(
            (
                "RL102",
                Issue(
                    span,
                    f"{what} `{name}` refers to no step",
                    suggestion=f"did you mean `{hint}`?" if hint else None,
                ),
            )
        )

    def build(
        self,
        runbook_id: str,
        span: Span,
        title: str | None = None,
        loops: bool = False,
    ) -> Adapted:
        """The model.  Declared waits on unknown steps are reported (those
        written as needs are RL102's own); with `loops`, waits that go back to
        an earlier step of a path (a retry, in formats that jump) are left out
        of the declared order, which must be acyclic."""
        for edge in self.edges:
            if edge.kind is EdgeKind.NEEDS:
                continue
            for name in (edge.source, edge.target):
                if name not in self.by_id:
                    self.unknown(name, edge.span, "the step")
        edges = self.forward_edges() if loops else self.edges
        steps = tuple(
            Step(
                id=draft.id,
                span=draft.span,
                index=index,
                title=draft.title,
                duration=draft.duration,
                needs=tuple(draft.needs),
                inputs=tuple(draft.inputs),
                outputs=tuple(draft.outputs),
                reads=tuple(draft.reads),
                writes=tuple(draft.writes),
                excludes=tuple(draft.excludes),
                decides=tuple(draft.decides),
                approves=tuple(draft.approves),
                guard=draft.guard,
                observes=tuple(draft.observes),
                clocks=tuple(draft.clocks),
                condition=draft.condition,
                on_failure=tuple(draft.on_failure),
                outputs_when_skipped=tuple(draft.outputs_when_skipped),
                stage=draft.stage,
                extent=draft.extent,
            )
            for index, draft in enumerate(self.drafts)
        )
        runbook = Runbook(
            id=runbook_id,
            path=self.path,
            span=span,
            steps=steps,
            declared_edges=tuple(edges),
            title=title,
            default_duration=stated_default(None, self.default_duration),
            stages=tuple(self.stages),
            given=tuple(self.given),
            format=self.format_name,
            wait_key=self.wait_key,
            parents=dict(self.parents),
        )
        return Adapted(runbook, tuple(self.problems))

    def forward_edges(self) -> list[DeclaredEdge]:
        """The declared waits but those that jump back: the edges of a
        depth-first search from the entries, then from each step in file
        order, minus those that go back to a step on the search's current path."""
        return _without_back_edges(self.edges, self.entries + [draft.id for draft in self.drafts])


def _without_back_edges(edges: list[DeclaredEdge], ids: list[str]) -> list[DeclaredEdge]:
    successors: dict[str, list[DeclaredEdge]] = {}
    for edge in edges:
        successors.setdefault(edge.source, []).append(edge)
    back: set[int] = set()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in ids:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(successors.get(root, ())))]
        while stack:
            node, pending = stack[-1]
            out = next(pending, None)
            if out is None:
                state[node] = 2
                stack.pop()
                continue
            seen = state.get(out.target)
            if seen == 1:
                back.add(id(out))
            elif seen is None:
                state[out.target] = 1
                stack.append((out.target, iter(successors.get(out.target, ()))))
    return [edge for edge in edges if id(edge) not in back]


def strings_in(node: Any, leaving_out: Container[str] = ()) -> Iterator[tuple[str, Any, Any]]:
    """Every string value under `node` (not keys), in document order, with its
    container and key or index, so that its span can be found; none under the
    keys of `node` itself that `leaving_out` names."""
    top = _entries(node)
    if leaving_out and isinstance(node, dict):
        top = (entry for entry in top if entry[1] not in leaving_out)
    stack = [top]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        container, key, value = entry
        if isinstance(value, str):
            yield value, container, key
        elif isinstance(value, (dict, list)):
            stack.append(_entries(value))


def _entries(container: Any) -> Iterator[tuple[Any, Any, Any]]:
    if isinstance(container, dict):
        return ((container, key, value) for key, value in container.items())
    if isinstance(container, list):
        return ((container, index, value) for index, value in enumerate(container))
    return iter(())


def mapping_at(container: dict[Any, Any], key: str) -> dict[Any, Any]:
    """The mapping under `key`, or an empty one when it is missing or no mapping."""
    value = container.get(key)
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str | None:
    """A scalar as the format's engine would read it as a name, or None."""
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


@dataclass(frozen=True)
class Delimited:
    """An expression written between delimiters: which pair of `delimited`'s
    `pairs` holds it, where it starts and ends (delimiters included), and
    its text inside them, which starts at `inner_start`."""

    pair: int
    start: int
    end: int
    inner: str
    inner_start: int


def delimited(written: str, pairs: tuple[tuple[str, str], ...]) -> Iterator[Delimited]:
    """The expressions of `written`, as `re.finditer` of `open1(.*?)close1|
    open2(.*?)close2...` (DOTALL) finds them, in linear time: such a regex
    scans to the end of the string for every opening delimiter left
    unclosed, which a hostile file repeats (`{{{{{{...`)."""
    position = 0
    opens = [-2] * len(pairs)  # the next opening of each pair at or after `position`
    closes = [(-1, -2)] * len(pairs)  # each pair's last search: (from, found)
    while True:
        best = None
        for index, (opening, _) in enumerate(pairs):
            if opens[index] == -1:
                continue  # no more openings of this pair
            if opens[index] < position:
                opens[index] = written.find(opening, position)
                if opens[index] == -1:
                    continue
            if best is None or opens[index] < opens[best]:
                best = index
        if best is None:
            return
        opening, closing = pairs[best]
        start = opens[best]
        inner_start = start + len(opening)
        searched_from, found = closes[best]
        if found == -1 or searched_from > inner_start or found < inner_start:
            found = written.find(closing, inner_start)
            closes[best] = (inner_start, found)
        if found == -1:
            # No closing after this opening, nor after any later one of the pair.
            opens[best] = -1
            continue
        end = found + len(closing)
        yield Delimited(best, start, end, written[inner_start:found], inner_start)
        position = end
