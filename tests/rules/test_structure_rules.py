"""RL101-RL105: each rule's trigger, with its location, and a near miss that must not trigger."""

from recoverylint.rules import Capability, registry


def test_rl103_skips_graph_rules(lint):
    found = lint(
        """
        runbook: r
        steps:
          - id: a
          - id: b
            needs: [b]
        """
    )
    codes = {f.code for f in found}
    assert "RL103" in codes
    assert not any(Capability.GRAPHS in registry()[code].needs for code in codes)
