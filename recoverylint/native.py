"""The native recoverylint format: a schema-valid document into the model."""

from __future__ import annotations

from typing import Any

from .durations import duration_from, parse_duration, stated_default
from .limits import AnalysisLimits, TooLarge
from .model import (
    ClockUse,
    DeclaredEdge,
    DeclaredJoin,
    Duration,
    DurationBasis,
    EdgeKind,
    Need,
    Phase,
    Ref,
    Resource,
    Role,
    Runbook,
    Span,
    Stage,
    Step,
    unpack_span,
)
from .source import Document

# isinstance(value, str), without a Python frame per value when mapped.
_is_text = str.__instancecheck__


class _Builder:
    def __init__(self, document: Document, limits: AnalysisLimits) -> None:
        self.doc = document
        self.limits = limits
        self.steps: list[Step] = []
        self.items_seen: set[int] = set()  # ids of the step mappings read
        self.edges: list[DeclaredEdge] = []
        self.joins: list[DeclaredJoin] = []
        # A step's written `duration` -> its Duration: a runbook's steps write
        # a few values again and again.
        self.durations: dict[str | int | float, Duration | None] = {}

    def refs(self, mapping: dict[Any, Any], key: str) -> tuple[Ref, ...]:
        values = mapping.get(key)
        if values.__class__ is not list or not values:
            return ()
        # Spans stay packed in the model: most names are never shown.
        spans = self.doc.packed_item_spans(values)
        if all(map(_is_text, values)):  # as the schema has them
            return tuple(map(Ref, values, spans))
        return tuple(Ref(value, span) for value, span in zip(values, spans, strict=True) if isinstance(value, str))

    def ref(self, mapping: dict[Any, Any], key: str) -> Ref | None:
        value = mapping.get(key)
        if not isinstance(value, str):
            return None
        return Ref(value, self.doc.packed_value_span(mapping, key))

    def needs(self, entries: list[Any]) -> tuple[Need, ...]:
        spans = self.doc.packed_item_spans(entries)
        result = []
        for entry, span in zip(entries, spans, strict=True):
            if isinstance(entry, str):
                result.append(Need(entry, span))
            elif isinstance(entry, dict) and isinstance(entry.get("step"), str):
                reason = entry.get("reason")
                result.append(
                    Need(
                        entry["step"],
                        self.doc.packed_value_span(entry, "step"),
                        reason if isinstance(reason, str) and reason.strip() else None,
                    )
                )
        return tuple(result)

    def duration(self, written: Any) -> Duration | None:
        if written is None:
            return None
        # Ranges are read each time, and so are booleans: `true` is no
        # duration, but a key equal to 1 (and 1 and 1.0 are the same minutes).
        if written.__class__ not in (str, int, float):
            return duration_from(written, DurationBasis.GIVEN)
        if written not in self.durations:
            self.durations[written] = duration_from(written, DurationBasis.GIVEN)
        return self.durations[written]

    def step(self, item: dict[Any, Any], stage: str | None, extent: Span) -> Step:
        if len(self.steps) >= self.limits.max_steps:  # before the step is made
            raise TooLarge(f"over the limit of {self.limits.max_steps:,} steps", self.doc.value_span(item, "id"))
        get = item.get
        phase = get("phase")
        # A step written again through a YAML alias is the same mapping: its
        # id is pointed at where the alias is, not at the anchor again.
        repeated = id(item) in self.items_seen
        self.items_seen.add(id(item))
        needs = get("needs")
        title = get("title")
        # Only the names a step writes: most leave most of these keys out.
        names: dict[str, Any] = {key: self.refs(item, key) for key in _NAME_LISTS.intersection(item)}
        for key in _NAMES.intersection(item):
            names[key] = self.ref(item, key)
        if _BEHAVIOUR_KEYS.intersection(item):
            names.update(_behaviour(self.doc, item))
        step = Step(
            id=str(item["id"]),
            span=extent if repeated else self.doc.value_span(item, "id"),
            index=len(self.steps),
            title=title if isinstance(title, str) else None,
            phase=_PHASES.get(phase) if isinstance(phase, str) else None,
            phase_span=None if phase is None and "phase" not in item else self.doc.value_span(item, "phase"),
            duration=self.duration(get("duration")),
            needs=self.needs(needs) if needs.__class__ is list else (),
            pre_approved=get("pre_approved") is True,
            stage=stage,
            extent=extent,
            **names,
        )
        self.steps.append(step)
        if step.needs:
            step_id = step.id
            self.edges += [
                DeclaredEdge(need.step, step_id, EdgeKind.NEEDS, need.where, need.reason) for need in step.needs
            ]
        return step

    def flow(self, items: list[Any], sequential: bool, stage: str | None) -> tuple[list[Step], list[Step]]:
        """Add the steps of a list of flow items; return its entry and exit steps."""
        entries: list[Step] = []
        exits: list[Step] = []
        if not items:  # none written (`steps: []`), or the key left out
            return entries, exits
        for item, extent in zip(items, self.doc.packed_item_spans(items), strict=True):
            if not isinstance(item, dict):
                continue
            if "id" in item:
                step = self.step(item, stage, unpack_span(extent))
                item_entries, item_exits = [step], [step]
            elif isinstance(item.get("parallel"), list):
                item_entries, item_exits = self.flow(item["parallel"], False, stage)
            elif isinstance(item.get("sequence"), list):
                item_entries, item_exits = self.flow(item["sequence"], True, stage)
            else:
                continue
            if not item_entries:
                continue
            if not sequential:
                entries += item_entries
                exits += item_exits
                continue
            if exits:
                self.wait_all([source.id for source in exits], item_entries, EdgeKind.SEQUENCE)
            else:
                entries = item_entries
            exits = item_exits
        return entries, exits

    def wait_all(
        self, sources: list[str], targets: list[Step], kind: EdgeKind, stage: str | None = None
    ) -> None:
        """Every step of `targets` waits for every one of `sources`: one join
        when both are several (its pairs are counted against the limits when
        the graphs are built, before anything is made of them), else an edge
        per pair."""
        if len(sources) > 1 and len(targets) > 1:
            self.joins.append(DeclaredJoin(tuple(sources), tuple(t.id for t in targets), kind, stage))
            return
        edges = self.edges
        for target in targets:
            for source in sources:
                edges.append(DeclaredEdge(source, target.id, kind, target.span, None, stage))

    def stages(self, stages: list[Any]) -> tuple[Stage, ...]:
        result: list[Stage] = []
        previous_sinks: list[str] = []
        for item in stages:
            if not isinstance(item, dict):
                continue
            name = str(item.get("stage", f"stage-{len(result) + 1}"))
            flow = item.get("flow", "sequential")
            first_step, first_edge, first_join = len(self.steps), len(self.edges), len(self.joins)
            self.flow(item.get("steps") or [], flow == "sequential", name)
            stage = Stage(
                name=name,
                span=self.doc.value_span(item, "stage") if "stage" in item else self.doc.root_span,
                flow=flow,
                gate=item.get("gate", True) is not False,
                steps=tuple(step.id for step in self.steps[first_step:]),
            )
            # Edges inside the stage, to find its first and last steps.
            members = set(stage.steps)
            inner = [
                edge for edge in self.edges[first_edge:]
                if edge.source in members and edge.target in members
            ]
            has_predecessor = {edge.target for edge in inner}
            has_successor = {edge.source for edge in inner}
            for join in self.joins[first_join:]:  # boundaries between the stage's blocks
                has_predecessor.update(join.targets)
                has_successor.update(join.sources)
            if stage.gate and result:
                # Every step waits for every step of the stage before: linking
                # that stage's last steps to this one's first steps says so.
                firsts = [step for step in self.steps[first_step:] if step.id not in has_predecessor]
                self.wait_all(previous_sinks, firsts, EdgeKind.STAGE_GATE, name)
            result.append(stage)
            previous_sinks = [step_id for step_id in stage.steps if step_id not in has_successor]
        return tuple(result)


# Top-level settings whose place a finding about the whole runbook may point at.
_LOCATED_KEYS = (
    "runbook", "criticality", "regulated", "team", "team.size", "team.drilled",
    "tooling", "tooling.automation", "roles", "resources", "steps", "stages",
)


def _key_spans(document: Document) -> dict[str, Span]:
    found = {}
    for dotted in _LOCATED_KEYS:
        *parents, key = dotted.split(".")
        mapping = document.data
        for parent in parents:
            mapping = mapping.get(parent)
            if not isinstance(mapping, dict):
                break
        else:
            if key in mapping:
                found[dotted] = document.key_span(mapping, key)
    return found


def build_runbook(
    document: Document,
    path: str,
    limits: AnalysisLimits = AnalysisLimits(),
    default_duration: float | None = None,
) -> Runbook:
    """The model of a native runbook document that passed the schema;
    `default_duration` (minutes, a configured one) fills the durations of
    steps that give none when the runbook sets no default_duration."""
    data: dict[Any, Any] = document.data
    builder = _Builder(document, limits)
    stages: tuple[Stage, ...] = ()
    if isinstance(data.get("stages"), list):
        stages = builder.stages(data["stages"])
    else:
        builder.flow(data.get("steps") or [], data.get("flow", "sequential") != "parallel", None)

    roles = {}
    for name, role in (data.get("roles") or {}).items():
        role = role or {}
        roles[name] = Role(
            name=name,
            span=document.key_span(data["roles"], name),
            authority=frozenset(role.get("authority") or ()),
            people=int(role.get("people", 1)),
            approval=builder.ref(role, "approval"),
        )
    resources = None
    if isinstance(data.get("resources"), dict):
        resources = {}
        for name, resource in data["resources"].items():
            resource = resource or {}
            resources[name] = Resource(
                name=name,
                span=document.key_span(data["resources"], name),
                kind=resource.get("kind"),
                shared=resource.get("concurrency") == "shared",
                communication=resource.get("communication") is True,
            )
    team = data.get("team") or {}
    tooling = data.get("tooling") or {}
    return Runbook(
        id=str(data.get("runbook")),
        path=path,
        span=document.value_span(data, "runbook"),
        steps=tuple(builder.steps),
        declared_edges=tuple(builder.edges),
        declared_joins=tuple(builder.joins),
        title=data.get("title"),
        service=data.get("service"),
        criticality=data.get("criticality"),
        regulated=data.get("regulated") is True,
        team_size=team.get("size"),
        team_drilled=team.get("drilled") is True,
        automation=tooling.get("automation") is True,
        observability=tooling.get("observability") is True,
        cost_per_minute=_finite(data.get("cost_per_minute")),
        cost_currency=data.get("cost_currency"),
        sync_overhead=parse_duration(data.get("sync_overhead")) or 0.0,
        default_duration=stated_default(parse_duration(data.get("default_duration")), default_duration),
        given=builder.refs(data, "given"),
        roles=roles,
        resources=resources,
        stages=stages,
        key_spans=_key_spans(document),
        parents=_parents(document, data),
        plain_checklist=_plain_checklist(document),
    )


# The clock a bare `clock: start` / `clock: stop` uses.
DEFAULT_CLOCK = "clock"


# A step's keys that list names (Step fields of the same names), and those
# that give one name.
_NAME_LISTS = frozenset(("inputs", "outputs", "reads", "writes", "verifies", "excludes", "decides", "approves"))
_NAMES = frozenset(("role", "approval", "rollback"))

# The keys `_behaviour` reads: most steps have none of them.
_BEHAVIOUR_KEYS = frozenset(("guard", "when", "observes", "clock"))

_PHASES = {phase.value: phase for phase in Phase}


def _behaviour(document: Document, item: dict[Any, Any]) -> dict[str, Any]:
    """A step's `guard`, `observes`, `clock` and `when` as Step fields."""
    found: dict[str, Any] = {"guard": item.get("guard") is True}
    if isinstance(item.get("when"), str):
        found["condition"] = Ref(item["when"], document.packed_value_span(item, "when"))
    scopes = item.get("observes")
    if isinstance(scopes, list):
        found["observes"] = tuple(
            Ref(scope, span)
            for scope, span in zip(scopes, document.packed_item_spans(scopes), strict=True)
            if isinstance(scope, str)
        )
    clock = item.get("clock")
    if clock in ("start", "stop"):
        found["clocks"] = (ClockUse(DEFAULT_CLOCK, clock == "start", document.value_span(item, "clock")),)
    elif isinstance(clock, dict):
        found["clocks"] = tuple(
            ClockUse(clock[key], key == "start", document.value_span(clock, key))
            for key in ("start", "stop")
            if isinstance(clock.get(key), str)
        )
    return found


def _parents(document: Document, data: dict[Any, Any]) -> dict[str, Ref]:
    """Declared resource -> the `parent` it names."""
    declared = data.get("resources")
    if not isinstance(declared, dict):
        return {}
    return {
        name: Ref(resource["parent"], document.value_span(resource, "parent"))
        for name, resource in declared.items()
        if isinstance(resource, dict) and isinstance(resource.get("parent"), str)
    }


def _plain_checklist(document: Document) -> bool:
    data = document.data
    steps = data.get("steps")
    return (
        isinstance(steps, list)
        and "stages" not in data
        and data.get("flow", "sequential") == "sequential"
        and all(isinstance(item, dict) and "id" in item for item in steps)
        # The editor refuses a merge key only in the top-level mapping or in a step.
        and id(data) not in document.merged_into
        and not any(id(item) in document.merged_into for item in steps)
    )


def _finite(value: float | None) -> float | None:
    """A number, or None for `.nan` (which the schema's bounds cannot catch)."""
    return None if value is None or value != value else value
