from ..finding import Issue
from ..graphs import Graphs
from ..words import in_own_words, quoted
from . import Capability, GraphContext, Issues, graph_rule


def verified_masks(graphs: Graphs) -> tuple[int, int]:
    """Bitsets (O positions) of the changes some verification checks at all,
    and of those some verification checks after them in O: one pass over the
    verification steps, with masks instead of (verification, change) pairs."""
    verified_any = verified_after = 0
    for step in graphs.steps:
        if step.is_verification:
            checked = graphs.verified_mask(step)
            verified_any |= checked
            verified_after |= checked & graphs.ancestors[step.index]
    return verified_any, verified_after


@graph_rule("RL601", needs=(Capability.MARKINGS,))
def change_without_verification(ctx: GraphContext) -> Issues:
    graphs = ctx.graphs
    verified_any, verified_after = verified_masks(graphs)
    changes = ctx.changes
    for step in graphs.steps:
        # A post to a communication surface is no change: nothing to verify.
        changed = changes[step.index]
        if not changed:
            continue
        bit = 1 << graphs.position[step.index]
        if verified_after & bit:
            continue
        written = quoted(dict.fromkeys(ref.name for ref in changed))
        if verified_any & bit:
            why = (
                "its only verifications can run before or alongside it,"
                " so nothing confirms it worked"
            )
        else:
            why = "no step verifies it afterwards, so nothing confirms it worked"
        yield Issue(
            changed[0].span,
            f"`{step.id}` changes {written} but {why} before the"
            " incident is closed",
            suggestion=in_own_words(
                ctx.runbook.wording,
                "verifies",
                "add a verify-phase step after `{step}` that reads {written}, or give a later check"
                " `verifies: [{step}]`",
                step=step.id,
                written=written,
            ),
            steps=(step.id,),
        )
