from ..finding import Issue
from ..words import closest
from . import Issues, RuleContext, rule


@rule("RL104")
def missing_input(ctx: RuleContext) -> Issues:
    runbook = ctx.runbook
    produced: dict[str, set[str]] = {}
    for step in runbook.steps:
        for ref in step.outputs:
            produced.setdefault(ref.name, set()).add(step.id)
    given = {ref.name for ref in runbook.given}
    known = set(produced) | given
    for step in runbook.steps:
        for ref in step.inputs:
            producers = produced.get(ref.name)
            if ref.name in given or (producers and (len(producers) > 1 or step.id not in producers)):
                continue  # given, or output by some other step
            near = closest(ref.name, known - {ref.name})  # never the fact itself, which its own step outputs
            yield Issue(
                ref.span,
                f"`{step.id}` uses the fact `{ref.name}`, which no other step outputs"
                " and `given` does not list",
                suggestion=f"did you mean `{near}`?" if near else
                f"add a step that outputs `{ref.name}`, or list it under `given`",
                steps=(step.id,),
            )
