"""RL601-RL603: verification and safety, triggers with locations, and near misses."""

from recoverylint.finding import Severity

RESTART = """
runbook: r
given: [alert]
steps:
  - id: find-pods
    inputs: [alert]
    reads: [k8s/checkout/pods]
    outputs: [leaking-pods]
  - id: restart-pods
    inputs: [leaking-pods]
    writes: [k8s/checkout/pods, k8s/checkout/config]
    rollback: scale up the previous ReplicaSet
"""


# -- RL601 change-without-verification ------------------------------------


def test_rl601_change_without_verification(lint):
    (found,) = lint(RESTART, "RL601")
    assert (found.span.line, found.span.column, found.span.end_column) == (10, 14, 31)
    assert found.message == (
        "`restart-pods` changes `k8s/checkout/pods` and `k8s/checkout/config` but no step"
        " verifies it afterwards, so nothing confirms it worked before the incident is closed"
    )
    assert found.suggestion == (
        "add a verify-phase step after `restart-pods` that reads `k8s/checkout/pods` and"
        " `k8s/checkout/config`, or give a later check `verifies: [restart-pods]`"
    )
    assert found.steps == ("restart-pods",)


def test_rl601_verify_phase_step_reading_under_what_it_writes_verifies_it(lint):
    text = RESTART + "  - id: watch\n    phase: verify\n    reads: [k8s/checkout/pods/p1]\n"
    assert lint(text, "RL601") == []
    unrelated = RESTART + "  - id: watch\n    phase: verify\n    reads: [k8s/billing]\n"
    assert len(lint(unrelated, "RL601")) == 1


def test_rl601_explicit_verifies_after_the_change(lint):
    text = RESTART + "  - id: ask\n    verifies: [restart-pods]\n    reads: [k8s/checkout]\n"
    assert lint(text, "RL601") == []


def test_rl601_a_later_diagnose_step_reading_it_is_no_verification(lint):
    text = RESTART + "  - id: look\n    phase: diagnose\n    reads: [k8s/checkout/pods]\n"
    assert len(lint(text, "RL601")) == 1


def test_rl601_verification_alongside_the_change_does_not_count(lint):
    (found,) = lint(
        """
        runbook: r
        steps:
          - parallel:
              - id: restart-pods
                writes: [k8s/pods]
                rollback: undo
              - id: watch
                phase: verify
                reads: [k8s/pods]
        """,
        "RL601",
    )
    assert "its only verifications can run before or alongside it" in found.message


def test_rl601_verification_before_the_change_does_not_count(lint):
    (found,) = lint(
        """
        runbook: r
        steps:
          - id: watch
            verifies: [restart-pods]
            reads: [k8s/pods]
          - id: restart-pods
            writes: [k8s/pods]
        """,
        "RL601",
    )
    assert found.steps == ("restart-pods",)


def test_rl601_a_change_verifying_itself_is_not_verified(lint):
    text = """
        runbook: r
        steps:
          - id: restart-pods
            phase: verify
            reads: [k8s/pods]
            writes: [k8s/pods]
            verifies: [restart-pods]
        """
    assert len(lint(text, "RL601")) == 1


def test_rl601_one_verification_covers_each_change_it_reads(lint):
    text = """
        runbook: r
        steps:
          - id: resize-db
            writes: [db/disk]
          - id: restart-api
            writes: [k8s/api]
          - id: check
            phase: verify
            reads: [db, k8s/*]
        """
    assert lint(text, "RL601") == []


# -- RL602 vacuous-verification --------------------------------------------


def test_rl602_verification_reading_nothing(lint):
    text = RESTART + "  - id: ask-channel\n    phase: verify\n    verifies: [restart-pods]\n"
    (found,) = lint(text, "RL602")
    assert (found.span.line, found.span.column, found.span.end_column) == (14, 16, 28)
    assert found.message == (
        "`ask-channel` verifies `restart-pods` but reads nothing at all: it cannot see whether"
        " the change to `k8s/checkout/pods` and `k8s/checkout/config` worked"
    )
    assert found.suggestion == "reads: [k8s/checkout/pods, k8s/checkout/config]"
    assert found.steps == ("restart-pods", "ask-channel")
    assert [(r.message, r.span.line, r.span.column) for r in found.related] == [
        ("`restart-pods` writes `k8s/checkout/pods` here", 10, 14),
        ("`restart-pods` writes `k8s/checkout/config` here", 10, 33),
    ]


def test_rl602_verification_reading_something_else(lint):
    text = RESTART + "  - id: dash\n    verifies: [restart-pods]\n    reads: [grafana/billing]\n"
    (found,) = lint(text, "RL602")
    assert "but reads nothing it writes:" in found.message
    assert found.suggestion == (
        "add `k8s/checkout/pods` and `k8s/checkout/config` to the `reads` of `dash`"
    )


def test_rl602_overlap_with_any_verified_change_is_enough(lint):
    text = """
        runbook: r
        steps:
          - id: resize-db
            writes: [db/disk]
          - id: restart-api
            writes: [k8s/api]
          - id: check
            verifies: [resize-db, restart-api]
            reads: [db]
        """
    assert lint(text, "RL602") == []
    (found,) = lint(text.replace("reads: [db]", "reads: [cache]"), "RL602")
    assert "verifies `resize-db` and `restart-api` but reads nothing they write" in found.message


def test_rl602_glob_read_overlaps(lint):
    text = RESTART + "  - id: w\n    verifies: [restart-pods]\n    reads: [k8s/*/pods]\n"
    assert lint(text, "RL602") == []


def test_rl602_verifying_a_step_that_changes_nothing(lint):
    text = RESTART + "  - id: w\n    verifies: [find-pods]\n    reads: [k8s/checkout/pods]\n"
    (found,) = lint(text, "RL602")
    assert found.message == (
        "`w` verifies `find-pods`, which changes no resource: there is nothing for it to confirm"
    )


def test_rl602_leaves_unknown_names_and_implicit_verification_alone(lint):
    unknown = RESTART + "  - id: w\n    verifies: [restart-podz]\n"
    assert lint(unknown, "RL602") == []
    assert lint(unknown, "RL102")
    implicit = RESTART + "  - id: w\n    phase: verify\n    reads: [k8s/billing]\n"
    assert lint(implicit, "RL602") == []


def test_rl602_runs_when_the_order_has_a_cycle(lint):
    text = """
        runbook: r
        flow: parallel
        steps:
          - id: a
            needs: [b]
            writes: [db]
          - id: b
            needs: [a]
            verifies: [a]
        """
    assert lint(text, "RL103")
    assert len(lint(text, "RL602")) == 1


# -- RL603 change-without-rollback -----------------------------------------

FLAG = """
runbook: r
steps:
  - id: disable-flag
    writes: [flags/new-ranking]
"""


def test_rl603_change_without_rollback(lint):
    (found,) = lint(FLAG, "RL603")
    assert (found.span.line, found.span.column, found.span.end_column) == (3, 9, 21)
    assert found.message == (
        "`disable-flag` changes `flags/new-ranking` with no `rollback` and no alternative it"
        " `excludes`: if the change makes things worse, nobody has a written way back"
    )
    assert found.suggestion == "rollback: <the step id that undoes it, or how to undo it>"
    assert found.severity is Severity.WARNING


def test_rl603_is_info_for_a_low_criticality_service(lint):
    (found,) = lint(FLAG.replace("runbook: r\n", "runbook: r\ncriticality: low\n"), "RL603")
    assert found.severity is Severity.INFO
    (found,) = lint(FLAG.replace("runbook: r\n", "runbook: r\ncriticality: medium\n"), "RL603")
    assert found.severity is Severity.WARNING


def test_rl603_rollback_text_or_step_is_enough(lint):
    assert lint(FLAG + "    rollback: flagctl enable new-ranking\n", "RL603") == []
    assert lint(FLAG + "    rollback: enable-flag\n  - id: enable-flag\n", "RL603") == []


def test_rl603_reads_alone_need_no_rollback(lint):
    assert lint("runbook: r\nsteps:\n  - id: look\n    reads: [flags]\n", "RL603") == []


def test_rl603_excludes_counts_in_either_direction(lint):
    text = """
        runbook: r
        steps:
          - id: choose
            decides: [hotfix, rollback-deploy]
          - id: hotfix
            writes: [k8s/api]
            excludes: [rollback-deploy]
          - id: rollback-deploy
            writes: [k8s/api]
        """
    assert lint(text, "RL603") == []
    unknown = text.replace("excludes: [rollback-deploy]", "excludes: [rollback-deplyo]")
    assert [f.steps for f in lint(unknown, "RL603")] == [("hotfix",), ("rollback-deploy",)]


def test_rl603_a_rollback_naming_the_step_itself_is_no_rollback(lint):
    text = """
        runbook: r
        steps:
          - id: fix
            writes: [db]
            rollback: fix
        """
    (found,) = lint(text, "RL603")
    assert found.steps == ("fix",)


def test_rl602_points_at_the_first_entry_naming_a_verified_step(lint):
    text = """
        runbook: r
        steps:
          - id: fix
            writes: [db]
          - id: check
            phase: verify
            verifies: [check, nowhere, fix]
            reads: [cache]
        """
    (found,) = lint(text, "RL602")
    assert (found.span.line, found.span.column) == (7, 32)  # `fix`
