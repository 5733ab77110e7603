from ..finding import Issue, Related
from ..words import quoted
from . import Capability, GraphContext, Issues, graph_rule

_RELATED = 10


@graph_rule("RL701", needs=(Capability.TEAM,))
def span_of_control(ctx: GraphContext) -> Issues:
    graphs = ctx.graphs
    limit = ctx.settings.span_of_control
    widest = graphs.widest_of_all()
    if len(widest) <= limit:
        return
    runbook = ctx.runbook
    where = runbook.key_spans.get("steps") or runbook.key_spans.get("stages") or runbook.span
    ids = [graphs.steps[node].id for node in widest]
    yield Issue(
        where,
        f"{len(ids)} threads can run at once ({quoted(ids)}), more than the {limit} one"
        " commander can follow: work goes unwatched and its results are missed",
        suggestion=(
            f"give each group of threads its own lead, or order some of them so that at most"
            f" {limit} run at once"
        ),
        steps=tuple(ids[:_RELATED]),
        related=tuple(
            Related(f"`{graphs.steps[node].id}` runs at the widest point", graphs.steps[node].span)
            for node in widest[:_RELATED]
        ),
    )
