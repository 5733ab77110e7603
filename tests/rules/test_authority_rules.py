"""RL501-RL506: each rule's trigger, with its location and words, and near misses."""


ROLES = """
runbook: r
roles:
  commander:
    authority: [decide, approve, communicate]
  oncall:
    authority: [observe, apply]
"""


def runbook(steps: str, roles: str = ROLES, header: str = "") -> str:
    """A runbook of these roles and these steps (written at the indentation of `steps:` items)."""
    return roles.lstrip("\n") + header + "steps:\n" + steps


# -- RL501 step-without-role ------------------------------------------------------------------


def test_rl501_step_with_a_role_is_clean_even_an_unknown_one(lint):
    text = runbook("  - id: fix\n    role: oncall\n    writes: [db]\n  - id: x\n    role: nobody\n")
    assert lint(text, "RL501") == []
    assert [f.code for f in lint(text) if f.span.line == 12] == ["RL102"]  # `role: nobody`


# -- RL503 change-without-approval ------------------------------------------------------------


def test_rl503_unknown_roles_are_rl102s(lint):
    unknown_approval = runbook(
        "  - id: restart\n    role: oncall\n    approval: comander\n    writes: [db]\n"
    )
    assert lint(unknown_approval, "RL503") == []
    codes = [f.code for f in lint(unknown_approval) if f.code[:3] in ("RL1", "RL5")]
    assert codes == ["RL102"]
    unknown_role = runbook(
        "  - id: restart\n    role: nobody\n    pre_approved: true\n    writes: [db]\n",
        header="criticality: critical\n",
    )
    assert lint(unknown_role, "RL503") == []
