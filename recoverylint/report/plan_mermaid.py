"""`plan --format mermaid` and `mermaid-gantt`: the required order as a Mermaid
flowchart, and both staffed schedules as a Mermaid Gantt chart.

Both are plain Mermaid 11, which GitHub renders in Markdown.  Every piece of
runbook text is written with Mermaid's entity codes (`#35;` for `#`) wherever
a character could be read as syntax, and nodes are named `s<index>`, never by
step id, so that no title or id can break out of its label.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from itertools import pairwise

from ..model import Step
from ..plan import Plan, Schedule
from ..words import minutes
from . import CannotRender
from .plan_words import duration_words, saved_range_words
from .shown import shown

# Characters Mermaid would read as syntax in a label or a Gantt line (or as
# HTML or an entity inside a label); written as `#<code point>;`, which Mermaid
# turns back into the character after parsing.
_SYNTAX = frozenset('"#%&():;<>[]`{|}')

_CRITICAL_STYLE = "stroke:#d62728,stroke-width:3px"
_RACE_STYLE = "stroke:#ff7f0e,stroke-width:2px"

# What Mermaid 11's Gantt lexer reads as a statement (or, for a date, as task
# data) at the start of a task line that begins with a step id: a task name
# starting so has its first character written as an entity code.
GANTT_STATEMENT = re.compile(
    r"(?:accDescr|accDescription|accTitle|axisFormat|call|click|dateFormat|excludes|gantt"
    r"|includes|inclusiveEndDates|section|tickInterval|title|todayMarker|topAxis)\b"
    r"|\d{4}-\d\d-\d\d",
    re.IGNORECASE,
)
# Minute 0 of a Gantt chart.  Mermaid reads these dates in the viewer's time
# zone and writes the axis in it too, so the axis reads minutes from 00:00
# wherever the chart is shown (no time zone changes clocks on 1 January).
_MINUTE_ZERO = datetime(2000, 1, 1)
DATE_FORMAT = "YYYY-MM-DD HH:mm:ss.SSS"  # dayjs, for Mermaid; gantt_date writes it
LONGEST_MINUTES = 1000 * 365 * 24 * 60  # minutes: a thousand years, well within a date's range


def flowchart(plan: Plan) -> str:
    """The required order D as a `flowchart LR`: one node per planned step, an
    arrow per immediate predecessor, each race as a dotted link named by its
    resource, the critical path in bold red."""
    steps = plan.runbook.steps
    required = plan.required
    arrows = [(pred, node) for node in plan.planned for pred in required.preds[node]]
    lines = ["flowchart LR"]
    lines.extend(f'  s{node}["{_node_label(plan, steps[node])}"]' for node in plan.planned)
    lines.extend(f"  s{pred} --> s{node}" for pred, node in arrows)
    lines.extend(
        f'  s{race.first} -. "{mermaid_text(race.resource)}" .- s{race.second}' for race in plan.races
    )
    critical = required.critical_path
    if critical:
        lines.append(f"  classDef critical {_CRITICAL_STYLE}")
        lines.append("  class " + ",".join(f"s{node}" for node in critical) + " critical")
    # linkStyle numbers links in the order they are written: arrows, then races.
    on_critical_path = set(pairwise(critical))
    critical_links = [index for index, arrow in enumerate(arrows) if arrow in on_critical_path]
    race_links = range(len(arrows), len(arrows) + len(plan.races))
    for links, style in ((critical_links, _CRITICAL_STYLE), (race_links, _RACE_STYLE)):
        if links:
            lines.append(f"  linkStyle {','.join(map(str, links))} {style}")
    return "\n".join(lines) + "\n"


def gantt(plan: Plan) -> str:
    """Both staffed schedules as a `gantt`, one section each, the axis in
    minutes from 00:00: critical-path steps marked `crit`, zero-minute steps
    drawn as milestones."""
    runbook = plan.runbook
    horizon = max(plan.declared.staffed_makespan, plan.required.staffed_makespan)
    if horizon > LONGEST_MINUTES:
        raise CannotRender(
            f"the schedule is {minutes(horizon)} long: a Mermaid Gantt chart of it would"
            " reach past the years a date can hold (use --format text, json or html)"
        )
    lines = [
        "gantt",
        f"  title {mermaid_text(_one_line(f'{runbook.title or runbook.id} — {_saving(plan)}'))}",
        f"  dateFormat {DATE_FORMAT}",
        "  axisFormat %H:%M",
        "  todayMarker off",
    ]
    for name, schedule in (("Declared order", plan.declared), ("Required order", plan.required)):
        lines.append(f"  section {name}")
        lines.extend(_gantt_tasks(plan, schedule))
    return "\n".join(lines) + "\n"


def _gantt_tasks(plan: Plan, schedule: Schedule) -> list[str]:
    """One task per scheduled step, in the order the steps start."""
    steps = plan.runbook.steps
    critical = set(schedule.critical_path)
    timings = schedule.timings
    tasks = []
    for node in sorted(timings, key=lambda node: (timings[node].start, node)):
        timing = timings[node]
        tags = []
        if node in critical:
            tags.append("crit")
        if timing.finish == timing.start:
            tags.append("milestone")
        fields = ", ".join([*tags, gantt_date(timing.start), gantt_date(timing.finish)])
        tasks.append(f"  {_gantt_task_name(steps[node])}:{fields}")
    return tasks


def _gantt_task_name(step: Step) -> str:
    return gantt_task_name(_one_line(f"{step.id} — {step.title}" if step.title else step.id))


def gantt_task_name(text: str) -> str:
    """`text` as the name of a Gantt task: escaped for Mermaid, and its first
    character written as an entity when the line would read as a statement
    or a date."""
    name = mermaid_text(text)
    if GANTT_STATEMENT.match(name):
        return f"#{ord(name[0])};{name[1:]}"
    return name


def _node_label(plan: Plan, step: Step) -> str:
    """Step id, title and duration, one to a line (title lines kept).  Lines
    are joined by newlines, not `<br>`: a label with HTML in it is sanitised
    before Mermaid looks for icons, which turns `#58;` back into a colon and
    `fa:fa-car` in a title into an icon."""
    lines = [
        step.id,
        *(step.title.splitlines() if step.title else ()),
        duration_words(plan.runbook.duration_of(step)),
    ]
    return "\n".join(mermaid_text(line) for line in lines)


def _saving(plan: Plan) -> str:
    saved = plan.saved_minutes
    if plan.saving_unknown:
        return "what the required order saves is unknown (steps with no duration)"
    between = saved_range_words(plan)
    if between is not None:
        return f"the required order saves {between}"
    if saved > 0:
        return f"the required order saves {minutes(saved)}"
    if saved == 0:
        return "the required order saves nothing"
    return f"the required order takes {minutes(-saved)} longer"


def gantt_date(minute: float) -> str:
    """`minute` of the chart in DATE_FORMAT."""
    moment = _MINUTE_ZERO + timedelta(minutes=minute)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


def mermaid_text(text: str) -> str:
    return "".join(f"#{ord(char)};" if char in _SYNTAX else char for char in shown(text))
