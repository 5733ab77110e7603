"""`plan --format html`: one self-contained, static HTML5 page.

The summary, the decision checklist, an SVG timeline of both staffed
schedules, an SVG graph of the required order, the steps and the findings.
No script, no external resource: a Content-Security-Policy meta tag forbids
both, and every piece of runbook text is escaped, so that the page is safe
even without that policy.
"""

from __future__ import annotations

import html
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .. import __version__
from ..finding import Finding
from ..model import Step
from ..plan import Plan, Schedule, cost_of
from ..words import checklist_question, checklist_source, checklist_value, minutes
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

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_LISTED = 12  # pairs of steps named in the summary; the graph shows them all
_QUOTED = re.compile(r"`([^`]+)`")  # names quoted in findings, shown as code

# Timeline geometry, in SVG user units (CSS pixels).
_CHAR_WIDTH = 7.3  # of the 12px monospace labels
_LABEL_CHARS = 32  # longer step ids are cut short in labels (tooltips keep them whole)
_PLOT_WIDTH = 760
_ROW_HEIGHT = 18
_BAR_HEIGHT = 12
_MIN_BAR_WIDTH = 2.0  # zero-minute steps still show
_AXIS_HEIGHT = 22
_SECTION_GAP = 20
_MAX_TICKS = 12

# Graph geometry.
_NODE_HEIGHT = 28
_NODE_GAP = 18
_LAYER_GAP = 54
_GRAPH_MARGIN = 16
_ROW_NODES = 10  # a wider layer wraps onto several rows

_STYLE = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328;
  background: #fff; margin: 0 auto; max-width: 1200px; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .4rem; }
code { font: 12.5px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.meta { color: #59636e; margin: 0; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.number { text-align: right; white-space: nowrap; }
tr.critical td:first-child { font-weight: 600; }
tr.left-out td { color: #59636e; font-style: italic; }
.saved { font-weight: 600; }
.saved.gain { color: #1a7f37; }
.saved.loss { color: #9a6700; }
.yes { color: #1a7f37; font-weight: 600; }
.no { color: #cf222e; font-weight: 600; }
.severity-error { color: #cf222e; font-weight: 600; }
.severity-warning { color: #9a6700; font-weight: 600; }
.severity-info { color: #0969da; }
.legend { color: #59636e; margin: .25rem 0; }
.swatch { display: inline-block; width: .9em; height: .9em; vertical-align: -.1em; border-radius: 2px; }
.swatch.plain { background: #6e8fb5; }
.swatch.critical { background: #d1242f; }
.swatch.race { border: 2px dashed #bc4c00; width: .7em; height: .7em; }
.figure { overflow: auto; border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem; }
svg text { font: 12px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; fill: #1f2328; }
svg .section-title { font: 600 13px system-ui, sans-serif; }
svg .tick { stroke: #d8dee4; }
svg .tick-label { fill: #59636e; font-size: 11px; }
svg .row:nth-child(even) .stripe { fill: #f6f8fa; }
svg .stripe { fill: transparent; }
svg .bar { fill: #6e8fb5; }
svg .bar.critical { fill: #d1242f; }
svg .edge { fill: none; stroke: #8c959f; stroke-width: 1.3; }
svg .edge.critical { stroke: #d1242f; stroke-width: 2.2; }
svg .race { fill: none; stroke: #bc4c00; stroke-width: 2; stroke-dasharray: 6 4; }
svg rect.node { fill: #eef3fa; stroke: #6e8fb5; stroke-width: 1.3; }
svg rect.node.critical { fill: #ffebe9; stroke: #d1242f; stroke-width: 2.2; }
svg .node-label { text-anchor: middle; dominant-baseline: central; }
#arrow path { fill: #8c959f; }
#arrow-critical path { fill: #d1242f; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .figure { overflow: visible; border: none; padding: 0; }
  h2 { break-after: avoid; }
  tr, svg .row { break-inside: avoid; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""


def render(plan: Plan, findings: list[Finding], simulation: Simulation | None = None) -> str:
    """The plan of one runbook, and its `check` findings, as an HTML page
    (with `plan --simulate`'s figures when given)."""
    runbook = plan.runbook
    name = runbook.title or runbook.id
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>Recovery plan: {_text(name)}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            "<body>",
            _header(plan),
            "<main>",
            _summary(plan),
            "" if simulation is None else _simulation(plan, simulation),
            _checklist(plan),
            _timeline(plan),
            _graph(plan),
            _steps_table(plan),
            _findings_table(findings),
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _text(value: object) -> str:
    """Runbook text (or any value) made safe for HTML content and attributes."""
    return html.escape(shown(str(value), keep_line_breaks=True), quote=True)


def _prose(value: str) -> str:
    """A finding's words, escaped, with its `quoted` names as code."""
    return _QUOTED.sub(r"<code>\1</code>", _text(value))


def _code(value: object) -> str:
    return f"<code>{_text(value)}</code>"


def _codes(values: Iterable[str]) -> str:
    return ", ".join(_code(value) for value in values)


def _role(step: Step) -> str:
    return step.role.name if step.role else "(no role)"


def _label(step_id: str) -> str:
    """A step id short enough for an SVG label."""
    return step_id if len(step_id) <= _LABEL_CHARS else step_id[: _LABEL_CHARS - 1] + "…"


def _longest_label(plan: Plan) -> float:
    """The width of the longest step-id label of the planned steps."""
    steps = plan.runbook.steps
    return min(max((len(steps[node].id) for node in plan.planned), default=1), _LABEL_CHARS) * _CHAR_WIDTH


def _number(value: float) -> str:
    """SVG coordinates: two decimals at most."""
    return f"{round(value, 2):g}"


# -- Header, summary, checklist ----------------------------------------------


def _header(plan: Plan) -> str:
    runbook = plan.runbook
    heading = _text(runbook.title) if runbook.title else _code(runbook.id)
    return (
        "<header>"
        f"<h1>Recovery plan: {heading}</h1>"
        f'<p class="meta">runbook {_code(runbook.id)} · {_code(runbook.path)}'
        f" · generated by recoverylint {_text(__version__)}</p>"
        "</header>"
    )


def _summary(plan: Plan) -> str:
    declared, required = plan.declared, plan.required
    rows = [
        ("critical path (unlimited people)", minutes(declared.length), minutes(required.length)),
        ("staffed makespan", minutes(declared.staffed_makespan), minutes(required.staffed_makespan)),
        ("joins", str(declared.joins), str(required.joins)),
        ("sync overhead at joins", minutes(declared.sync_minutes), minutes(required.sync_minutes)),
    ]
    body = "".join(
        f'<tr><th scope="row">{label}</th><td class="number">{left}</td><td class="number">{right}</td></tr>'
        for label, left, right in rows
    )
    parts = [
        '<section id="summary"><h2>Summary</h2>',
        "<p>Fully sequential (every planned step one after the other):"
        f" <strong>{minutes(plan.sequential)}</strong>.</p>",
        (
            '<table><thead><tr><th></th><th scope="col">declared order</th>'
            f'<th scope="col">required order</th></tr></thead><tbody>{body}</tbody></table>'
        ),
        f"<p>{_staffing(plan)}</p>",
        _saved(plan),
        *(f'<p class="durations">{_text(note)}</p>' for note in duration_notes(plan)),
    ]
    parts.extend(_departures(plan))
    parts.append("</section>")
    return "\n".join(parts)


def _staffing(plan: Plan) -> str:
    runbook = plan.runbook
    team = (
        f"team.size {runbook.team_size}" if runbook.team_size is not None else "no team.size (no limit)"
    )
    roles = ", ".join(f"{_code(role.name)} {role.people}" for role in runbook.roles.values())
    return f"Staffed with {team}" + (f"; people per role: {roles}." if roles else ".")


def _saved(plan: Plan) -> str:
    saved = plan.saved_minutes
    cost = plan.runbook.cost_per_minute
    unit = currency(plan)
    if plan.saving_unknown:
        return (
            '<p class="saved">Saved: unknown: it depends on steps with no duration'
            f" ({minutes(saved)} with them as 0 min).</p>"
        )
    between = saved_range_words(plan)
    if between is not None:
        low, high = plan.saved_range
        worth = (
            f", worth {money(cost_of(low, cost), unit)} to {money(cost_of(high, cost), unit)} per incident"
            f" at {money(cost_of(1, cost), unit)} per minute of downtime"
            if cost is not None
            else ""
        )
        return f'<p class="saved gain">The required order saves {between} per incident{worth}.</p>'
    if saved > 0:
        worth = (
            f", worth {money(plan.saved_cost, unit)} per incident"
            f" at {money(cost_of(1, cost), unit)} per minute of downtime"
            if plan.saved_cost is not None and cost is not None
            else ""
        )
        return (
            f'<p class="saved gain">The required order saves {minutes(saved)} per incident{worth}.</p>'
        )
    if saved == 0:
        return (
            '<p class="saved">Nothing to save: the declared order is as fast as the work allows'
            " with these people.</p>"
        )
    extra = (
        f" ({money(-plan.saved_cost, unit)} more per incident at {money(cost_of(1, cost), unit)} per minute)"
        if plan.saved_cost is not None and cost is not None
        else ""
    )
    return (
        f'<p class="saved loss">Nothing saved: the required order takes {minutes(-saved)} longer{extra}:'
        f" {_text(loss_words(plan))}.</p>"
    )


def _departures(plan: Plan) -> list[str]:
    """What the plan leaves out, reorders or cannot order as the work requires."""
    steps = plan.runbook.steps
    items: list[str] = []
    if plan.left_out:
        chosen: dict[tuple[int, int], list[str]] = defaultdict(list)
        for item in plan.left_out:
            chosen[(item.decider, item.followed)].append(steps[item.node].id)
        items.extend(
            f"<li>Left out, as alternatives not followed: {_codes(left)} (the plan takes the worst"
            f" case, where {_code(steps[decider].id)} chooses {_code(steps[followed].id)}).</li>"
            for (decider, followed), left in chosen.items()
        )
    if plan.races:
        races = ", ".join(
            f"{_code(steps[race.first].id)} then {_code(steps[race.second].id)} (on {_code(race.resource)})"
            for race in plan.races[:_LISTED]
        )
        items.append(
            f"<li>Races the required order runs one after the other ({len(plan.races)}):"
            f" {races}{_more(len(plan.races))}.</li>"
        )
    if plan.false_gates:
        gates = ", ".join(
            f"{_code(steps[first].id)} → {_code(steps[second].id)}"
            for first, second in plan.false_gates[:_LISTED]
        )
        items.append(
            f"<li>Waits the declared order imposes and the work does not need ({len(plan.false_gates)}):"
            f" {gates}{_more(len(plan.false_gates))}.</li>"
        )
    if plan.cycle_steps:
        items.append(
            "<li>Steps on a cycle of the required order (kept in the declared order among"
            f" themselves): {_codes(step_ids(plan, plan.cycle_steps))}.</li>"
        )
    return [f"<ul>{''.join(items)}</ul>"] if items else []


def _more(count: int) -> str:
    """What the summary leaves unlisted."""
    return f" and {count - _LISTED:,} more" if count > _LISTED else ""


def _simulation(plan: Plan, simulation: Simulation) -> str:
    from . import plan_simulation

    def row(cells: tuple[str, ...]) -> str:
        label, *values = cells
        return f'<tr><th scope="row">{label}</th>' + "".join(
            f'<td class="number">{value}</td>' for value in values
        ) + "</tr>"

    figures = "".join(row(cells) for cells in plan_simulation.figure_rows(simulation))
    listed, more = plan_simulation.most_critical(simulation)
    steps = plan.runbook.steps
    critical = "".join(
        row((_code(steps[node].id), plan_simulation.share(declared), plan_simulation.share(required)))
        for node, declared, required in listed
    )
    return "\n".join([
        f'<section id="simulation"><h2>{_text(plan_simulation.heading(simulation))}</h2>',
        '<table><thead><tr><th></th><th scope="col">declared order</th><th scope="col">required order</th>'
        f'<th scope="col">saved</th></tr></thead><tbody>{figures}</tbody></table>',
        *(f"<p>{_text(note)}</p>" for note in plan_simulation.notes(plan, simulation)),
        "<p>Criticality index: the share of runs in which a step is on the critical path"
        + (f" (the {len(listed)} highest; {more:,} more steps are on it in some run)" if more else "")
        + ".</p>",
        '<table><thead><tr><th scope="col">step</th><th scope="col">declared order</th>'
        f'<th scope="col">required order</th></tr></thead><tbody>{critical}</tbody></table>',
        "</section>",
    ])


def _checklist(plan: Plan) -> str:
    checklist = plan.checklist
    if checklist is None:
        return ""
    rows = "".join(
        "<tr>"
        f"<td>{_text(checklist_question(answer))}</td>"
        f"<td>{_text(checklist_value(answer))}</td>"
        + (
            '<td class="yes">favours parallel</td>'
            if answer.favours_parallel
            else '<td class="no">against parallel</td>'
        )
        + f"<td>{_text(checklist_source(answer))}</td>"
        "</tr>"
        for answer in checklist.answers
    )
    return (
        '<section id="checklist"><h2>Decision checklist</h2>'
        '<table><thead><tr><th scope="col">question</th><th scope="col">answer</th>'
        f'<th scope="col">counts</th><th scope="col">source</th></tr></thead><tbody>{rows}</tbody></table>'
        f"<p>Score {checklist.score} of {len(checklist.answers)}: recommended mode"
        f" <strong>{_text(checklist.mode)}</strong>.</p></section>"
    )


# -- Timeline -------------------------------------------------------------------


def _tick_step(horizon: float) -> float:
    """A round number of minutes between ticks, for at most _MAX_TICKS of them."""
    for step in (1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480, 720, 1440, 2880, 10080):
        if horizon / step <= _MAX_TICKS:
            return step
    return 10080 * (horizon // (10080 * _MAX_TICKS) + 1)


def _timeline(plan: Plan) -> str:
    horizon = max(plan.declared.staffed_makespan, plan.required.staffed_makespan, 1.0)
    label_width = _longest_label(plan) + 12
    scale = _PLOT_WIDTH / horizon
    tick = _tick_step(horizon)
    ticks = [index * tick for index in range(int(horizon // tick) + 1)]
    section_height = _AXIS_HEIGHT * 2 + len(plan.planned) * _ROW_HEIGHT
    width = label_width + _PLOT_WIDTH + 40
    height = 2 * section_height + _SECTION_GAP

    sections = []
    for index, (slug, name, schedule) in enumerate(
        (("declared", "Declared order", plan.declared), ("required", "Required order", plan.required))
    ):
        top = index * (section_height + _SECTION_GAP)
        sections.append(
            _timeline_section(plan, slug, name, schedule, top, label_width, scale, ticks, section_height)
        )
    return (
        '<section id="timeline-section"><h2>Timeline of the staffed schedules</h2>'
        '<p class="legend">One row per planned step, from its start to its finish with the people the'
        ' runbook has; <span class="swatch critical"></span> on the critical path of that order,'
        ' <span class="swatch plain"></span> other steps. Hover a bar for details.</p>'
        f'<div class="figure"><svg id="timeline" xmlns="http://www.w3.org/2000/svg" role="img"'
        f' aria-label="Timeline of the declared and the required order" width="{_number(width)}"'
        f' height="{_number(height)}" viewBox="0 0 {_number(width)} {_number(height)}">'
        + "".join(sections)
        + "</svg></div></section>"
    )


def _timeline_section(
    plan: Plan,
    slug: str,
    name: str,
    schedule: Schedule,
    top: float,
    label_width: float,
    scale: float,
    ticks: list[float],
    height: float,
) -> str:
    steps = plan.runbook.steps
    critical = set(schedule.critical_path)
    rows_top = top + _AXIS_HEIGHT * 2
    rows_bottom = rows_top + len(plan.planned) * _ROW_HEIGHT
    out = [
        f'<g class="section" id="timeline-{slug}">',
        (
            f'<text class="section-title" x="0" y="{_number(top + 14)}">{name}'
            f" (staffed makespan {minutes(schedule.staffed_makespan)})</text>"
        ),
    ]
    for minute in ticks:
        x = label_width + minute * scale
        out.append(
            f'<line class="tick" x1="{_number(x)}" y1="{_number(rows_top - 4)}" x2="{_number(x)}"'
            f' y2="{_number(rows_bottom)}"/>'
            f'<text class="tick-label" x="{_number(x)}" y="{_number(rows_top - 8)}"'
            f' text-anchor="middle">{minutes(minute)}</text>'
        )
    for row, node in enumerate(plan.planned):
        step = steps[node]
        timing = schedule.timings[node]
        y = rows_top + row * _ROW_HEIGHT
        x = label_width + timing.start * scale
        bar_width = max((timing.finish - timing.start) * scale, _MIN_BAR_WIDTH)
        classes = "bar critical" if node in critical else "bar"
        tooltip = (
            f"{step.id}: {step.title or '(no title)'}\nrole: {_role(step)}\n"
            f"{minutes(timing.start)}–{minutes(timing.finish)}"
            + (" (critical path)" if node in critical else "")
        )
        out.append(
            '<g class="row">'
            f'<rect class="stripe" x="0" y="{_number(y)}" width="{_number(label_width + _PLOT_WIDTH)}"'
            f' height="{_ROW_HEIGHT}"/>'
            f'<text x="{_number(label_width - 8)}" y="{_number(y + _ROW_HEIGHT / 2 + 4)}"'
            f' text-anchor="end">{_text(_label(step.id))}</text>'
            f'<rect class="{classes}" x="{_number(x)}" y="{_number(y + (_ROW_HEIGHT - _BAR_HEIGHT) / 2)}"'
            f' width="{_number(bar_width)}" height="{_BAR_HEIGHT}" rx="2">'
            f"<title>{_text(tooltip)}</title></rect>"
            "</g>"
        )
    out.append("</g>")
    return "".join(out)


# -- Graph of the required order ------------------------------------------------


def _layers(plan: Plan) -> list[list[int]]:
    """Planned steps by longest-path depth in the required order, each layer
    ordered by the mean position of its predecessors (then file order)."""
    preds = plan.required.preds
    planned = plan.planned
    succs: dict[int, list[int]] = defaultdict(list)
    waiting = {node: len(preds[node]) for node in planned}
    for node in planned:
        for pred in preds[node]:
            succs[pred].append(node)
    depth = dict.fromkeys(planned, 0)
    ready = [node for node in planned if not waiting[node]]
    while ready:
        node = ready.pop()
        for succ in succs[node]:
            depth[succ] = max(depth[succ], depth[node] + 1)
            waiting[succ] -= 1
            if not waiting[succ]:
                ready.append(succ)
    by_depth: dict[int, list[int]] = defaultdict(list)
    for node in planned:
        by_depth[depth[node]].append(node)
    layers: list[list[int]] = []
    slot: dict[int, float] = {}  # node -> position in its layer, centred on 0
    for level in sorted(by_depth):
        members = by_depth[level]

        def barycentre(node: int) -> tuple[float, int]:
            placed = [slot[pred] for pred in preds[node]]
            return (sum(placed) / len(placed) if placed else 0.0, node)

        members.sort(key=barycentre)
        for index, node in enumerate(members):
            slot[node] = index - (len(members) - 1) / 2
        layers.append(members)
    return layers


def _graph(plan: Plan) -> str:
    steps = plan.runbook.steps
    required = plan.required
    rows = [
        layer[first : first + _ROW_NODES]
        for layer in _layers(plan)
        for first in range(0, len(layer), _ROW_NODES)
    ]
    critical = set(required.critical_path)
    critical_edges = set(itertools.pairwise(required.critical_path))
    node_width = _longest_label(plan) + 20
    widest = max((len(row) for row in rows), default=0)
    width = 2 * _GRAPH_MARGIN + widest * node_width + max(widest - 1, 0) * _NODE_GAP
    height = 2 * _GRAPH_MARGIN + len(rows) * _NODE_HEIGHT + max(len(rows) - 1, 0) * _LAYER_GAP
    centre: dict[int, tuple[float, float]] = {}
    for level, row in enumerate(rows):
        row_width = len(row) * node_width + (len(row) - 1) * _NODE_GAP
        left = (width - row_width) / 2
        y = _GRAPH_MARGIN + level * (_NODE_HEIGHT + _LAYER_GAP) + _NODE_HEIGHT / 2
        for index, node in enumerate(row):
            centre[node] = (left + index * (node_width + _NODE_GAP) + node_width / 2, y)

    edges = []
    for node in plan.planned:
        x2, y2 = centre[node]
        for pred in required.preds[node]:
            x1, y1 = centre[pred]
            on_path = (pred, node) in critical_edges
            start_y, end_y = y1 + _NODE_HEIGHT / 2, y2 - _NODE_HEIGHT / 2 - 2
            bend = (end_y - start_y) / 2
            edges.append(
                f'<path class="{"edge critical" if on_path else "edge"}"'
                f' d="M{_number(x1)},{_number(start_y)} C{_number(x1)},{_number(start_y + bend)}'
                f' {_number(x2)},{_number(end_y - bend)} {_number(x2)},{_number(end_y)}"'
                f' marker-end="url(#{"arrow-critical" if on_path else "arrow"})">'
                f"<title>{_text(steps[pred].id)} → {_text(steps[node].id)}</title></path>"
            )
    races = []
    for race in plan.races:
        (x1, y1), (x2, y2) = centre[race.first], centre[race.second]
        bulge = node_width / 2 + 24
        races.append(
            f'<path class="race" d="M{_number(x1)},{_number(y1)} Q{_number((x1 + x2) / 2 + bulge)},'
            f'{_number((y1 + y2) / 2)} {_number(x2)},{_number(y2)}">'
            f"<title>{_text(f'race on {race.resource}: {steps[race.first].id} runs before {steps[race.second].id}')}"
            "</title></path>"
        )
    nodes = []
    for node in plan.planned:
        step = steps[node]
        x, y = centre[node]
        timing = required.timings[node]
        tooltip = (
            f"{step.id}: {step.title or '(no title)'}\nrole: {_role(step)}\n"
            f"duration {duration_words(plan.runbook.duration_of(step))}, earliest start"
            f" {minutes(timing.earliest_start)}, slack {minutes(timing.slack)}"
        )
        nodes.append(
            '<g class="step">'
            f'<rect class="{"node critical" if node in critical else "node"}"'
            f' x="{_number(x - node_width / 2)}" y="{_number(y - _NODE_HEIGHT / 2)}"'
            f' width="{_number(node_width)}" height="{_NODE_HEIGHT}" rx="7"/>'
            f'<text class="node-label" x="{_number(x)}" y="{_number(y)}">{_text(_label(step.id))}</text>'
            f"<title>{_text(tooltip)}</title></g>"
        )
    markers = "".join(
        f'<marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"'
        ' markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>'
        for marker in ("arrow", "arrow-critical")
    )
    return (
        '<section id="graph-section"><h2>Graph of the required order</h2>'
        '<p class="legend">Each step below the steps it must wait for (by its longest chain of'
        f" waits; a layer of more than {_ROW_NODES} steps wraps onto several rows);"
        ' <span class="swatch critical"></span> the critical path,'
        ' <span class="swatch race"></span> two steps racing on a resource, which the plan runs'
        " one after the other. Hover for details.</p>"
        f'<div class="figure"><svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img"'
        f' aria-label="Graph of the required order" width="{_number(width)}" height="{_number(height)}"'
        f' viewBox="0 0 {_number(width)} {_number(height)}"><defs>{markers}</defs>'
        + "".join(edges)
        + "".join(races)
        + "".join(nodes)
        + "</svg></div></section>"
    )


# -- Tables -----------------------------------------------------------------------


def _steps_table(plan: Plan) -> str:
    runbook = plan.runbook
    timings = plan.required.timings
    critical = set(plan.required.critical_path)
    left_out = {item.node: item for item in plan.left_out}
    rows = []
    for node, step in enumerate(runbook.steps):
        cells = (
            f"<td>{_code(step.id)}</td><td>{_text(step.title or '')}</td><td>{_text(_role(step))}</td>"
            f'<td class="number">{duration_words(runbook.duration_of(step))}</td>'
        )
        timing = timings.get(node)
        if timing is None:
            followed = runbook.steps[left_out[node].followed].id
            rows.append(
                f'<tr class="left-out">{cells}<td colspan="4">left out: the plan follows'
                f" {_code(followed)}</td></tr>"
            )
            continue
        row_class = ' class="critical"' if node in critical else ""
        rows.append(
            f"<tr{row_class}>{cells}"
            f'<td class="number">{minutes(timing.earliest_start)}</td>'
            f'<td class="number">{minutes(timing.latest_start)}</td>'
            f'<td class="number">{minutes(timing.slack)}</td>'
            f'<td class="number">{timing.wave + 1}</td></tr>'
        )
    return (
        '<section id="steps"><h2>Steps (required order)</h2>'
        '<p class="legend">Critical-path steps in bold; waves are numbered from 1 in the order'
        " the staffed schedule starts them.</p>"
        '<table><thead><tr><th scope="col">id</th><th scope="col">title</th><th scope="col">role</th>'
        '<th scope="col">duration</th><th scope="col">earliest start</th>'
        '<th scope="col">latest start</th><th scope="col">slack</th><th scope="col">wave</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _findings_table(findings: list[Finding]) -> str:
    if not findings:
        return '<section id="findings"><h2>Findings</h2><p>No findings.</p></section>'
    rows = "".join(
        "<tr>"
        f'<td class="number">{item.span.line}:{item.span.column}</td>'
        f"<td>{_code(item.code)} {_text(item.name)}</td>"
        f'<td class="severity-{_text(item.severity.value)}">{_text(item.severity.value)}</td>'
        f"<td>{_prose(item.message)}</td>"
        f"<td>{_prose(item.suggestion or '')}</td>"
        "</tr>"
        for item in sorted(findings, key=lambda finding: finding.sort_key)
    )
    return (
        f'<section id="findings"><h2>Findings ({len(findings)})</h2>'
        '<table><thead><tr><th scope="col">line:col</th><th scope="col">code</th>'
        '<th scope="col">severity</th><th scope="col">message</th><th scope="col">suggestion</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></section>"
    )
