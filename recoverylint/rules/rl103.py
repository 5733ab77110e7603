from ..finding import Issue, Related
from ..words import quoted
from . import Issues, RuleContext, rule


@rule("RL103")
def order_cycle(ctx: RuleContext) -> Issues:
    problem = ctx.cycle
    if problem is None:
        return
    chain = " → ".join(f"`{step_id}`" for step_id in problem.cycle)
    # Point at the `needs` entry that closes the loop: the one to remove.
    needs = [edge for edge in problem.edges if edge.kind.value == "needs"]
    closing = max(needs or problem.edges, key=lambda edge: (edge.span.line, edge.span.column))
    yield Issue(
        closing.span,
        f"the declared order has a cycle, so none of its steps can ever start: {chain}",
        suggestion=f"remove one of the `needs` that close the loop among {quoted(problem.cycle[:-1])}",
        steps=tuple(problem.cycle[:-1]),
        related=tuple(Related(f"`{e.source}` → `{e.target}`", e.span) for e in problem.edges),
    )
