"""`plan --format text`: the summary, the critical path, the waves and a
terminal Gantt chart of both schedules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..plan import Plan, Schedule, cost_of
from ..words import checklist_question, checklist_source, minutes
from .plan_words import (
    currency,
    duration_notes,
    duration_words,
    loss_words,
    money,
    saved_range_words,
    step_ids,
)
from .shown import shown

if TYPE_CHECKING:
    from ..simulate import Simulation

_BAR_COLUMNS = 60
_LABEL_WIDTH = 28
_TICKS = (1, 2, 5, 10, 15, 20, 30, 60, 120, 240)  # minutes between axis labels


# Lines joined into one piece of the output: the chart of a big plan is
# written in pieces, never held as one string (and again with its last LF).
_LINES = 10_000


def render(plan: Plan, colour: bool, simulation: Simulation | None = None) -> str:
    return "".join(pieces(plan, colour, simulation))


def pieces(plan: Plan, colour: bool, simulation: Simulation | None = None) -> list[str]:
    """The text of `render` in pieces of lines, each ending with its LF."""
    import click

    def style(text: str, **kwargs: Any) -> str:
        return click.style(text, **kwargs) if colour else text

    out: list[str] = []
    out.extend(_summary(plan, style))
    out.append("")
    if simulation is not None:
        out.extend(_simulation(plan, simulation, style))
        out.append("")
    out.extend(_critical_path(plan, style))
    out.append("")
    out.extend(_waves(plan, style))
    out.append("")
    out.extend(_gantt(plan, style))
    return ["\n".join(out[start : start + _LINES]) + "\n" for start in range(0, len(out), _LINES)]


Style = Callable[..., str]


def _summary(plan: Plan, style: Style) -> list[str]:
    runbook = plan.runbook
    steps = runbook.steps
    title = f" — {shown(runbook.title)}" if runbook.title else ""
    declared, required = plan.declared, plan.required
    rows = [
        ("critical path", minutes(declared.length), minutes(required.length)),
        ("staffed schedule", minutes(declared.staffed_makespan), minutes(required.staffed_makespan)),
        (
            "joins (sync overhead)",
            f"{declared.joins} ({minutes(declared.sync_minutes)})",
            f"{required.joins} ({minutes(required.sync_minutes)})",
        ),
    ]
    out = [
        style(f"Plan of {runbook.id}{title}", bold=True) + f" ({shown(runbook.path)})",
        "",
        *_table([("", "declared", "required"), ("fully sequential", minutes(plan.sequential)), *rows]),
    ]
    out.append("")
    out.append("  " + _saved(plan, style))
    out.extend(f"  {shown(note)}" for note in duration_notes(plan))
    staffing = _staffing(plan)
    out.append(f"  Staffed with {staffing}.")
    if plan.left_out:
        followed: dict[tuple[int, int], list[str]] = {}
        for item in plan.left_out:
            followed.setdefault((item.decider, item.followed), []).append(steps[item.node].id)
        for (decider, chosen), left in followed.items():
            out.append(
                f"  Left out: {_shortened(left)} (the worst case: `{shown(steps[decider].id)}`"
                f" is taken to choose `{shown(steps[chosen].id)}`)."
            )
    if plan.races:
        out.append(
            f"  Races the plan runs one after the other ({len(plan.races)}): "
            + _shortened(
                f"{steps[race.first].id} then {steps[race.second].id} ({race.resource})"
                for race in plan.races
            )
            + "."
        )
    if plan.cycle_steps:
        out.append(
            "  On a cycle of the required order (kept in the declared order): "
            + _shortened(step_ids(plan, plan.cycle_steps))
            + "."
        )
    checklist = plan.checklist
    if checklist is None:
        return out
    out.append("")
    out.append(
        f"Decision checklist: {checklist.score} of {len(checklist.answers)} favour parallel"
        f" recovery → {style(checklist.mode, bold=True)}"
    )
    for answer in checklist.answers:
        mark = style("✓", fg="green") if answer.favours_parallel else style("✗", fg="red")
        out.append(f"  {mark} {checklist_question(answer):<30} {checklist_source(answer)}")
    return out


def _simulation(plan: Plan, simulation: Simulation, style: Style) -> list[str]:
    from . import plan_simulation

    out = [
        style(plan_simulation.heading(simulation) + ":", bold=True),
        "",
        *_table([("", "declared", "required", "saved"), *plan_simulation.figure_rows(simulation)]),
        "",
    ]
    out.extend(f"  {shown(note)}" for note in plan_simulation.notes(plan, simulation))
    listed, more = plan_simulation.most_critical(simulation)
    out.append("")
    out.append(style("Criticality index (share of runs in which a step is on the critical path):", bold=True))
    if not listed:  # no planned step: no path to be on
        out.append("  none")
        return out
    out.extend(_table([
        ("", "declared", "required"),
        *(
            (shown(plan.runbook.steps[node].id), plan_simulation.share(declared), plan_simulation.share(required))
            for node, declared, required in listed
        ),
    ]))
    if more:
        out.append(f"  and {more} more {'step' if more == 1 else 'steps'} on it in some run")
    return out


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    """A name column, then right-aligned values: every column at least as
    wide as it is for everyday numbers, wider for the widest cell, so that
    two spaces always part one column from the next."""
    name_width = max(24, *(len(row[0]) + 2 for row in rows))
    columns = max(len(row) for row in rows) - 1
    widths = [max(14, *(len(row[column]) + 2 for row in rows if len(row) > column)) for column in range(1, columns + 1)]
    return [
        "  "
        + f"{row[0]:<{name_width}}"
        + "".join(f"{cell:>{width}}" for cell, width in zip(row[1:], widths, strict=False))
        for row in rows
    ]


def _saved(plan: Plan, style: Style) -> str:
    saved = plan.saved_minutes
    cost = plan.runbook.cost_per_minute
    unit = currency(plan)
    if plan.saving_unknown:
        return style(
            f"Saved: unknown: it depends on steps with no duration ({minutes(saved)} with them as 0 min).",
            fg="yellow",
            bold=True,
        )
    between = saved_range_words(plan)
    if between is not None:
        low, high = plan.saved_range
        money_words = (
            f" ({money(cost_of(low, cost), unit)} to {money(cost_of(high, cost), unit)}"
            f" at {money(cost_of(1, cost), unit)} per minute)"
            if cost is not None
            else ""
        )
        return style(f"Saved: {between} per incident{money_words}.", fg="green", bold=True)
    if saved > 0:
        money_words = (
            f" ({money(cost_of(saved, cost), unit)} at {money(cost_of(1, cost), unit)} per minute)"
            if cost is not None
            else ""
        )
        return style(f"Saved: {minutes(saved)} per incident{money_words}.", fg="green", bold=True)
    if saved == 0:
        return "Saved: nothing: the declared order is as fast as the work allows with these people."
    return style(
        f"Saved: none. The required order takes {minutes(-saved)} longer: {loss_words(plan)}.",
        fg="yellow",
        bold=True,
    )


def _staffing(plan: Plan) -> str:
    runbook = plan.runbook
    team = f"team.size {runbook.team_size}" if runbook.team_size else "no team.size (no limit)"
    roles = ", ".join(f"{shown(role.name)} {role.people}" for role in runbook.roles.values())
    return f"{team}; people per role: {roles}" if roles else team


def _shortened(items: Iterable[str], limit: int = 8) -> str:
    """The first `limit` of these ids (or texts naming them), shown, and how many more."""
    items = list(items)
    listed = ", ".join(shown(item) for item in items[:limit])
    return listed + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _critical_path(plan: Plan, style: Style) -> list[str]:
    runbook = plan.runbook
    out = []
    for name, schedule in (("declared", plan.declared), ("required", plan.required)):
        chain = " → ".join(
            f"{shown(runbook.steps[node].id)} ({duration_words(runbook.duration_of(runbook.steps[node]))})"
            for node in schedule.critical_path
        )
        out.append(style(f"Critical path of the {name} order ({minutes(schedule.length)}):", bold=True))
        out.append(f"  {chain or '(no steps)'}")
    return out


def _waves(plan: Plan, style: Style) -> list[str]:
    out = [style("Waves of the required order (steps the staffed schedule starts together):", bold=True)]
    if not plan.required.waves:
        out.append("  (no steps)")
    for number, wave in enumerate(plan.required.waves, 1):
        people = ", ".join(f"{shown(role) or '(no role)'} {count}" for role, count in wave.people)
        out.append(
            f"  {number:>3}  at {minutes(wave.start):>9}  {', '.join(map(shown, step_ids(plan, wave.steps)))}"
            f"  [{people}]"
        )
    return out


def _gantt(plan: Plan, style: Style) -> list[str]:
    horizon = max(plan.declared.staffed_makespan, plan.required.staffed_makespan)
    # A round number of minutes every ten columns, the chart at most 60 wide.
    tick = next(
        (step for step in _TICKS if step * _BAR_COLUMNS / 10 >= horizon),
        -(-horizon // 1440) * 240,
    )
    scale = tick / 10
    out = [
        style("Staffed schedules", bold=True)
        + f" (one column is {minutes(scale)}; critical steps in red):",
        " " * (_LABEL_WIDTH + 4) + _axis(scale),
    ]
    for name, schedule in (("declared order", plan.declared), ("required order", plan.required)):
        out.append(f"  {name} ({minutes(schedule.staffed_makespan)})")
        out.extend(_bars(plan, schedule, scale, style))
    return out


def _axis(scale: float) -> str:
    """`0       15      30`: a tick label every ten columns, but where the
    label before reaches it (huge numbers): labels never run together."""
    line = ""
    for column in range(0, _BAR_COLUMNS + 1, 10):
        if line and len(line) >= column:
            continue
        line = line.ljust(column) + f"{round(column * scale, 1):,.1f}".removesuffix(".0")
    return line


def _bars(plan: Plan, schedule: Schedule, scale: float, style: Style) -> list[str]:
    steps = plan.runbook.steps
    critical = set(schedule.critical_path)
    rows = []
    for node in sorted(schedule.timings, key=lambda n: (schedule.timings[n].start, n)):
        timing = schedule.timings[node]
        label = shown(steps[node].id)
        if len(label) > _LABEL_WIDTH:
            label = label[: _LABEL_WIDTH - 1] + "…"
        begin = round(timing.start / scale)
        end = max(begin + 1, round(timing.finish / scale))
        bar = ("█" * (end - begin)) if timing.finish > timing.start else "▏"
        coloured = style(bar, fg="red" if node in critical else "cyan")
        rows.append(f"    {label:<{_LABEL_WIDTH}}" + " " * begin + coloured)
    return rows
