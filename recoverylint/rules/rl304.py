from ..finding import Issue
from ..model import Phase
from ..words import in_own_words
from . import Capability, GraphContext, Issues, graph_rule


@graph_rule("RL304", needs=(Capability.PHASES,))
def remediation_without_hypothesis(ctx: GraphContext) -> Issues:
    graphs = ctx.graphs
    diagnosis = graphs.mask(s.index for s in graphs.steps if s.phase is Phase.DIAGNOSE)
    for step in graphs.steps:
        if step.phase is not Phase.REMEDIATE or step.pre_approved:
            continue
        changed = ctx.changes[step.index]  # a post to a status page is no fix
        if not changed:
            continue
        if graphs.ancestors[step.index] & diagnosis:
            continue
        yield Issue(
            step.phase_span or step.span,
            f"`{step.id}` changes {', '.join(f'`{w.name}`' for w in changed)} with no"
            " diagnose-phase step before it: the fix is applied before anyone knows the cause",
            suggestion=in_own_words(
                ctx.runbook.wording,
                "diagnose_first",
                "make it wait for a diagnose step, or mark it `pre_approved` as an emergency action",
                step=step.id,
            ),
            steps=(step.id,),
        )
