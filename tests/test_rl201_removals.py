"""RL201's fix removes only `needs` entries naming a step once: one named
twice is RL203's to remove (an entry of the two), and the step's other
needless entries still go; an entry removed has no reason, and no step
after the waiting one requires the step it names."""

import textwrap

from hypothesis import HealthCheck, assume, given, settings
from test_analysis_lifting import runbooks

from recoverylint.engine import check_text
from recoverylint.finding import RemoveNeed

RUNBOOK = textwrap.dedent(
    """\
    runbook: r
    flow: parallel
    given: [alert]
    steps:
      - id: a
        duration: 2m
      - id: b
        duration: 3m
      - id: c
        duration: 1m
        needs: [a, b, a]
      - id: d
        duration: 1m
        needs: [b, a]
    """
)


def test_a_step_named_twice_is_left_to_rl203_and_the_others_removed():
    fixes = {
        finding.steps[-1]: finding.fix.description
        for finding in check_text(RUNBOOK).findings
        if finding.code == "RL201" and finding.fix is not None
    }
    assert fixes == {
        "c": "remove `b` from the `needs` of `c` (a false gate)",
        "d": "remove `a` and `b` from the `needs` of `d` (false gates)",
    }
    [twice] = [finding for finding in check_text(RUNBOOK).findings if finding.code == "RL203"]
    assert twice.message == "`c` needs `a` redundantly: `a` is listed twice"


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(runbooks())
def test_a_removed_entry_names_its_step_once_without_reason_and_no_later_step_requires_it(text):
    result = check_text(text, keep_graphs=True)
    graphs = result.graphs
    assume(graphs is not None)
    for finding in result.findings:
        if finding.code != "RL201" or finding.fix is None or not finding.fix.safe:
            continue
        edit = finding.fix.edit
        removed = (edit.need,) if isinstance(edit, RemoveNeed) else edit.needs
        target = graphs.index[edit.step]
        needs = graphs.steps[target].needs
        for name in removed:
            [entry] = [need for need in needs if need.step == name]
            assert not entry.reason
            source = graphs.index[name]
            assert not any(
                graphs.before(target, later) and graphs.requires(source, later) for later in range(len(graphs.steps))
            )
