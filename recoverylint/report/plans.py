"""`plan`'s output formats, each taking the same PlanView (the plan_*
modules write them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from . import PlanView, renderer


@dataclass(frozen=True)
class PlanFormat:
    """One of `plan`'s output formats, as OUTPUT_FORMATS names it: its whole
    output, and the same output in pieces to write one after the other when
    the format has a way to write them (the JSON or text of a big plan is
    never held as one string)."""

    whole: Callable[[PlanView], str]
    in_pieces: Callable[[PlanView], list[str]] | None = None

    def __call__(self, view: PlanView) -> str:
        return self.whole(view)

    def pieces(self, view: PlanView) -> list[str]:
        return [self.whole(view)] if self.in_pieces is None else self.in_pieces(view)


def pieces(name: str, view: PlanView) -> list[str]:
    """`plan`'s output in format `name`, in pieces to write one after the other."""
    # Every entry of OUTPUT_FORMATS["plan"] names a PlanFormat of this module.
    return cast(PlanFormat, renderer("plan", name)).pieces(view)


def _text(view: PlanView) -> str:
    """Summary, critical path, waves and a terminal Gantt."""
    from .plan_text import render

    return render(view.plan, view.colour, view.simulation)


def _text_pieces(view: PlanView) -> list[str]:
    from .plan_text import pieces

    return pieces(view.plan, view.colour, view.simulation)


def _json(view: PlanView) -> str:
    from .plan_json import render

    return render(view.plan, view.simulation)


def _json_pieces(view: PlanView) -> list[str]:
    from .plan_json import pieces

    return pieces(view.plan, view.simulation)


def _flowchart(view: PlanView) -> str:
    """Mermaid: a flowchart of the required order."""
    from .plan_mermaid import flowchart

    return flowchart(view.plan)


def _gantt(view: PlanView) -> str:
    """Mermaid: both schedules."""
    from .plan_mermaid import gantt

    return gantt(view.plan)


def _dot(view: PlanView) -> str:
    """Graphviz of the declared order."""
    from .plan_dot import render

    return render(view.plan)


def _html(view: PlanView) -> str:
    """One self-contained report, findings included."""
    from .plan_html import render

    return render(view.plan, list(view.findings), view.simulation)


text = PlanFormat(_text, _text_pieces)
json = PlanFormat(_json, _json_pieces)
flowchart = PlanFormat(_flowchart)
gantt = PlanFormat(_gantt)
dot = PlanFormat(_dot)
html = PlanFormat(_html)
