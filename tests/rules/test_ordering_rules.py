"""RL201-RL203 and RL301-RL306: triggers with locations, and near misses."""


def test_rl202_needless_stage_gate_replaces_rl201(lint):
    found = lint(
        """
        runbook: r
        stages:
          - stage: one
            steps:
              - id: a
          - stage: two
            steps:
              - id: b
        """
    )
    ordering = [f for f in found if f.code.startswith(("RL2", "RL3"))]
    assert [(f.code, f.span.line, f.span.column) for f in ordering] == [("RL202", 6, 12)]


def test_rl202_a_needed_gate_is_quiet(lint):
    text = """
        runbook: r
        stages:
          - stage: one
            steps:
              - id: a
                outputs: [x]
          - stage: two
            steps:
              - id: b
                inputs: [x]
        """
    assert [f for f in lint(text) if f.code.startswith(("RL1", "RL2", "RL3"))] == []


def test_rl304_remediation_without_diagnosis(lint):
    text = """
        runbook: r
        steps:
          - id: restart
            phase: remediate
            writes: [api]
        """
    (found,) = lint(text, "RL304")
    assert (found.span.line, found.span.column) == (4, 12)
    diagnosed = text.replace(
        "steps:\n", "steps:\n          - id: look\n            phase: diagnose\n"
    )
    assert [f.code for f in lint(diagnosed) if f.code.startswith(("RL0", "RL304"))] == []
    assert lint(text + "    pre_approved: true\n", "RL304") == []
