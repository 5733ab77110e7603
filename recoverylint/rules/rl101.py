from ..finding import Issue, Related
from . import RuleContext, rule


@rule("RL101")
def duplicate_step_id(ctx: RuleContext):
    seen: dict[str, list] = {}
    for step in ctx.runbook.steps:
        seen.setdefault(step.id, []).append(step)
    for step_id, steps in seen.items():
        if len(steps) < 2:
            continue
        for step in steps:
            others = [other for other in steps if other is not step]
            lines = ", ".join(str(other.span.line) for other in others)
            yield Issue(
                step.span,
                f"step id `{step_id}` is used more than once (also on line {lines}):"
                " `needs` and every other reference to it are ambiguous",
                suggestion="give each step a unique id",
                steps=(step_id,),
                related=tuple(Related(f"`{step_id}` also defined here", o.span) for o in others),
            )
