from ..finding import Issue
from ..graphs import overlaps
from . import RuleContext, rule
from ._words import needs_suggestion


@rule("RL303", needs_graphs=True)
def verification_not_after_change(ctx: RuleContext):
    graphs = ctx.graphs
    steps = graphs.steps
    for step in steps:
        if not step.is_verification:
            continue
        explicit = {ref.name: ref for ref in step.verifies}
        for changed in graphs.verified_out_of_order(step):
            change = steps[changed]
            if graphs.decided_apart(changed, step.index):
                continue
            when = "before" if graphs.before(step.index, changed) else "while"
            where = explicit.get(change.id) or next(
                (r for r in step.reads if any(overlaps(r.name, w.name) for w in change.writes)), None
            )
            yield Issue(
                where.span if where else step.span,
                f"`{step.id}` verifies `{change.id}` but can run {when} `{change.id}` applies"
                " its change: it would confirm a state that is not there yet",
                suggestion=needs_suggestion([change.id]),
                steps=(change.id, step.id),
            )
