from ..finding import Issue
from ..words import quoted
from . import Capability, Issues, RuleContext, rule


# A responder reads a step's title first: one that changes something says what.
@rule("RL901", needs=(Capability.TEAM,))
def untitled_change(ctx: RuleContext) -> Issues:
    for step in ctx.runbook.steps:
        if step.writes and step.title is None:
            yield Issue(
                step.span,
                f"step `{step.id}` changes {quoted([ref.name for ref in step.writes])} but has no title",
                suggestion="give the step a `title` saying what it changes",
                steps=(step.id,),
            )
