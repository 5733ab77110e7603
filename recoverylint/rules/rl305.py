from ..finding import Issue, Related
from . import RuleContext, rule


@rule("RL305", needs_graphs=True)
def unreconciled_outputs(ctx: RuleContext):
    graphs = ctx.graphs
    steps = graphs.steps
    used = {ref.name for step in steps for ref in step.inputs}
    for fact, producers in graphs.producers.items():
        if fact not in used or len(producers) < 2:
            continue
        for offset, later in enumerate(producers):
            for earlier in producers[:offset]:
                if not graphs.concurrent(earlier, later):
                    continue
                ref = next(r for r in steps[later].outputs if r.name == fact)
                other = next(r for r in steps[earlier].outputs if r.name == fact)
                yield Issue(
                    ref.span,
                    f"`{steps[later].id}` and `{steps[earlier].id}` both output `{fact}` and can run"
                    " at the same time: which value the steps that use it see is undefined",
                    suggestion=f"add a step that needs both and outputs the reconciled `{fact}`",
                    steps=(steps[earlier].id, steps[later].id),
                    related=(Related(f"`{steps[earlier].id}` outputs `{fact}` here", other.span),),
                )
