from ..finding import Issue
from ..model import NATIVE
from . import GraphContext, Issues, graph_rule


@graph_rule("RL202")
def needless_stage_gate(ctx: GraphContext) -> Issues:
    stages = {stage.name: stage for stage in ctx.runbook.stages}
    for earlier, later in ctx.graphs.needless_stage_gates():
        stage = stages[later]
        yield Issue(
            stage.span,
            f"stage `{later}` waits for stage `{earlier}`, but none of its steps needs"
            f" anything from `{earlier}`: the two stages could overlap",
            suggestion=(
                f"set `gate: false` on stage `{later}`, or merge the two stages"
                if ctx.runbook.format == NATIVE
                else f"merge `{later}` into `{earlier}`, so that its steps start together with"
                " those of the group before"
            ),
            steps=stages[earlier].steps[:1] + stage.steps[:1],
        )
