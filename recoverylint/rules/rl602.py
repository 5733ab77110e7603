from itertools import islice

from ..finding import Issue, Related
from ..graphs import overlaps
from ..model import Step
from ..words import involved, quoted
from . import Capability, Issues, RuleContext, rule

_RELATED = 10


@rule("RL602", needs=(Capability.MARKINGS,))
def vacuous_verification(ctx: RuleContext) -> Issues:
    # Order plays no part, so this runs on runbooks whose O has a cycle too;
    # a repeated id stands for all the steps that carry it.
    if not any(step.verifies for step in ctx.runbook.steps):
        return  # nothing verified: nothing to group by id
    by_id: dict[str, list[Step]] = {}
    for step in ctx.runbook.steps:
        by_id.setdefault(step.id, []).append(step)
    for step in ctx.runbook.steps:
        if not step.verifies:
            continue
        verified_ids = list(
            dict.fromkeys(
                ref.name for ref in step.verifies if ref.name in by_id and ref.name != step.id
            )
        )
        if not verified_ids:  # unknown names are RL102's; verifying only itself means nothing
            continue
        written = [ref for name in verified_ids for other in by_id[name] for ref in other.writes]
        if any(overlaps(read.name, write.name) for read in step.reads for write in written):
            continue
        names = quoted(verified_ids)
        # Point at the first entry naming a step verified here, not at an
        # unknown name or the step itself.
        where = next(ref.span for ref in step.verifies if ref.name in verified_ids)
        if not written:
            # Verifying something that changes nothing confirms nothing: RL601
            # counts only changes, so such a check verifies no change at all.
            which = "changes" if len(verified_ids) == 1 else "change"
            yield Issue(
                where,
                f"`{step.id}` verifies {names}, which {which} no resource: there is nothing"
                " for it to confirm",
                suggestion=f"name the change `{step.id}` checks in `verifies`, or drop `verifies`",
                steps=involved(verified_ids, step.id),
            )
            continue
        written_names = list(dict.fromkeys(ref.name for ref in written))
        if not step.reads:
            reads = "reads nothing at all"
            suggestion = f"reads: [{', '.join(written_names[:_RELATED])}]"
        else:
            they = "it writes" if len(verified_ids) == 1 else "they write"
            reads = f"reads nothing {they}"
            suggestion = f"add {quoted(written_names)} to the `reads` of `{step.id}`"
        yield Issue(
            where,
            f"`{step.id}` verifies {names} but {reads}: it cannot see whether"
            f" the change to {quoted(written_names)} worked",
            suggestion=suggestion,
            steps=involved(verified_ids, step.id),
            related=tuple(
                islice(
                    (
                        Related(f"`{other.id}` writes `{ref.name}` here", ref.span)
                        for name in verified_ids
                        for other in by_id[name]
                        for ref in other.writes
                    ),
                    _RELATED,
                )
            ),
        )
