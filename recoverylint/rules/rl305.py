from ..finding import Issue, Related
from ..model import Ref, Step
from ..words import involved, quoted
from . import GraphContext, Issues, graph_rule


@graph_rule("RL305")
def unreconciled_outputs(ctx: GraphContext) -> Issues:
    """One finding per producer, on the later one in the file, naming the
    earlier producers it can run alongside."""
    graphs = ctx.graphs
    steps = graphs.steps
    used = {ref.name for step in steps for ref in step.inputs}
    for fact, producers in graphs.producers.items():
        if fact not in used or len(producers) < 2:
            continue
        for offset, later in enumerate(producers):
            alongside = [e for e in producers[:offset] if graphs.concurrent(e, later)]
            if not alongside:
                continue
            names = [steps[earlier].id for earlier in alongside]
            together = "both" if len(names) == 1 else "all"
            yield Issue(
                _output(steps[later], fact).span,
                f"{quoted([steps[later].id, *names])} {together} output `{fact}` and can run"
                " at the same time: which value the steps that use it see is undefined",
                suggestion=f"add a step that needs them all and outputs the reconciled `{fact}`",
                steps=involved(names, steps[later].id),
                related=tuple(
                    Related(f"`{steps[e].id}` outputs `{fact}` here", _output(steps[e], fact).span)
                    for e in alongside[:5]
                ),
            )


def _output(step: Step, fact: str) -> Ref:
    return next(ref for ref in step.outputs if ref.name == fact)
