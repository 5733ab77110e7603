"""The rules that need the graphs share one GraphContext per runbook: it is
made once, not once per rule."""

import dataclasses

from recoverylint.capabilities import Capability
from recoverylint.engine import check_text, run_rules
from recoverylint.rules import GraphContext, RuleContext, registry

RUNBOOK = """\
runbook: shared
given: [alert]
steps:
  - id: a
    inputs: [alert]
  - id: b
    inputs: [alert]
"""


def test_every_graph_rule_of_a_runbook_gets_the_same_context(monkeypatch):
    runbook = check_text(RUNBOOK).runbook
    seen: list[RuleContext] = []
    graph_rules = [rule for rule in registry().values() if Capability.GRAPHS in rule.needs]
    for rule in graph_rules:

        def check(context: RuleContext, original=rule.check) -> list:
            seen.append(context)
            return list(original(context))

        monkeypatch.setitem(registry(), rule.code, dataclasses.replace(rule, check=check))
    findings = run_rules(runbook)
    assert {finding.code for finding in findings} >= {"RL201"}  # the rules still ran as before
    assert len(seen) >= len(graph_rules) // 2  # those the native format gives a subject to
    assert all(isinstance(context, GraphContext) for context in seen)
    assert len({id(context) for context in seen}) == 1


def test_without_graphs_a_graph_rule_refuses_to_run():
    runbook = check_text(RUNBOOK).runbook
    rule = registry()["RL201"]
    try:
        rule.run(RuleContext(runbook, None))
    except RuntimeError as error:
        assert "RL201 needs the graphs" in str(error)
    else:
        raise AssertionError("RL201 ran without graphs")
