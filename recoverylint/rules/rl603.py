from ..finding import Issue, Severity
from ..words import in_own_words, quoted
from . import Capability, Issues, RuleContext, rule


@rule("RL603", needs=(Capability.MARKINGS,))
def change_without_rollback(ctx: RuleContext) -> Issues:
    runbook = ctx.runbook
    ids = {step.id for step in runbook.steps}
    # `excludes` counts in either direction: when A excludes B, each is the
    # other's way out (a hotfix fails, the rollback is there, and back).
    with_alternative: set[str] = set()
    for step in runbook.steps:
        for ref in step.excludes:
            if ref.name in ids and ref.name != step.id:
                with_alternative.update((step.id, ref.name))
    severity = Severity.INFO if runbook.criticality == "low" else None
    for step in runbook.steps:
        # A rollback naming the step itself undoes nothing.
        has_rollback = step.rollback is not None and step.rollback.name != step.id
        if has_rollback or step.id in with_alternative:
            continue
        # A post to a communication surface is no change: there is nothing to roll back.
        changed = ctx.changes[step.index]
        if not changed:
            continue
        written = quoted(dict.fromkeys(ref.name for ref in changed))
        yield Issue(
            step.span,
            f"`{step.id}` changes {written} with no `rollback` and no alternative it"
            " `excludes`: if the change makes things worse, nobody has a written way back",
            suggestion=in_own_words(
                runbook.wording,
                "rollback",
                "rollback: <the step id that undoes it, or how to undo it>",
                step=step.id,
                written=written,
            ),
            steps=(step.id,),
            severity=severity,
        )
