"""RL501-RL506: each rule's trigger, with its location and words, and near misses."""

from recoverylint.finding import Severity

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


def test_rl501_change_without_role_is_an_error_at_the_id(lint):
    (found,) = lint(
        runbook("  - id: diagnose\n    role: oncall\n  - id: restart\n    writes: [db]\n"),
        "RL501",
    )
    assert (found.span.line, found.span.column, found.span.end_column) == (10, 9, 16)
    assert found.severity is Severity.ERROR
    assert found.message == (
        "`restart` changes `db` but has no `role`: nobody is accountable for the change"
        " and its authority cannot be checked"
    )
    assert found.suggestion == "role: oncall"  # the one role with `apply` that is not the commander
    assert found.steps == ("restart",)


def test_rl501_other_step_without_role_is_a_warning(lint):
    (found,) = lint(runbook("  - id: look\n    reads: [db]\n"), "RL501")
    assert found.severity is Severity.WARNING
    assert found.message == "`look` has no `role`: during the incident nobody knows who is to do it"
    assert found.suggestion == "role: oncall"  # the only `observe` role


def test_rl501_closing_is_the_commanders(lint):
    (found,) = lint(runbook("  - id: resolve\n    phase: close\n"), "RL501")
    assert found.suggestion == "role: commander"


def test_rl501_generic_suggestion_when_no_role_or_several_fit(lint):
    (none_declared,) = lint("runbook: r\nsteps:\n  - id: fix\n    writes: [db]\n", "RL501")
    assert none_declared.suggestion == (
        "role: <role> (a role declared under `roles` holding `apply`)"
    )
    two_appliers = ROLES + "  sre:\n    authority: [observe, apply]\n"
    (ambiguous,) = lint(runbook("  - id: fix\n    writes: [db]\n", two_appliers), "RL501")
    assert ambiguous.suggestion.startswith("role: <role>")


def test_rl501_step_with_a_role_is_clean_even_an_unknown_one(lint):
    text = runbook("  - id: fix\n    role: oncall\n    writes: [db]\n  - id: x\n    role: nobody\n")
    assert lint(text, "RL501") == []
    assert [f.code for f in lint(text) if f.span.line == 12] == ["RL102"]  # `role: nobody`


# -- RL502 role-lacks-authority ---------------------------------------------------------------


def test_rl502_change_by_a_role_without_apply(lint):
    (found,) = lint(
        runbook("  - id: restart\n    role: commander\n    writes: [db]\n"), "RL502"
    )
    assert (found.span.line, found.span.column, found.span.end_column) == (9, 11, 20)
    assert found.message == (
        "`restart` changes `db` but its role `commander` lacks `apply` authority:"
        " whoever performs it is not entitled to"
    )
    assert found.suggestion == (
        "add `apply` to the authority of `commander`, or give the step a role that holds it"
        " (`oncall`)"
    )


def test_rl502_one_finding_per_missing_word(lint):
    found = lint(
        runbook(
            "  - id: a\n  - id: b\n  - id: everything\n    role: oncall\n    phase: communicate\n"
            "    decides: [a, b]\n    approves: [a]\n    writes: [db]\n"
        ),
        "RL502",
    )
    assert sorted(f.message.split("lacks ")[1].split(" ")[0] for f in found) == [
        "`approve`",
        "`communicate`",
        "`decide`",
    ]
    (decide,) = [f for f in found if "`decide`" in f.message]
    assert decide.message.startswith("`everything` decides between `a` and `b` but its role")
    assert {(f.span.line, f.span.column) for f in found} == {(11, 11)}


def test_rl502_no_holder_to_name(lint):
    roles = "runbook: r\nroles:\n  oncall:\n    authority: [observe]\n"
    text = runbook("  - id: post\n    role: oncall\n    phase: communicate\n", roles)
    (found,) = lint(text, "RL502")
    assert found.message.startswith("`post` is a communicate-phase step but its role `oncall`")
    assert found.suggestion == (
        "add `communicate` to the authority of `oncall`, or give the step a role that holds it"
    )


def test_rl502_near_misses(lint):
    text = runbook(
        "  - id: a\n    role: oncall\n  - id: b\n    role: oncall\n"
        "  - id: fix\n    role: oncall\n    writes: [db]\n"
        "  - id: pick\n    role: commander\n    decides: [a, b]\n    approves: [fix]\n"
        "  - id: post\n    role: commander\n    phase: communicate\n"
        "  - id: ghost\n    role: nobody\n    writes: [db]\n"  # unknown: RL102's, not RL502's
        "  - id: orphan\n    writes: [db]\n"  # no role: RL501's
    )
    assert lint(text, "RL502") == []


# -- RL503 change-without-approval ------------------------------------------------------------


def test_rl503_critical_runbook_requires_approval_of_every_change(lint):
    text = runbook(
        "  - id: restart\n    role: oncall\n    writes: [db]\n", header="criticality: critical\n"
    )
    (found,) = lint(text, "RL503")
    assert (found.span.line, found.span.column) == (9, 9)  # the id
    assert found.message == (
        "`restart` requires approval (the runbook is `criticality: critical`) but no approval"
        " role is named and no step before it approves it: the change would be made on one"
        " person's judgement"
    )
    assert found.suggestion == (
        "give it `approval: commander`, or add a step before it with `approves: [restart]`"
        " performed by `commander`"
    )
    assert lint(text.replace("critical\n", "high\n"), "RL503") == []


def test_rl503_approving_step_counts_only_before_the_change(lint):
    before = runbook(
        "  - id: ok-restart\n    role: commander\n    approves: [restart]\n"
        "  - id: restart\n    role: oncall\n    writes: [db]\n",
        header="criticality: critical\n",
    )
    assert lint(before, "RL503") == []
    after = runbook(
        "  - id: restart\n    role: oncall\n    writes: [db]\n"
        "  - id: ok-restart\n    role: commander\n    approves: [restart]\n",
        header="criticality: critical\n",
    )
    (found,) = lint(after, "RL503")
    assert "`ok-restart`, which approves it, does not come before it" in found.message
    # `needs: [ok-restart]` would make a cycle: the approval has to move.
    assert found.suggestion == "move `ok-restart` before `restart`: approval comes before the change"
    assert found.steps == ("ok-restart", "restart")
    alongside = before.replace("steps:\n", "flow: parallel\nsteps:\n")
    (found,) = lint(alongside, "RL503")
    assert "does not come before it" in found.message
    assert found.suggestion == "needs: [ok-restart]"


def test_rl503_nobody_approves_their_own_change(lint):
    self_approving = runbook(
        "  - id: restart\n    role: oncall\n    writes: [db]\n    approves: [restart]\n"
        "  - id: sign-off\n    role: oncall\n    approves: [restart, restart]\n",
        header="criticality: critical\n",
    )
    (found,) = lint(self_approving, "RL503")
    assert "no step before it approves it" in found.message  # neither itself nor its own role
    own_role = runbook("  - id: restart\n    role: oncall\n    approval: oncall\n    writes: [db]\n")
    (found,) = lint(own_role.replace("[observe, apply]", "[observe, apply, approve]"), "RL503")
    assert "`oncall` is its own role, which cannot approve its own change" in found.message


def test_rl503_step_approval_role_with_approve_satisfies(lint):
    text = runbook(
        "  - id: restart\n    role: oncall\n    approval: commander\n    writes: [db]\n"
    )
    assert lint(text, "RL503") == []


AUDITED = ROLES + "  auditor:\n    authority: [observe]\n"


def test_rl503_approval_role_without_approve(lint):
    text = runbook(
        "  - id: restart\n    role: oncall\n    approval: auditor\n    writes: [db]\n", AUDITED
    )
    (found,) = lint(text, "RL503")
    assert (found.span.line, found.span.column) == (12, 15)  # the step's `approval` value
    assert found.message == (
        "`restart` requires approval (its `approval` names `auditor`) but `auditor` lacks"
        " `approve` authority and no step before it approves it: the change would be made on"
        " one person's judgement"
    )
    assert found.suggestion == (
        "add `approve` to the authority of `auditor`, or add a step before it with"
        " `approves: [restart]`"
    )


def test_rl503_role_approval_covers_the_roles_changes(lint):
    roles = AUDITED.replace("[observe, apply]\n", "[observe, apply]\n    approval: auditor\n")
    text = runbook(
        "  - id: restart\n    role: oncall\n    writes: [db]\n"
        "  - id: look\n    role: oncall\n    reads: [db]\n",
        roles,
    )
    (found,) = lint(text, "RL503")
    assert (found.span.line, found.span.column) == (11, 9)  # the change's id, not the role's key
    assert "(its role `oncall` requires `auditor`'s approval)" in found.message
    assert [(r.span.line, r.span.column) for r in found.related] == [(7, 15)]
    able = text.replace("authority: [observe]\n", "authority: [observe, approve]\n")
    assert lint(able, "RL503") == []


def test_rl503_step_approval_overrides_the_roles(lint):
    roles = ROLES + "    approval: oncall\n"
    text = runbook(
        "  - id: restart\n    role: oncall\n    approval: commander\n    writes: [db]\n", roles
    )
    assert lint(text, "RL503") == []


def test_rl503_pre_approved_needs_emergency(lint):
    text = runbook(
        "  - id: failover\n    role: oncall\n    pre_approved: true\n    writes: [db]\n",
        header="criticality: critical\n",
    )
    (found,) = lint(text, "RL503")
    assert (found.span.line, found.span.column) == (10, 11)  # the `role:` value
    assert found.message == (
        "`failover` is `pre_approved` but its role `oncall` lacks `emergency` authority:"
        " it may not apply a change without approval"
    )
    assert found.suggestion == (
        "add `emergency` to the authority of `oncall`, or drop `pre_approved` and have it approved"
    )
    # With `emergency`, a pre-approved change needs no approval, even in a critical runbook.
    assert lint(text.replace("[observe, apply]", "[observe, apply, emergency]"), "RL503") == []


def test_rl503_pre_approved_without_role_points_at_the_id(lint):
    roles = ROLES + "  responder:\n    authority: [apply, emergency]\n"
    text = runbook("  - id: failover\n    pre_approved: true\n    writes: [db]\n", roles)
    (found,) = lint(text, "RL503")
    assert (found.span.line, found.span.column) == (10, 9)
    assert "has no role, so nobody with `emergency`" in found.message
    assert found.suggestion == (
        "give it a role holding `emergency` (`responder`), or drop `pre_approved` and have it"
        " approved"
    )


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


def test_rl503_non_changes_need_no_approval(lint):
    text = runbook(
        "  - id: look\n    role: oncall\n    approval: oncall\n    reads: [db]\n",
        header="criticality: critical\n",
    )
    assert lint(text, "RL503") == []


# -- RL504 approval-by-unauthorized-role ------------------------------------------------------


def test_rl504_step_and_role_approvals_without_approve(lint):
    roles = ROLES + "    approval: oncall\n"
    found = lint(
        runbook(
            "  - id: restart\n    role: commander\n    approval: oncall\n    writes: [db]\n", roles
        ),
        "RL504",
    )
    assert [(f.span.line, f.span.column, f.span.end_column) for f in found] == [
        (7, 15, 21),  # the role's `approval` value
        (11, 15, 21),  # the step's
    ]
    assert found[0].message == (
        "role `oncall` requires `oncall`'s approval of its changes, but `oncall` lacks"
        " `approve` authority: its approval counts for nothing"
    )
    assert found[1].message == (
        "`restart` requires `oncall`'s approval, but `oncall` lacks `approve` authority:"
        " its approval counts for nothing"
    )
    assert found[1].suggestion == (
        "add `approve` to the authority of `oncall`, or name a role that holds it (`commander`)"
    )
    assert found[1].steps == ("restart",)


def test_rl504_near_misses(lint):
    roles = ROLES + "    approval: commander\n"
    text = runbook(
        "  - id: restart\n    role: oncall\n    approval: commander\n    writes: [db]\n"
        "  - id: resize\n    role: oncall\n    approval: ghost\n    writes: [db]\n",  # RL102's
        roles,
    )
    assert lint(text, "RL504") == []


# -- RL505 no-commander -----------------------------------------------------------------------


def test_rl505_no_role_holds_decide(lint):
    roles = "runbook: r\nroles:\n  oncall:\n    authority: [observe, apply]\n"
    (found,) = lint(runbook("  - id: a\n    role: oncall\n", roles), "RL505")
    assert (found.span.line, found.span.column, found.span.end_column) == (2, 1, 6)  # `roles`
    assert found.message == (
        "no role holds `decide`: nobody has the final say on alternatives or on declaring"
        " the incident resolved"
    )


def test_rl505_no_roles_at_all(lint):
    (found,) = lint("runbook: r\nsteps:\n  - id: a\n", "RL505")
    assert (found.span.line, found.span.column) == (1, 10)  # the runbook's id
    assert found.message.startswith("the runbook declares no roles, so no role holds `decide`")
    assert "nobody has the final say" in found.message


def test_rl505_several_deciders(lint):
    roles = ROLES + "  lead:\n    authority: [decide]\n"
    (found,) = lint(runbook("  - id: a\n    role: oncall\n", roles), "RL505")
    assert (found.span.line, found.span.column) == (2, 1)
    assert found.message.startswith("several roles hold `decide` (`commander` and `lead`)")
    assert [(r.message, r.span.line) for r in found.related] == [
        ("`commander` holds `decide`", 3),
        ("`lead` holds `decide`", 7),
    ]


def test_rl505_one_commander_is_clean(lint):
    assert lint(runbook("  - id: a\n    role: oncall\n"), "RL505") == []


# -- RL506 commander-applies-changes ----------------------------------------------------------


def test_rl506_commander_making_a_change(lint):
    roles = ROLES.replace("[decide, approve, communicate]", "[decide, approve, apply, communicate]")
    found = lint(
        runbook(
            "  - id: restart\n    role: commander\n    writes: [db]\n"
            "  - id: look\n    role: commander\n    reads: [db]\n"
            "  - id: resize\n    role: oncall\n    writes: [db]\n",
            roles,
        ),
        "RL506",
    )
    assert [(f.span.line, f.span.column) for f in found] == [(9, 11)]  # `restart`'s `role:` value
    assert found[0].severity is Severity.INFO
    assert found[0].message == (
        "`restart` changes `db` and is performed by `commander`, who holds `decide`:"
        " while the commander works hands-on, nobody directs the response"
    )
    assert found[0].suggestion == "role: oncall"


def test_rl506_without_a_hands_on_role(lint):
    roles = "runbook: r\nroles:\n  boss:\n    authority: [decide, apply]\n"
    (found,) = lint(runbook("  - id: fix\n    role: boss\n    writes: [db]\n", roles), "RL506")
    assert found.suggestion == (
        "declare a role with `apply` and without `decide` for hands-on work,"
        " and keep `boss` directing"
    )
    assert lint(runbook("  - id: fix\n    role: ghost\n    writes: [db]\n", roles), "RL506") == []
