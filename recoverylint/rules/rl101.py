from ..finding import Issue, Related
from ..model import Step
from ..words import listed
from . import Issues, RuleContext, rule

# Places named per finding: a file with thousands of copies of one id must
# not produce a report that grows with the square of them.
_SHOWN = 5


@rule("RL101")
def duplicate_step_id(ctx: RuleContext) -> Issues:
    if len({step.id for step in ctx.runbook.steps}) == len(ctx.runbook.steps):
        return  # every id once (nearly every runbook): nothing to group
    seen: dict[str, list[Step]] = {}
    for step in ctx.runbook.steps:
        seen.setdefault(step.id, []).append(step)
    for step_id, steps in seen.items():
        if len(steps) < 2:
            continue
        for step in steps:
            others = [other for other in steps if other is not step]
            lines = listed((str(other.span.line) for other in others), _SHOWN)
            yield Issue(
                step.span,
                f"step id `{step_id}` is used more than once (also on line {lines}):"
                " `needs` and every other reference to it are ambiguous",
                suggestion="give each step a unique id",
                steps=(step_id,),
                related=tuple(
                    Related(f"`{step_id}` also defined here", other.span) for other in others[:_SHOWN]
                ),
            )
