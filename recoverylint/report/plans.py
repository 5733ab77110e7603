"""`plan`'s output formats, each taking the same PlanView (the plan_*
modules write them)."""

from __future__ import annotations

from . import PlanView, render


def pieces(name: str, view: PlanView) -> list[str]:
    """`plan`'s output in format `name`, in pieces to write one after the
    other: the JSON or text of a big plan is never held as one string."""
    if name == "json":
        from . import plan_json

        return plan_json.pieces(view.plan, view.simulation)
    if name == "text":
        from . import plan_text

        return plan_text.pieces(view.plan, view.colour, view.simulation)
    return [render("plan", name, view)]


def text(view: PlanView) -> str:
    """Summary, critical path, waves and a terminal Gantt."""
    from .plan_text import render

    return render(view.plan, view.colour, view.simulation)


def json(view: PlanView) -> str:
    from .plan_json import render

    return render(view.plan, view.simulation)


def flowchart(view: PlanView) -> str:
    """Mermaid: a flowchart of the required order."""
    from .plan_mermaid import flowchart

    return flowchart(view.plan)


def gantt(view: PlanView) -> str:
    """Mermaid: both schedules."""
    from .plan_mermaid import gantt

    return gantt(view.plan)


def dot(view: PlanView) -> str:
    """Graphviz of the declared order."""
    from .plan_dot import render

    return render(view.plan)


def html(view: PlanView) -> str:
    """One self-contained report, findings included."""
    from .plan_html import render

    return render(view.plan, list(view.findings), view.simulation)
