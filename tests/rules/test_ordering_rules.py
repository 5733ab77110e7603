"""RL201-RL203 and RL301-RL306: triggers with locations, and near misses."""

CHECKLIST = """
runbook: r
given: [alert]
steps:
  - id: triage
    inputs: [alert]
    outputs: [scope]
    duration: 5m
  - id: check-disk
    inputs: [scope]
    outputs: [disk-usage]
    duration: 10m
  - id: check-deploys
    inputs: [scope]
    outputs: [recent-deploys]
    duration: 5m
  - id: decide
    inputs: [disk-usage, recent-deploys]
    duration: 2m
"""


def test_rl201_names_real_prerequisites_and_minutes(lint):
    (found,) = lint(CHECKLIST, "RL201")
    assert (found.span.line, found.span.column) == (12, 9)  # the `check-deploys` id
    assert found.message == (
        "`check-deploys` waits for `check-disk` but uses nothing from it; it needs only"
        " `triage`. This gate adds 5 min to the critical path."
    )
    # In a sequence `needs` removes no wait: the help shows the block (issue 16, item 1).
    assert found.suggestion.startswith(
        "`check-deploys` sits in a sequence, where `needs` adds waits but removes none: put it"
        " beside `check-disk` in a `parallel:` block"
    )


def test_rl201_points_at_an_explicit_need_and_reports_zero_minutes(lint):
    (found,) = lint(
        """
        runbook: r
        flow: parallel
        steps:
          - id: slow
            duration: 30m
          - id: quick
            duration: 1m
          - id: other
            needs: [quick]
            duration: 1m
        """,
        "RL201",
    )
    assert (found.span.line, found.span.column) == (9, 13)  # the `needs` entry
    assert "it needs no other step first" in found.message
    assert "adds nothing to the critical path (0 min)" in found.message
    assert found.suggestion == (
        "needs: [] (it can start at once); if the wait is intended, say why:"
        " `needs: [{step: quick, reason: …}]`"
    )


def test_rl201_reasoned_need_is_intended(lint):
    text = """
        runbook: r
        flow: parallel
        steps:
          - id: drain
          - id: clear
            needs: [{step: drain, reason: "writes must stop first"}]
        """
    assert lint(text, "RL201") == []
    assert len(lint(text.replace('{step: drain, reason: "writes must stop first"}', "drain"), "RL201")) == 1


def test_rl201_resource_conflict_makes_a_gate_real(lint):
    text = """
        runbook: r
        steps:
          - id: restart
            writes: [orders-db]
          - id: resize
            writes: [orders-db]
        """
    assert lint(text, "RL201") == []


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


def test_rl203_need_implied_by_sequence(lint):
    (found,) = lint(
        """
        runbook: r
        steps:
          - id: a
            outputs: [x]
          - id: b
            inputs: [x]
            needs: [a]
        """,
        "RL203",
    )
    assert (found.span.line, found.span.column) == (7, 13)
    assert "sequence" in found.message


def test_rl203_need_implied_transitively(lint):
    found = lint(
        """
        runbook: r
        flow: parallel
        steps:
          - id: a
            outputs: [x]
          - id: b
            inputs: [x]
            outputs: [y]
            needs: [a]
          - id: c
            inputs: [x, y]
            needs: [b, a]
        """,
        "RL203",
    )
    assert [(f.span.line, f.span.column) for f in found] == [(12, 16)]
    assert "through `b`" in found[0].message


def test_rl301_input_race(lint):
    (found,) = lint(
        """
        runbook: r
        flow: parallel
        steps:
          - id: measure
            outputs: [lag]
          - id: failover
            inputs: [lag]
        """,
        "RL301",
    )
    assert (found.span.line, found.span.column) == (7, 14)
    assert found.suggestion == "needs: [measure]"


def test_rl302_input_used_before_produced(lint):
    (found,) = lint(
        """
        runbook: r
        steps:
          - id: failover
            inputs: [lag]
          - id: measure
            outputs: [lag]
        """,
        "RL302",
    )
    assert (found.span.line, found.span.column) == (4, 14)


def test_rl301_rl302_quiet_when_a_producer_comes_first(lint):
    text = """
        runbook: r
        steps:
          - id: measure
            outputs: [lag]
          - id: failover
            inputs: [lag]
          - id: measure-again
            outputs: [lag]
        """
    assert lint(text, "RL301") == [] and lint(text, "RL302") == []


def test_rl303_verification_concurrent_with_change(lint):
    (found,) = lint(
        """
        runbook: r
        flow: parallel
        steps:
          - id: restart
            writes: [api]
          - id: check
            phase: verify
            reads: [api]
        """,
        "RL303",
    )
    assert (found.span.line, found.span.column) == (8, 13)  # the `reads` entry


def test_rl303_explicit_verifies_before_change(lint):
    (found,) = lint(
        """
        runbook: r
        steps:
          - id: check
            verifies: [restart]
          - id: restart
            writes: [api]
        """,
        "RL303",
    )
    assert (found.span.line, found.span.column) == (4, 16)
    assert "before" in found.message


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


def test_rl305_unreconciled_outputs(lint):
    (found,) = lint(
        """
        runbook: r
        flow: parallel
        steps:
          - id: a
            outputs: [cause]
          - id: b
            outputs: [cause]
          - id: fix
            needs: [a, b]
            inputs: [cause]
        """,
        "RL305",
    )
    assert (found.span.line, found.span.column) == (7, 15)
    assert found.steps == ("a", "b")


def test_rl305_alternatives_decided_are_not_concurrent(lint):
    text = """
        runbook: r
        flow: parallel
        steps:
          - id: pick
            decides: [a, b]
          - id: a
            needs: [pick]
            excludes: [b]
            outputs: [cause]
          - id: b
            needs: [pick]
            excludes: [a]
            outputs: [cause]
          - id: fix
            needs: [a, b]
            inputs: [cause]
        """
    assert lint(text, "RL305") == []


def test_rl306_closed_before_verified(lint):
    (found,) = lint(
        """
        runbook: r
        flow: parallel
        steps:
          - id: fix
            writes: [api]
          - id: check
            verifies: [fix]
            needs: [fix]
          - id: close
            phase: close
            needs: [fix]
        """,
        "RL306",
    )
    assert (found.span.line, found.span.column) == (10, 12)
    assert found.suggestion == "needs: [check]"


def test_rl305_one_finding_per_producer_naming_the_others(lint):
    found = lint(
        """
        runbook: r
        flow: parallel
        steps:
          - id: a
            outputs: [cause]
          - id: b
            outputs: [cause]
          - id: c
            outputs: [cause]
          - id: fix
            needs: [a, b, c]
            inputs: [cause]
        """,
        "RL305",
    )
    assert [f.steps for f in found] == [("a", "b"), ("a", "b", "c")]
    assert found[1].message.startswith("`c`, `a` and `b` all output `cause`")
