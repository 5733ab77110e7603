from ..finding import Issue
from ..graphs import overlaps
from ..words import LISTED, involved, needs_suggestion, quoted
from . import Capability, GraphContext, Issues, graph_rule


@graph_rule("RL303", needs=(Capability.PHASES,))
def verification_not_after_change(ctx: GraphContext) -> Issues:
    """One finding per verification, naming the changes it can run before or
    alongside (a thousand checks each verifying a thousand changes would
    otherwise be a million findings)."""
    graphs = ctx.graphs
    steps = graphs.steps
    for step in steps:
        if not step.is_verification:
            continue
        early = [
            changed
            for changed in graphs.verified_out_of_order(step)
            if not graphs.decided_apart(changed, step.index)
        ]
        if not early:
            continue
        changes = [steps[changed].id for changed in early]
        first = steps[early[0]]
        where = next((ref for ref in step.verifies if ref.name == first.id), None) or next(
            (r for r in step.reads if any(overlaps(r.name, w.name) for w in first.writes)), None
        )
        whens = {"before" if graphs.before(step.index, changed) else "while" for changed in early}
        when = " or ".join(sorted(whens))
        if len(changes) == 1:
            what = f"`{step.id}` verifies `{first.id}` but can run {when} `{first.id}` applies its change"
        else:
            what = (
                f"`{step.id}` verifies {quoted(changes, limit=LISTED)} but can run {when} they apply"
                " their changes"
            )
        yield Issue(
            where.span if where else step.span,
            f"{what}: it would confirm a state that is not there yet",
            suggestion=needs_suggestion(changes, key=ctx.runbook.wait_key),
            steps=involved(changes, step.id),
        )
