"""`plan --format json`: the whole plan as one JSON document."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..model import Duration
from ..plan import Plan, Schedule
from ..words import checklist_question, checklist_source, checklist_value, minutes_number
from .plan_words import currency, step_ids
from .shown import json_safe

if TYPE_CHECKING:
    from ..simulate import OrderOutcome, Simulation

# The steps a step waits for needlessly, listed up to this many (the count
# says how many): two parallel blocks of thousands make millions of pairs.
_LISTED = 10


# Items of a long array encoded at once, and the least text written in one
# piece: the document of 50,000 steps is never held whole, neither as records
# nor as the encoder's tokens nor as one string.
_CHUNK = 200
_PIECE = 1 << 20


@dataclass(frozen=True)
class _Records:
    """An array of the document whose items are made as it is written."""

    items: Iterable[Any]
    # Every item a mapping, most of them non-empty and of strings, numbers,
    # booleans and nulls: the C encoder writes a chunk of those (json.dumps
    # with an indent is pure Python), the general one any other chunk.
    flat: bool = False


def _schedule(plan: Plan, schedule: Schedule) -> dict[str, Any]:
    waves = schedule.waves
    return {
        "makespan_minutes": minutes_number(schedule.length),
        "staffed_makespan_minutes": minutes_number(schedule.staffed_makespan),
        "critical_path": step_ids(plan, schedule.critical_path),
        "joins": schedule.joins,
        "sync_overhead_minutes": minutes_number(schedule.sync_minutes),
        "waves": _Records(step_ids(plan, wave.steps) for wave in waves),
        "wave_starts": _Records(minutes_number(wave.start) for wave in waves),
        "wave_people": _Records({role or "(no role)": count for role, count in wave.people} for wave in waves),
    }


def _duration(duration: Duration | None) -> dict[Any, Any]:
    """A step's minutes: likely, least and most (null when unknown), and what they rest on."""
    if duration is None:
        return {"duration": None, "duration_min": None, "duration_max": None, "duration_basis": None}
    return {
        "duration": minutes_number(duration.likely),
        "duration_min": minutes_number(duration.minimum),
        "duration_max": minutes_number(duration.maximum),
        "duration_basis": duration.basis.value,
    }


def _outcome(outcome: OrderOutcome) -> dict[str, Any]:
    return {
        "p50_minutes": minutes_number(outcome.p50),
        "p90_minutes": minutes_number(outcome.p90),
        "mean_minutes": minutes_number(outcome.mean),
        "deterministic_minutes": minutes_number(outcome.deterministic),
        "mean_durations_minutes": minutes_number(outcome.at_mean_durations),
        "merge_bias_minutes": minutes_number(outcome.merge_bias),
    }


def _simulation(plan: Plan, simulation: Simulation) -> dict[str, Any]:
    steps = plan.runbook.steps
    return {
        "runs": simulation.runs,
        "seed": simulation.seed,
        "declared": _outcome(simulation.declared),
        "required": _outcome(simulation.required),
        "saved_p50_minutes": minutes_number(simulation.saved_p50),
        "saved_p90_minutes": minutes_number(simulation.saved_p90),
        "saved_mean_minutes": minutes_number(simulation.saved_mean),
        "criticality": _Records(
            (
                {"id": steps[node].id, "declared": declared, "required": required}
                for node, declared, required in zip(
                    simulation.steps, simulation.declared.criticality, simulation.required.criticality, strict=True
                )
            ),
            flat=True,
        ),
        "varying_durations": step_ids(plan, simulation.varying_steps),
        "unknown_durations": step_ids(plan, simulation.unknown_steps),
    }


def render(plan: Plan, simulation: Simulation | None = None) -> str:
    return "".join(pieces(plan, simulation))


def pieces(plan: Plan, simulation: Simulation | None = None) -> list[str]:
    """The text of `render` in pieces of about a megabyte: what json.dumps
    writes of the whole document (indented by 2, escaped by json_safe),
    written a chunk of records at a time."""
    written: list[str] = []
    pending: list[str] = []
    size = 0
    for piece in _pieces(_document(plan, simulation), ""):
        pending.append(piece)
        size += len(piece)
        if size >= _PIECE:
            written.append(json_safe("".join(pending)))
            pending, size = [], 0
    pending.append("\n")
    written.append(json_safe("".join(pending)))
    return written


def _pieces(value: Any, indent: str) -> Iterator[str]:
    """`value` as json.dumps(value, indent=2) writes it at this indentation:
    a mapping holding records key by key, records a chunk at a time, any
    other value whole."""
    if isinstance(value, _Records):
        opening = "["
        items = iter(value.items)
        while chunk := list(islice(items, _CHUNK)):
            # "[\n  item,\n  item\n]" without its brackets: chunks joined by
            # "," are the items of one array.
            flat = value.flat and _scalar_records(chunk)
            yield opening + (_flat_items(chunk, indent) if flat else _dumps(chunk, indent)[1 : -len(indent) - 2])
            opening = ","
        yield "[]" if opening == "[" else f"\n{indent}]"
    elif isinstance(value, dict) and any(isinstance(item, _Records | dict) for item in value.values()):
        inner = indent + "  "
        separator = "{\n"
        for key, item in value.items():
            yield f"{separator}{inner}{json.dumps(key, ensure_ascii=False)}: "
            yield from _pieces(item, inner)
            separator = ",\n"
        yield f"\n{indent}}}"
    else:
        yield _dumps(value, indent)


def _dumps(value: Any, indent: str) -> str:
    """json.dumps(value, indent=2) at this indentation (a string holds no
    raw line break: every one is indentation)."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + indent) if indent else text


# The types of a flat record's fields (any other, a subclass too, takes the
# general encoder, which writes every value right).
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _scalar_records(records: list[dict[str, Any]]) -> bool:
    """Whether every record is a non-empty mapping of scalars: what
    `_flat_items` writes as indent=2 does (it would write a list or a
    mapping inside a record on one line, and an empty record open)."""
    return all(records) and _SCALARS.issuperset(map(type, chain.from_iterable(map(dict.values, records))))


def _flat_items(records: list[dict[str, Any]], indent: str) -> str:
    """What `_dumps` writes of these flat records inside their array (at
    `indent`), brackets left out, written by the C encoder: each record's
    entries parted by the line break and indentation `indent=2` gives them,
    then the line breaks around each record's braces put in (a string holds
    no raw LF, so `},LF` only ever parts two records)."""
    item, key = indent + "  ", indent + "    "
    text = json.JSONEncoder(ensure_ascii=False, separators=(",\n" + key, ": ")).encode(records)
    body = text[2:-2].replace(f"}},\n{key}{{", f"\n{item}}},\n{item}{{\n{key}")
    return f"\n{item}{{\n{key}{body}\n{item}}}"


def _document(plan: Plan, simulation: Simulation | None) -> dict[str, Any]:
    runbook = plan.runbook
    steps = runbook.steps
    required = plan.required.timings
    declared = plan.declared.timings
    checklist = plan.checklist
    document: dict[str, Any] = {
        "version": __version__,
        "runbook": runbook.id,
        "path": runbook.path,
        "title": runbook.title,
        "sequential_minutes": minutes_number(plan.sequential),
        "declared": _schedule(plan, plan.declared),
        "required": _schedule(plan, plan.required),
        "saved_minutes": minutes_number(plan.saved_minutes),
        "saved_cost": None if plan.saved_cost is None else minutes_number(float(plan.saved_cost)),
        # Likely durations give saved_minutes; with every step at its longest
        # the saving may differ: the range holds both.  saved_unknown: the
        # saving changes with the length of a step that has no duration.
        "saved_minutes_range": [minutes_number(value) for value in plan.saved_range],
        "saved_unknown": plan.saving_unknown,
        "unknown_durations": step_ids(plan, plan.unknown_steps),
        "defaulted_durations": _Records(
            {
                "id": steps[node].id,
                "basis": duration.basis.value,
                "kind": duration.kind,
            }
            for node in plan.defaulted_steps
            for duration in (runbook.duration_of(steps[node]),)
            if duration is not None
        ),
        "cost_per_minute": runbook.cost_per_minute,
        "cost_currency": currency(plan),
        "checklist": None if checklist is None else {
            "answers": [
                {
                    "question": checklist_question(answer),
                    "value": checklist_value(answer),
                    "favours_parallel": answer.favours_parallel,
                    "source": checklist_source(answer),
                }
                for answer in checklist.answers
            ],
            "score": checklist.score,
            "mode": checklist.mode,
        },
        "steps": _Records(
            (
                {
                    "id": steps[node].id,
                    "role": role.name if (role := steps[node].role) else None,
                    **_duration(runbook.duration_of(steps[node])),
                    "earliest_start": minutes_number(required[node].earliest_start),
                    "latest_start": minutes_number(required[node].latest_start),
                    "slack": minutes_number(required[node].slack),
                    "wave": required[node].wave + 1,
                    "start": minutes_number(required[node].start),
                    "declared_start": minutes_number(declared[node].start),
                }
                for node in plan.planned
            ),
            flat=True,
        ),
        "false_gates": _Records(
            {
                "step": steps[node].id,
                "waits_for": step_ids(plan, sources[:_LISTED]),
                "waits_for_count": len(sources),
            }
            for node, sources in plan.false_waits
        ),
        "races": _Records(
            (
                {"first": steps[race.first].id, "second": steps[race.second].id, "resource": race.resource}
                for race in plan.races
            ),
            flat=True,
        ),
        "left_out": _Records(
            (
                {
                    "id": steps[item.node].id,
                    "decided_by": steps[item.decider].id,
                    "followed": steps[item.followed].id,
                }
                for item in plan.left_out
            ),
            flat=True,
        ),
        "cycle_steps": step_ids(plan, plan.cycle_steps),
        "loss_cause": plan.loss_cause,
    }
    if simulation is not None:  # only with --simulate: the plan's document is otherwise unchanged
        document["simulation"] = _simulation(plan, simulation)
    return document
