"""`plan --format dot`: the declared order O as a Graphviz graph, marked with
what the plan found in it.

Every step is a node (`"s<index>"`), labelled with its id, title and duration;
every edge of O's transitive reduction is an arrow.  O's critical path is bold,
the gates the work does not need are dashed red, races are dotted orange lines
that do not move the layout, and steps the plan leaves out are grey.
"""

from __future__ import annotations

import textwrap
from itertools import pairwise

from ..model import Step
from ..plan import Plan
from .plan_words import duration_words
from .shown import shown

_TITLE_WIDTH = 40  # characters per line of a node's title
_CRITICAL = {"style": "bold", "penwidth": "2"}
_FALSE_GATE = {"style": "dashed", "color": "red", "fontcolor": "red", "label": "not needed"}
_RACE_COLOUR = "darkorange"
_LEFT_OUT_COLOUR = "gray60"


Attributes = dict[str, str | list[str]]  # a list value is the lines of a label


def render(plan: Plan) -> str:
    """The DOT source of O, the plan's findings marked on it."""
    runbook = plan.runbook
    name = runbook.title or runbook.id
    lines = [
        "digraph declared_order {",
        f"  graph [rankdir=LR, labelloc=t, label={_quoted(f'{name} — declared order')}];",
        "  node [shape=box, style=rounded];",
        *_nodes(plan),
        *_edges(plan),
        *_races(plan),
        "}",
    ]
    return "\n".join(lines) + "\n"


def _nodes(plan: Plan) -> list[str]:
    """Every step: those on O's critical path bold, those left out grey."""
    in_plan = set(plan.planned)
    critical = set(plan.declared.critical_path)
    lines = []
    for step in plan.runbook.steps:
        node = step.index
        attributes: Attributes = {"label": _node_label(plan, step)}
        if node in critical:
            attributes.update(_CRITICAL, style="rounded,bold")
        if node not in in_plan:
            attributes.update(
                style="rounded,filled",
                fillcolor="gray95",
                color=_LEFT_OUT_COLOUR,
                fontcolor=_LEFT_OUT_COLOUR,
                tooltip="left out: the plan follows another alternative",
            )
        lines.append(f"  {_node(node)}{_attributes(attributes)};")
    return lines


def _edges(plan: Plan) -> list[str]:
    """O's transitive reduction, left-out steps' edges included (which the
    plan's schedules do not have): critical path bold, false gates dashed red."""
    in_plan = set(plan.planned)
    critical = plan.declared.critical_path
    on_critical_path = set(pairwise(critical))
    false_gates = set(plan.false_gates)
    lines = []
    for node in range(len(plan.runbook.steps)):
        for pred in plan.declared_order[node]:
            edge = (pred, node)
            attributes: Attributes = {}
            if edge in on_critical_path:
                attributes.update(_CRITICAL)
            if edge in false_gates:
                attributes.update(_FALSE_GATE)
                if edge in on_critical_path:
                    attributes["style"] = "dashed,bold"
            if pred not in in_plan or node not in in_plan:
                attributes["color"] = _LEFT_OUT_COLOUR
            lines.append(f"  {_node(pred)} -> {_node(node)}{_attributes(attributes)};")
    return lines


def _races(plan: Plan) -> list[str]:
    """Each race as a dotted line named by its resource, left out of the layout
    (named by an `xlabel`: dot drops some `label`s of such edges)."""
    attributes: Attributes = {
        "style": "dotted",
        "color": _RACE_COLOUR,
        "fontcolor": _RACE_COLOUR,
        "dir": "none",
        "constraint": "false",
    }
    return [
        f"  {_node(race.first)} -> {_node(race.second)}"
        f"{_attributes({**attributes, 'xlabel': race.resource})};"
        for race in plan.races
    ]


def _node_label(plan: Plan, step: Step) -> list[str]:
    """Id, title wrapped to _TITLE_WIDTH, duration: the lines of a node's label."""
    title_lines = [
        wrapped
        for line in (step.title.splitlines() if step.title else ())
        for wrapped in textwrap.wrap(
            line, _TITLE_WIDTH, break_long_words=False, break_on_hyphens=False
        )
    ]
    return [step.id, *title_lines, duration_words(plan.runbook.duration_of(step))]


def _node(node: int) -> str:
    return f'"s{node}"'


def _attributes(attributes: Attributes) -> str:
    """` [key="value", ...]`, or nothing for no attributes."""
    if not attributes:
        return ""
    return " [" + ", ".join(f"{key}={_quoted(value)}" for key, value in attributes.items()) + "]"


def _quoted(text: str | list[str]) -> str:
    """A DOT string: quotes and backslashes escaped (so that no `\\N` or `\\l`
    is read as an escape) and ampersands too (Graphviz reads `&amp;` as `&`),
    lines joined by centred line breaks."""
    lines = text if isinstance(text, list) else text.splitlines() or [""]
    escaped = (
        shown(line).replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"') for line in lines
    )
    return '"' + "\\n".join(escaped) + '"'
