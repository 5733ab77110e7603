from ..finding import Issue
from . import RuleContext, rule
from ._words import involved, quoted
from .rl301 import producer_order


@rule("RL302", needs_graphs=True)
def input_used_before_produced(ctx: RuleContext):
    steps = ctx.graphs.steps
    for step, ref, producers, concurrent in producer_order(ctx):
        if concurrent:
            continue
        names = [steps[p].id for p in producers]
        yield Issue(
            ref.span,
            f"`{step.id}` uses `{ref.name}`, but every step that outputs it ({quoted(names)})"
            " comes after it in the declared order",
            suggestion=f"move `{step.id}` after {quoted(names)}",
            steps=involved(names, step.id),
        )
