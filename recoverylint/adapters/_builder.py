"""What every adapter needs to build a model: steps drafted and completed in
any order, declared waits, references that name nothing, and loops."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..durations import stated_default
from ..finding import Issue
from ..graphs import strong_components
from ..graphs.bits import bit_positions
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

    def require_once(self, source: str, target: str, span: Span, reason: str) -> None:
        """`require`, unless the work already requires `source` before
        `target` for a reason (the first reason stays; a `needs` entry the
        format writes has none: it is a wait, not yet a requirement)."""
        draft = self.by_id.get(target)
        if draft is not None and all(need.step != source or need.reason is None for need in draft.needs):
            self.require(source, target, span, reason)

    def require_around(self, around: dict[str, tuple[str | None, str | None]]) -> None:
        """The waits required by steps that order those around them (one of
        unknown effect, a wait, a condition...), through any number of steps
        between (`around`: step id -> why the steps after it wait for it, and
        why it waits for the steps before it; None: they need not).
        A step after one with the first reason may use anything that one
        did: it requires the nearest such steps before it in the declared
        order (jumps back left out), each requiring those before it in turn.
        A step with the second reason may use anything the steps before it
        did: it requires each of them back to the nearest step with the
        first.  A wait already required keeps the reason it has (require_once)."""
        barriers = {step for step, (out_reason, _) in around.items() if out_reason is not None}
        listeners = {step for step, (_, in_reason) in around.items() if in_reason is not None}
        if not barriers and not listeners:
            return
        after = Descendants(forward_successors(self), self.limits)
        before = Descendants(forward_predecessors(self), self.limits)
        after_stops, before_stops = after.mask(barriers), before.mask(barriers)
        required: list[tuple[str, str, str]] = []  # a wait into a step is said in its own words first
        for step in listeners:
            in_reason = around[step][1]
            assert in_reason is not None
            required.extend((earlier, step, in_reason) for earlier in before.nearest(step, before_stops, last=True))
        for step in barriers:
            out_reason = around[step][0]
            assert out_reason is not None
            required.extend((step, waiting, out_reason) for waiting in after.nearest(step, after_stops, last=False))
        for source, target, reason in required:
            if target in self.by_id:
                self.require_once(source, target, self.by_id[target].span, reason)

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


def forward_successors(builder: RunbookBuilder) -> dict[str, set[str]]:
    """The declared order so far as the builder keeps it, without the jumps
    back: step id -> the ids waiting for it."""
    later: dict[str, set[str]] = {}
    for edge in builder.forward_edges():
        later.setdefault(edge.source, set()).add(edge.target)
    return later


def forward_predecessors(builder: RunbookBuilder) -> dict[str, set[str]]:
    """The declared order so far, without the jumps back, reversed: step id
    -> the ids it waits for."""
    earlier: dict[str, set[str]] = {}
    for edge in builder.forward_edges():
        earlier.setdefault(edge.target, set()).add(edge.source)
    return earlier


class Descendants:
    """What each node of a graph (which may have cycles) reaches through one
    edge or more, as bitsets of node numbers: computed once, through its
    strongly connected components, so that asking for every node is not a
    search of the whole graph each (thousands of Orquesta tasks with a score
    of guarded transitions each took minutes)."""

    def __init__(self, successors: dict[str, set[str]], limits: AnalysisLimits = AnalysisLimits()) -> None:
        names = list(dict.fromkeys([*successors, *(t for targets in successors.values() for t in targets)]))
        self.names = names
        self.number = {name: number for number, name in enumerate(names)}
        self.adjacency = [[self.number[t] for t in successors.get(name, ())] for name in names]
        component, count = strong_components(self.adjacency)
        members = [0] * count
        by_component: list[list[int]] = [[] for _ in range(count)]
        for node, found in enumerate(component):
            members[found] |= 1 << node
            by_component[found].append(node)
        # Tarjan's algorithm numbers a component after every one it reaches.
        below = [0] * count
        for found in range(count):
            mask = 0
            for node in by_component[found]:
                for succ in self.adjacency[node]:
                    other = component[succ]
                    mask |= members[found] if other == found else below[other] | members[other]
            below[found] = mask
        self._below = [below[found] for found in component]  # node -> what it reaches
        self._budget = limits.max_edges

    def has(self, mask: int, name: str) -> bool:
        number = self.number.get(name)
        return number is not None and bool(mask >> number & 1)

    def reached_from(self, starts: Iterable[str]) -> int:
        mask = 0
        for start in starts:
            number = self.number.get(start)
            if number is not None:
                mask |= self._below[number]
        return mask

    def mask(self, names: Iterable[str]) -> int:
        """The bitset of `names` (those of no node left out)."""
        found = 0
        for name in names:
            number = self.number.get(name)
            if number is not None:
                found |= 1 << number
        return found

    def nearest(self, start: str, stop_mask: int, last: bool) -> list[str]:
        """What `start` reaches, but for what it reaches through one of the
        stops (`stop_mask`: the stops it reaches first are in).  Stops are
        taken in the order the graph names them, from the last when `last`
        (a chain named in order is then one step each)."""
        number = self.number.get(start)
        if number is None:
            return []
        reached = self._below[number]
        beyond = 0  # what the stops taken reach
        pending = reached & stop_mask
        while pending:
            chosen = pending.bit_length() - 1 if last else (pending & -pending).bit_length() - 1
            beyond |= self._below[chosen]
            pending &= ~beyond & ~(1 << chosen)
        return [self.names[node] for node in bit_positions(reached & ~beyond)]

    def reached_avoiding(self, start: str, avoiding: str) -> int:
        """What `start` reaches through one edge or more, not passing through
        `avoiding`: a search only among the nodes that reach `avoiding` (past
        the others, all they reach is reached), its edges counted against
        the edge limit."""
        number, avoid = self.number.get(start), self.number.get(avoiding)
        if number is None:
            return 0
        if avoid is None or not self._below[number] >> avoid & 1:
            return self._below[number]
        found = 0
        seen = {number}
        pending = [number]
        while pending:
            successors = self.adjacency[pending.pop()]
            self._budget -= len(successors)
            if self._budget < 0:
                raise TooLarge("the paths between its tasks' guarded transitions are too many to follow")
            for succ in successors:
                if succ == avoid:
                    continue
                found |= 1 << succ
                if not self._below[succ] >> avoid & 1:
                    found |= self._below[succ]
                elif succ not in seen:
                    seen.add(succ)
                    pending.append(succ)
        return found


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


def placeholders(written: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """Each expression of `written` between one of the delimiter `pairs` as
    a `<placeholder>`, which the shell mapping keeps as written in resource
    names (in linear time: an unclosed opening is left as it is)."""
    parts: list[str] = []
    position = 0
    for found in delimited(written, pairs):
        # one word (bashlex splits a placeholder at its spaces), the same wherever it is written
        inner = "_".join(re.sub(r"[^A-Za-z0-9_ .:/-]", "", found.inner).split()) or "value"
        parts += [written[position : found.start], f"<{inner}>"]
        position = found.end
    return "".join(parts) + written[position:]


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
