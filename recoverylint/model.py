"""The format-agnostic runbook model.

The native loader and every future format adapter produce these objects;
rules and analysis read nothing else.  Positions are 1-based, and an end
column points just past the last character (as SARIF's endColumn does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True, slots=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int


# A span in editor lines and columns (0-based, exclusive end), packed into one
# int: line, column, end line, end column.  The YAML reader records every
# value's so, and one int takes a fifth of the memory of a tuple of four.  A
# column fills its bits only on a line of 16 MB: the reader refuses longer lines.
RawSpan = int
COLUMN_BITS, LINE_BITS = 24, 32
_COLUMN_MASK, _LINE_MASK = (1 << COLUMN_BITS) - 1, (1 << LINE_BITS) - 1
_START_SHIFT = COLUMN_BITS + LINE_BITS


def pack_span(line: int, column: int, end_line: int, end_column: int) -> RawSpan:
    """A span packed from 0-based positions."""
    return (((line << COLUMN_BITS | column) << LINE_BITS | end_line) << COLUMN_BITS) | end_column


def span_start(raw: RawSpan) -> tuple[int, int]:
    """1-based line and column where a packed span starts."""
    start = raw >> _START_SHIFT
    return (start >> COLUMN_BITS) + 1, (start & _COLUMN_MASK) + 1


def unpack_span(raw: RawSpan) -> Span:
    start = raw >> _START_SHIFT
    line, column = (start >> COLUMN_BITS) + 1, (start & _COLUMN_MASK) + 1
    end_line = (raw >> COLUMN_BITS & _LINE_MASK) + 1
    # Most values end on the line they start on: the spans then share one
    # int for both lines.
    return Span(line, column, line if end_line == line else end_line, (raw & _COLUMN_MASK) + 1)


class _Located:
    """A model value whose span is its `where`: a Span, or a RawSpan as the
    YAML reader packed it.  A large runbook has hundreds of thousands of
    names (most never shown in a finding): each is made a Span only when read,
    which halves the cost of building the model.  Equal values are equal
    whichever way their spans are held."""

    __slots__ = ()
    where: Span | RawSpan

    @property
    def span(self) -> Span:
        where = self.where
        return unpack_span(where) if isinstance(where, int) else where

    def _compared(self) -> tuple[object, ...]:
        fields: tuple[str, ...] = self.__slots__
        return tuple(self.span if name == "where" else getattr(self, name) for name in fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        return hash(self._compared())


@dataclass(frozen=True, slots=True, eq=False)
class Ref(_Located):
    """A name written somewhere in the runbook, and where (`span`)."""

    name: str
    where: Span | RawSpan


@dataclass(frozen=True, slots=True, eq=False)
class Need(_Located):
    """A `needs` entry: start only after `step` ends; a reason marks the gate intended."""

    step: str
    where: Span | RawSpan
    reason: str | None = None


class DurationBasis(str, Enum):
    """Where a step's minutes come from: what a report may claim rests on it."""

    GIVEN = "given"  # written in the runbook for this step
    MEASURED = "measured"  # a durations file a team keeps
    DEFAULT = "default"  # the format's documented default for this kind of step
    RUNBOOK_DEFAULT = "runbook-default"  # the default_duration its author chose
    CONFIGURED = "configured"  # the default_duration a configuration file states


@dataclass(frozen=True, slots=True)
class Duration:
    """Minutes a step takes: the likely value and the range it may fall in."""

    likely: float
    minimum: float
    maximum: float
    basis: DurationBasis
    # For a format's default: the kind of step it is the default of
    # ("an `aws:sleep` step"), for words saying what minutes rest on.
    kind: str | None = None

    @property
    def exact(self) -> bool:
        return self.minimum == self.maximum


# The format a Runbook read from a recoverylint runbook file says it came from.
NATIVE = "native"


class Phase(str, Enum):
    DETECT = "detect"
    TRIAGE = "triage"
    DIAGNOSE = "diagnose"
    REMEDIATE = "remediate"
    VERIFY = "verify"
    COMMUNICATE = "communicate"
    CLOSE = "close"


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    span: Span
    authority: frozenset[str] = frozenset()
    people: int = 1
    approval: Ref | None = None


@dataclass(frozen=True, slots=True)
class Resource:
    name: str
    span: Span
    kind: str | None = None
    shared: bool = False  # `concurrency: shared`: concurrent use is safe
    # `communication: true`: a status page, channel or ticket; writing it is
    # communicating (needs `communicate`), not a change.
    communication: bool = False


@dataclass(frozen=True, slots=True)
class ClockUse:
    """A step reading the time into a named clock: `start` records when the
    work began, a stop computes how long it took since the start (a stopwatch)."""

    name: str
    start: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    span: Span  # the id value
    index: int  # position in file order
    title: str | None = None
    role: Ref | None = None
    phase: Phase | None = None
    phase_span: Span | None = None
    duration: Duration | None = None  # None: unknown, unless the runbook's default fills it
    needs: tuple[Need, ...] = ()
    inputs: tuple[Ref, ...] = ()
    outputs: tuple[Ref, ...] = ()
    reads: tuple[Ref, ...] = ()
    writes: tuple[Ref, ...] = ()
    approval: Ref | None = None
    pre_approved: bool = False
    verifies: tuple[Ref, ...] = ()
    excludes: tuple[Ref, ...] = ()
    decides: tuple[Ref, ...] = ()
    approves: tuple[Ref, ...] = ()
    rollback: Ref | None = None
    stage: str | None = None
    extent: Span | None = None  # the whole step, from its first key to its last value
    # What the step does beyond facts and resources (requirements.py turns
    # these into edges of D):
    guard: bool = False  # its failure stops the run: every later change needs it
    observes: tuple[Ref, ...] = ()  # scopes it reads whole: a resource name, or `*`
    clocks: tuple[ClockUse, ...] = ()  # clocks it starts or stops
    # The step runs only when this holds (its text; None: whenever the steps
    # it waits for have run); steps waiting for it run even when it is skipped.
    condition: Ref | None = None
    # The steps the run jumps to when it fails (or is cancelled): on that
    # path nothing after it in the declared order has run (RL307).
    on_failure: tuple[Ref, ...] = ()
    # Outputs it has even when it is skipped (an engine's record of how it
    # ended): no path misses them.
    outputs_when_skipped: tuple[Ref, ...] = ()

    @property
    def is_change(self) -> bool:
        return bool(self.writes)

    @property
    def is_verification(self) -> bool:
        return bool(self.verifies) or self.phase is Phase.VERIFY


class EdgeKind(str, Enum):
    """Why the runbook makes one step wait for another."""

    SEQUENCE = "sequence"  # consecutive items of a sequential flow or block
    STAGE_GATE = "stage-gate"  # every step of a stage waits for the stage before
    NEEDS = "needs"  # an explicit `needs` entry


@dataclass(frozen=True, slots=True, eq=False)
class DeclaredEdge(_Located):
    source: str
    target: str
    kind: EdgeKind
    where: Span | RawSpan  # the `needs` entry, or the target step's id
    reason: str | None = None
    stage: str | None = None  # for a stage gate: the later stage


@dataclass(frozen=True, slots=True)
class DeclaredJoin:
    """Every step of `targets` waits for every step of `sources`, each pair
    as a DeclaredEdge of `kind` at the target's id would say: a boundary
    between blocks or stages, kept whole (two blocks of thousands of steps
    would otherwise be millions of edges)."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    kind: EdgeKind
    stage: str | None = None  # for a stage gate: the later stage


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    span: Span
    flow: str = "sequential"
    gate: bool = True
    steps: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Runbook:
    """One runbook, whatever format it was written in."""

    id: str
    path: str
    span: Span
    steps: tuple[Step, ...]
    declared_edges: tuple[DeclaredEdge, ...]
    # Boundaries where every step after waits for every step before (native
    # blocks and stage gates): declared waits as well as `declared_edges`.
    declared_joins: tuple[DeclaredJoin, ...] = ()
    title: str | None = None
    service: str | None = None
    criticality: str | None = None
    regulated: bool = False
    team_size: int | None = None
    team_drilled: bool = False
    automation: bool = False
    observability: bool = False
    cost_per_minute: float | None = None
    cost_currency: str | None = None  # ISO 4217 code; None: the configuration's
    sync_overhead: float = 0.0
    # Fills the durations of steps that give none: the runbook's own
    # `default_duration`, else a configured one; None: such steps are unknown.
    default_duration: Duration | None = None
    given: tuple[Ref, ...] = ()
    roles: Mapping[str, Role] = field(default_factory=dict)
    resources: Mapping[str, Resource] | None = None  # None: not declared
    # Resource name -> the resource it belongs to (an instance to its cluster,
    # an object to its bucket): a use of one overlaps uses of the other.
    parents: Mapping[str, Ref] = field(default_factory=dict)
    stages: tuple[Stage, ...] = ()
    # Where top-level settings are written, by dotted key ("team.size",
    # "criticality"...): findings about the runbook as a whole point there.
    key_spans: Mapping[str, Span] = field(default_factory=dict)
    format: str = NATIVE  # the input format it was read from
    # The format's word for what a step waits for (`needs`, `runAfter`...),
    # for suggestions; None when the format orders steps by place or jumps.
    wait_key: str | None = "needs"
    # The format's own words for what other suggestions ask, by what they ask
    # (`decides`, `verifies`, `rollback`, `diagnose_first`, `unused_output`):
    # templates filled with the step ids (`{step}`, `{first}`, `{second}`),
    # resources (`{written}`) and facts (`{output}`); a rule's native wording
    # where a format gives none.
    wording: Mapping[str, str] = field(default_factory=dict)
    # A native checklist as the restructure as `flow: parallel` rewrites it:
    # top-level `steps` of steps only (no `parallel:` or `sequence:` block),
    # a sequential flow, no stages, and no merge key (`<<`) anywhere.
    plain_checklist: bool = False

    def duration_of(self, step: Step) -> Duration | None:
        """The step's duration; None when nothing gives it (unknown)."""
        return self.default_duration if step.duration is None else step.duration
