"""RL307 input-maybe-unproduced: a fact missing on one path of the run."""

HEADER = """
runbook: r
given: [alert]
roles:
  commander: {authority: [decide, approve, communicate]}
  oncall: {authority: [observe, apply]}
"""


def test_rl302_keeps_the_case_where_no_path_has_a_producer(lint):
    after = HEADER + """
steps:
  - id: check
    role: oncall
    inputs: [version]
  - id: hotfix
    role: oncall
    outputs: [version]
"""
    assert [f.code for f in lint(after) if f.code in ("RL302", "RL307")] == ["RL302"]
