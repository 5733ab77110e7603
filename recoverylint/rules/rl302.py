from ..finding import Issue
from ..words import involved, quoted
from . import GraphContext, Issues, graph_rule


@graph_rule("RL302")
def input_used_before_produced(ctx: GraphContext) -> Issues:
    graphs = ctx.graphs
    steps = graphs.steps
    for step, ref, producers, concurrent in ctx.producer_order:
        if concurrent:
            continue
        names = [steps[p].id for p in producers]
        later = [p for p in producers if graphs.before(step.index, p)]
        if len(later) == len(producers):
            message = f"every step that outputs it ({quoted(names)}) comes after it in the declared order"
            suggestion = f"move `{step.id}` after {quoted(names)}"
        else:
            # The others lie on other branches of a decision: no path runs both.
            elsewhere = [p for p in producers if p not in later]
            others = quoted(steps[p].id for p in elsewhere)
            deciders = list(dict.fromkeys(d for p in elsewhere for d in graphs.deciding_apart(step.index, p)))
            failed = [steps[d].id for d in deciders if any(r.name == step.id for r in steps[d].on_failure)]
            runs = "runs" if len(elsewhere) == 1 else "run"
            if failed:
                detail = f"`{step.id}` runs when {quoted(failed)} fails, and {others} only when it does not"
            elif deciders:
                detail = f"{others} {runs} only on another branch of {quoted(steps[d].id for d in deciders)}"
            else:
                detail = f"{others} {runs} only on another branch"
            message = f"no path of the run reaches it through a step that outputs it: {detail}"
            suggestion = f"output `{ref.name}` on the path that leads to `{step.id}`, or stop using it there"
        yield Issue(
            ref.span,
            f"`{step.id}` uses `{ref.name}`, but {message}",
            suggestion=suggestion,
            steps=involved(names, step.id),
        )
