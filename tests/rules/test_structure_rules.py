"""RL101-RL105: each rule's trigger, with its location, and a near miss that must not trigger."""

from recoverylint.rules import Capability, registry


def test_rl101_reports_both_duplicates(lint):
    found = lint(
        """
        runbook: r
        steps:
          - id: a
          - id: b
          - id: a
        """,
        "RL101",
    )
    assert [(f.span.line, f.span.column) for f in found] == [(3, 9), (5, 9)]
    assert "also on line 5" in found[0].message


def test_rl101_unique_ids_are_clean(lint):
    assert lint("runbook: r\nsteps:\n  - id: a\n  - id: b\n", "RL101") == []


def test_rl102_unknown_need_suggests_closest(lint):
    (found,) = lint(
        """
        runbook: r
        flow: parallel
        steps:
          - id: check-disk
          - id: fix
            needs: [check-dsk]
        """,
        "RL102",
    )
    assert (found.span.line, found.span.column) == (6, 13)
    assert found.suggestion == "did you mean `check-disk`?"


def test_rl102_unknown_role_and_resource(lint):
    found = lint(
        """
        runbook: r
        roles:
          sre: {authority: [apply]}
        resources:
          k8s/orders: {kind: pods}
        steps:
          - id: a
            role: sre
            writes: [k8s/orders/pod-1, k8s/payments]
          - id: b
            role: sr
        """,
        "RL102",
    )
    assert [(f.span.line, f.span.column) for f in found] == [(9, 32), (11, 11)]


def test_rl102_rollback_prose_is_not_a_reference(lint):
    text = """
        runbook: r
        steps:
          - id: a
            rollback: restore the snapshot taken at step one
          - id: b
            rollback: a
        """
    assert lint(text, "RL102") == []
    assert len(lint(text.replace("rollback: a", "rollback: restore-snapshot"), "RL102")) == 1


def test_rl103_prints_the_cycle(lint):
    (found,) = lint(
        """
        runbook: r
        flow: parallel
        steps:
          - id: a
            needs: [c]
          - id: b
            needs: [a]
          - id: c
            needs: [b]
        """,
        "RL103",
    )
    assert "`a` → `b` → `c` → `a`" in found.message
    assert (found.span.line, found.span.column) == (9, 13)


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


def test_rl104_missing_input(lint):
    (found,) = lint(
        """
        runbook: r
        given: [alert]
        steps:
          - id: a
            inputs: [alert, disk-usage]
        """,
        "RL104",
    )
    assert (found.span.line, found.span.column) == (5, 21)


def test_rl104_given_and_outputs_satisfy(lint):
    text = """
        runbook: r
        given: [alert]
        steps:
          - id: a
            inputs: [alert]
            outputs: [x]
          - id: b
            inputs: [x]
        """
    assert lint(text, "RL104") == []


def test_rl105_unused_output_is_info(lint):
    (found,) = lint("runbook: r\nsteps:\n  - id: a\n    outputs: [x]\n", "RL105")
    assert found.severity.value == "info"
    assert (found.span.line, found.span.column) == (4, 15)


def test_rl101_names_at_most_five_other_places(lint):
    text = "runbook: r\nsteps:\n" + "  - id: s\n" * 8
    found = lint(text, "RL101")
    assert len(found) == 8
    assert "(also on line 4, 5, 6, 7, 8 and 2 more)" in found[0].message
    assert len(found[0].related) == 5
