"""RL307 input-maybe-unproduced: a fact missing on one path of the run."""

HEADER = """
runbook: r
given: [alert]
roles:
  commander: {authority: [decide, approve, communicate]}
  oncall: {authority: [observe, apply]}
"""

DECISION = HEADER + """
steps:
  - id: choose
    role: commander
    decides: [hotfix, rollback]
  - parallel:
      - id: hotfix
        role: oncall
        outputs: [version]
      - id: rollback
        role: oncall
  - id: check
    role: oncall
    inputs: [version]
"""


def test_a_fact_only_one_alternative_outputs_is_missing_on_the_other(lint):
    found = lint(DECISION, "RL307")
    assert [(f.span.line, f.span.column, f.message) for f in found] == [
        (
            19,
            14,
            "when `choose` chooses `rollback`, `check` runs without `hotfix` having run:"
            " nothing else before it outputs `version`",
        )
    ]
    assert found[0].steps == ("hotfix", "check")


def test_no_finding_when_every_alternative_or_a_step_after_the_join_outputs_it(lint):
    both = DECISION.replace("      - id: rollback\n        role: oncall\n",
                            "      - id: rollback\n        role: oncall\n        outputs: [version]\n")
    assert lint(both, "RL307") == []
    joined = DECISION.replace("  - id: check\n", "  - id: read-version\n    role: oncall\n"
                              "    outputs: [version]\n  - id: check\n")
    assert lint(joined, "RL307") == []


def test_a_step_inside_the_branch_has_its_producer(lint):
    inside = HEADER + """
steps:
  - id: choose
    role: commander
    decides: [hotfix, rollback]
  - parallel:
      - sequence:
          - id: hotfix
            role: oncall
            outputs: [version]
          - id: check
            role: oncall
            inputs: [version]
      - id: rollback
        role: oncall
"""
    assert lint(inside, "RL307") == []


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


CONDITION = HEADER + """
steps:
  - id: rebuild
    role: oncall
    when: the lag is over ten minutes
    outputs: [replica]
  - id: check
    role: oncall
    inputs: [replica]
"""


def test_a_producer_that_runs_only_when_a_condition_holds(lint):
    found = lint(CONDITION, "RL307")
    assert [f.message for f in found] == [
        "when `the lag is over ten minutes` does not hold (the condition of `rebuild`), `check` runs"
        " without `rebuild` having run: nothing else before it outputs `replica`"
    ]
    shared = CONDITION.replace("    inputs: [replica]\n", "    inputs: [replica]\n    when: the lag is over ten minutes\n")
    assert lint(shared, "RL307") == []
    unconditional = CONDITION.replace("    when: the lag is over ten minutes\n", "")
    assert lint(unconditional, "RL307") == []


def test_a_given_fact_is_never_missing(lint):
    assert lint(CONDITION.replace("given: [alert]", "given: [alert, replica]"), "RL307") == []
