from ..finding import Issue
from ..words import in_own_words
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
                    suggestion=in_own_words(
                        ctx.runbook.wording,
                        "unused_output",
                        "list `{output}` in the `inputs` of the steps that rely on it, or drop it",
                        output=ref.name,
                        step=step.id,
                    ),
                    steps=(step.id,),
                )
