from ..finding import Issue
from ..graphs import Graphs
from . import Capability, GraphContext, Issues, graph_rule
from ._words import involved, quoted


def _ids(graphs: Graphs, nodes: list[int]) -> list[str]:
    return [graphs.steps[node].id for node in nodes]


def _people(count: int) -> str:
    return f"{count} person" if count == 1 else f"{count} people"


@graph_rule("RL405", needs=(Capability.ROLES,))
def understaffed_parallelism(ctx: GraphContext) -> Issues:
    """At most one finding per declared role (at its key in `roles:`) and one for
    the team (at `team.size`), each naming the widest point.  Steps of undeclared
    roles are RL102's business."""
    graphs, runbook = ctx.graphs, ctx.runbook
    by_role: dict[str, list[int]] = {name: [] for name in runbook.roles}
    for step in graphs.steps:
        if step.role and step.role.name in by_role:
            by_role[step.role.name].append(step.index)
    for name, nodes in by_role.items():
        people = runbook.roles[name].people
        if len(nodes) <= people:
            continue
        widest = _ids(graphs, graphs.widest(nodes))
        if len(widest) <= people:
            continue
        yield Issue(
            runbook.roles[name].span,
            f"{len(widest)} steps of `{name}` can run at once ({quoted(widest)}) but the role has"
            f" {_people(people)}: the declared parallelism cannot be staffed, so they will wait"
            " for each other",
            suggestion=(
                f"set `people: {len(widest)}` on `{name}` if that many can fill it,"
                " or order these steps"
            ),
            steps=involved(widest[:-1], widest[-1]),
        )
    size = runbook.team_size
    if size is None or len(graphs.steps) <= size:
        return
    widest = _ids(graphs, graphs.widest_of_all())
    if len(widest) <= size:
        return
    yield Issue(
        runbook.key_spans.get("team.size", runbook.span),
        f"{len(widest)} steps can run at once ({quoted(widest)}) but the team has"
        f" {_people(size)}: the declared parallelism cannot be staffed, so they will wait"
        " for each other",
        suggestion=(
            f"set `team.size: {len(widest)}` if that many can work the incident,"
            " or order these steps"
        ),
        steps=involved(widest[:-1], widest[-1]),
    )
