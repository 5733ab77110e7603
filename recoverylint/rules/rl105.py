from ..finding import Issue
from . import Issues, RuleContext, rule


@rule("RL105")
def unused_output(ctx: RuleContext) -> Issues:
    used = {ref.name for step in ctx.runbook.steps for ref in step.inputs}
    for step in ctx.runbook.steps:
        for ref in step.outputs:
            if ref.name not in used:
                yield Issue(
                    ref.span,
                    f"`{step.id}` outputs `{ref.name}`, but no step uses it",
                    suggestion=f"list `{ref.name}` in the `inputs` of the steps that rely on it, or drop it",
                    steps=(step.id,),
                )
