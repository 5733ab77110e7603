from ..finding import Issue
from ..graphs import Graphs
from . import RuleContext, rule
from ._words import quoted


def verified_masks(graphs: Graphs) -> tuple[int, int]:
    """Bitsets (O positions) of the changes some verification checks at all,
    and of those some verification checks after them in O.

    One pass over the verification steps, with masks instead of a loop over
    (verification, change) pairs: a verify-phase step reading a busy resource
    verifies every change writing it, which on a large runbook is many pairs.
    """
    verified_any = verified_after = 0
    writers_under: dict[str, int] = {}  # resource name read -> changes writing what overlaps it
    for step in graphs.steps:
        if not step.is_verification:
            continue
        node = step.index
        if step.verifies:
            checked = graphs.mask(
                graphs.index[ref.name]
                for ref in step.verifies
                if ref.name in graphs.index and graphs.index[ref.name] != node
            )
        else:  # a verify-phase step checks every change writing what it reads
            checked = 0
            for ref in step.reads:
                if ref.name not in writers_under:
                    mask = 0
                    for name in graphs.resources.overlapping(ref.name):
                        mask |= graphs.writers_of(name)
                    writers_under[ref.name] = mask
                checked |= writers_under[ref.name]
            checked &= ~(1 << graphs.position[node])
        verified_any |= checked
        verified_after |= checked & graphs.ancestors[node]
    return verified_any, verified_after


@rule("RL601", needs_graphs=True)
def change_without_verification(ctx: RuleContext):
    graphs = ctx.graphs
    verified_any, verified_after = verified_masks(graphs)
    for step in graphs.steps:
        if not step.is_change:
            continue
        bit = 1 << graphs.position[step.index]
        if verified_after & bit:
            continue
        written = [ref.name for ref in step.writes]
        if verified_any & bit:
            why = (
                "its only verifications can run before or alongside it,"
                " so nothing confirms it worked"
            )
        else:
            why = "no step verifies it afterwards, so nothing confirms it worked"
        yield Issue(
            step.writes[0].span,
            f"`{step.id}` changes {quoted(dict.fromkeys(written))} but {why} before the"
            " incident is closed",
            suggestion=(
                f"add a verify-phase step after `{step.id}` that reads"
                f" {quoted(dict.fromkeys(written))}, or give a later check `verifies: [{step.id}]`"
            ),
            steps=(step.id,),
        )
