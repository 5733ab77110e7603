"""RL201's fix removes only `needs` entries naming a step once: one named
twice is RL203's to remove (an entry of the two), and the step's other
needless entries still go."""

import textwrap

from recoverylint.engine import check_text

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
